package apply

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/openssltest"
)

// Issue 10 item 8 (Cisco Unified MeetingPlace web conferencing SSL guide,
// "Importing the Private Key in to the MPWEB Database", step 10: the key
// "begins with Begin RSA Private key"): the key files are written in the
// traditional RSA form, and a key an earlier run wrote as PKCS#8 is written
// again in that form, the same key, the old file kept.
func TestMeetingPlaceKeyFileTraditional(t *testing.T) {
	e := newEnv(t)
	p, err := catalog.Load(filepath.Join("..", "..", "examples", "meetingplace.yaml"), catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e.run(p)
	data, _ := os.ReadFile(e.path("homepage.key"))
	if !bytes.HasPrefix(data, []byte("-----BEGIN RSA PRIVATE KEY-----")) {
		t.Fatalf("homepage.key starts %q", data[:40])
	}
	if out := openssltest.Run(t, e.dir, "rsa", "-check", "-noout", "-in", "homepage.key"); !strings.Contains(out, "RSA key ok") {
		t.Errorf("openssl rsa -check: %s", out)
	}
	key, _, _ := readKey(e.path("webconf.key"))
	pkcs8, _ := certio.PrivateKeyPEM(key)
	if err := os.WriteFile(e.path("webconf.key"), pkcs8, 0o600); err != nil {
		t.Fatal(err)
	}
	res := e.run(p)
	if ch := changed(res, "webconf"); ch == nil || !strings.Contains(ch.Why, "the same key") {
		t.Errorf("changes %+v", res.Changes)
	}
	again, format, _ := readKey(e.path("webconf.key"))
	if format != certio.PKCS1 || !keys.Match(again, key.Public()) {
		t.Errorf("webconf.key: format %s, same key %v", format, keys.Match(again, key.Public()))
	}
	if baks, _ := filepath.Glob(e.path("webconf.key.*.bak")); len(baks) != 1 {
		t.Errorf("backups %v", baks)
	}
	if res := e.run(p); !res.NothingToDo() {
		t.Errorf("third run changed %+v", res.Changes)
	}
}

// Issue 10 item 6 (Cisco Meeting Server Certificate Guidelines 2.9, §4.8
// caution: "each database cluster must use a dedicated root certificate"):
// the store records which cluster a database CA serves; planning another
// cluster with the same database CA in the same home is an error naming it,
// before anything is written; the same cluster with a node added is not.
func TestDatabaseCADedicatedAcrossStore48(t *testing.T) {
	e := newEnv(t)
	lab := loadExample(t, "cms-3node-lab.yaml", catalog.Options{})
	e.run(lab)
	other := loadExample(t, "cms-3node-lab.yaml", catalog.Options{})
	for _, ca := range other.CAs {
		if ca.Cluster != "" {
			other.CAs[1].Cluster = "pod9.cms.lab: cms9a.pod9.cms.lab"
		}
	}
	other.CAs[0].Name = "pod9ca"
	o := e.options(e.now)
	o.Dir = t.TempDir()
	_, err := Run(context.Background(), other, o)
	if err == nil || !strings.Contains(err.Error(), "database CA dbca already serves another cluster (pod2.cms.lab: cms1a.pod2.cms.lab, cms1b.pod2.cms.lab, cms1c.pod2.cms.lab)") {
		t.Fatalf("another cluster with dbca: %v", err)
	}
	entries, _ := os.ReadDir(o.Dir)
	for _, en := range entries {
		if !strings.HasPrefix(en.Name(), ".") { // the directory's lock file is no output
			t.Errorf("%s written before the refusal", en.Name())
		}
	}
	grown := loadExample(t, "cms-3node-lab.yaml", catalog.Options{})
	grown.CAs[1].Cluster += ", cms1d.pod2.cms.lab"
	if _, err := Run(context.Background(), grown, e.options(e.now)); err != nil {
		t.Errorf("the same cluster with a node added: %v", err)
	}
	internal := loadExample(t, "cms-3node-lab.yaml", catalog.Options{})
	internal.CAs[0].Name = "dbca"
	internal.CAs = internal.CAs[:1]
	for _, c := range internal.Certificates {
		c.Signer = "dbca"
	}
	o.Dir = t.TempDir()
	if _, err := Run(context.Background(), internal, o); err == nil || !strings.Contains(err.Error(), "local CA dbca is the dedicated CA of the database cluster") {
		t.Errorf("the database CA as another deployment's internal CA: %v", err)
	}
}
