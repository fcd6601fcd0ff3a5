package apply

import (
	"bytes"
	"encoding/asn1"
	"os"
	"path/filepath"
	"testing"

	"github.com/confcert/confcert/internal/plan"
)

// A plan's .pfx is 3DES (with a 2048-iteration MAC, certio) unless the
// deployment asks for AES (pfx_encryption: aes; issue 11 item 14).
func TestPFXEncryptionFollowsThePlan(t *testing.T) {
	oidOf := func(o asn1.ObjectIdentifier) []byte { b, _ := asn1.Marshal(o); return b }
	pbes2 := oidOf(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13})
	tripleDES := oidOf(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3})
	for _, enc := range []string{"", plan.PFXLegacy, plan.PFXAES} {
		t.Run("encryption="+enc, func(t *testing.T) {
			e := newEnv(t)
			p := testPlan()
			p.Certificates[0].Files.PFX = "cms1a.pfx"
			p.Certificates[0].Files.PFXEncryption = enc
			e.run(p, func(o *Options) { o.PFXPassword = func() ([]byte, error) { return []byte("s3cret"), nil } })
			data, err := os.ReadFile(filepath.Join(e.dir, "cms1a.pfx"))
			if err != nil {
				t.Fatal(err)
			}
			aes := bytes.Contains(data, pbes2)
			des := bytes.Contains(data, tripleDES)
			if want := enc == plan.PFXAES; aes != want || des == want {
				t.Errorf("PBES2 (AES) %v, 3DES %v; want AES %v", aes, des, want)
			}
		})
	}
}
