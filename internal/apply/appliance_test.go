package apply

import (
	"bytes"
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
