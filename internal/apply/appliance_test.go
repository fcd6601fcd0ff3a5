package apply

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/openssltest"
	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/testpki"
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

const publicWB = `product: cms
domain: example.com
key: ecdsa-p256
ca_key: ecdsa-p256
public: [webbridge]
certificates: per-service
webbridge: join.example.com
nodes:
  - {name: cms1a, fqdn: cms1a.example.com, services: [callbridge, webbridge]}
`

func parsePlan(t *testing.T, y string) *plan.Plan {
	t.Helper()
	p, err := catalog.Parse("test.yaml", []byte(y), catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Issue 10 item 12 (Cisco Meeting Server Certificate Guidelines 2.9, §4.3:
// check the files before installing): a certificate the CA returned without
// the planned names leaves the plan invalid, and "Next steps" says to ask
// the CA again and never sends anyone to the node's install file.
func TestImportWrongNamesInvalid43(t *testing.T) {
	e := newEnv(t)
	e.run(parsePlan(t, publicWB))
	csr, err := readCSR(e.path("cms1a-webbridge.csr"))
	if err != nil {
		t.Fatal(err)
	}
	ca := newTestCA(t)
	tmpl := testpki.LeafTemplate("join.example.com")
	tmpl.DNSNames = []string{"wrong.example.com"}
	leaf := testpki.Sign(t, tmpl, csr.PublicKey, &testpki.Issued{Cert: ca.certs[2], Key: ca.key})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "returned.pem"), certio.CertificatesPEM(leaf, ca.certs[2], ca.certs[1], ca.certs[0]), 0o644); err != nil {
		t.Fatal(err)
	}
	p := parsePlan(t, publicWB)
	res := e.run(p, func(o *Options) { o.Import = []string{dir} })
	if c := p.Certificates[1]; c.Name != "cms1a-webbridge" || c.Status != plan.StatusInvalid {
		t.Fatalf("%s: status %s", c.Name, c.Status)
	}
	if !Invalid(p) || !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, "do not install it") }) {
		t.Errorf("warnings %q", res.Warnings)
	}
	// What "Next steps" says of such a plan is tested in package cli
	// (TestNextStepsInvalidImport).
}

// Issue 10 item 12 (§5.6: renewing is the first issue again): --renew of a
// public certificate sets its chain files aside (.bak), and the install file
// marks them as existing only after --import, so no step names a chain
// built for the old key.
func TestRenewSetsOldChainAside56(t *testing.T) {
	e := newEnv(t)
	p := parsePlan(t, publicWB)
	e.run(p)
	returned := newTestCA(t).signAwaiting(t, e, p)
	e.run(parsePlan(t, publicWB), func(o *Options) { o.Import = []string{returned} })
	if !exists(e.path("cms1a-webbridge-bundle.crt")) {
		t.Fatal("no bundle after the import")
	}
	p = parsePlan(t, publicWB)
	res := e.run(p, func(o *Options) { o.Renew = []string{"cms1a-webbridge"} })
	if exists(e.path("cms1a-webbridge-bundle.crt")) || exists(e.path("cms1a-webbridge.crt")) {
		t.Error("the old chain is still where the install file points")
	}
	if baks, _ := filepath.Glob(e.path("cms1a-webbridge-bundle.crt.*.bak")); len(baks) != 1 {
		t.Errorf("backups %v", baks)
	}
	if ch := changed(res, "cms1a-webbridge-bundle.crt"); ch == nil || ch.Action != ActionSetAside {
		t.Errorf("changes %+v", res.Changes)
	}
	text, _ := os.ReadFile(e.path("install/cms1a.txt"))
	if !strings.Contains(string(text), "cms1a-webbridge-bundle.crt   (exists only after confcert plan --import)") {
		t.Errorf("install file:\n%s", text)
	}
}

// Issue 10 item 7 (§4.8 caution): --renew dbserver writes install files that
// remove the live cluster on every node before the new certificates, then
// rebuild it.
func TestRenewDBServerOnLiveCluster48(t *testing.T) {
	e := newEnv(t)
	lab := loadExample(t, "cms-3node-lab.yaml", catalog.Options{})
	e.run(lab)
	res := e.run(loadExample(t, "cms-3node-lab.yaml", catalog.Options{}), func(o *Options) { o.Renew = []string{"dbserver"} })
	if ch := changed(res, "dbserver"); ch == nil || ch.Action != ActionRenewed {
		t.Fatalf("changes %+v", res.Changes)
	}
	text, _ := os.ReadFile(e.path("install/cms1b.txt"))
	s := string(text)
	remove, certs, join := strings.Index(s, "\n  database cluster remove\n"), strings.Index(s, "\n  database cluster certs dbserver.key"), strings.Index(s, "\n  database cluster join cms1a.pod2.cms.lab\n")
	if remove < 0 || certs < remove || join < certs {
		t.Errorf("cms1b install: remove %d, certs %d, join %d:\n%s", remove, certs, join, s)
	}
}

// Issue 10 items 1 and 11 ("Building the CWMS certificate bundle", Cisco
// Community: the key made outside CWMS at the very top; mobile clients need
// the full chain): --check of a CWMS plan fails an upload bundle without the
// key the plan made, and one without its intermediates.
func TestCWMSCheckFailsKeylessAndShortBundles(t *testing.T) {
	e := newEnv(t)
	e.now = time.Now()
	p := loadExample(t, "cwms-dual-dc-mr5.yaml", catalog.Options{})
	seedRSAKeys(t, e, p)
	e.run(p)
	returned := newTestCA(t).signAwaiting(t, e, p)
	e.run(loadExample(t, "cwms-dual-dc-mr5.yaml", catalog.Options{}), func(o *Options) { o.Import = []string{returned} })
	if probs := e.check(loadExample(t, "cwms-dual-dc-mr5.yaml", catalog.Options{}), e.now); len(probs) > 0 {
		t.Fatalf("clean directory: %+v", probs)
	}
	certs, err := readCerts(e.path("dc1-external-bundle.pem"))
	if err != nil {
		t.Fatal(err)
	}
	leaf := certs[len(certs)-1] // cwms-25: the server certificate last
	for _, tt := range []struct {
		data []byte
		rule string
	}{
		{certio.CertificatesPEM(certs...), "CWMS-KEY-MISSING"},
		{certio.CertificatesPEM(leaf), "CWMS-CHAIN"},
	} {
		if err := os.WriteFile(e.path("dc1-external-bundle.pem"), tt.data, 0o600); err != nil {
			t.Fatal(err)
		}
		probs := e.check(loadExample(t, "cwms-dual-dc-mr5.yaml", catalog.Options{}), e.now)
		if !slices.ContainsFunc(probs, func(pb Problem) bool { return strings.Contains(pb.Problem, tt.rule) }) {
			t.Errorf("%s: problems %+v", tt.rule, probs)
		}
	}
}
