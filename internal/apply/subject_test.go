package apply

import (
	"crypto/x509"
	"encoding/asn1"
	"testing"

	"github.com/confcert/confcert/internal/certgen"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/plan"
)

// TestSubjectEmailIsIA5String: the deployment's emailAddress reaches the CSR
// as the IA5String RFC 5280 Appendix A requires, as `confcert csr` writes it.
func TestSubjectEmailIsIA5String(t *testing.T) {
	t.Parallel()
	c := &plan.Certificate{CN: "mp.example.com", Subject: plan.Subject{O: "Example Inc.", EmailAddress: "pki@example.com"}}
	key, err := keys.Generate(keys.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	der, err := certgen.CSR(key, certgen.Request{Subject: subject(c)})
	if err != nil {
		t.Fatal(err)
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		t.Fatal(err)
	}
	var sets []asn1.RawValue
	if _, err := asn1.Unmarshal(csr.RawSubject, &sets); err != nil {
		t.Fatal(err)
	}
	email := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
	for _, set := range sets {
		var atv struct {
			Type  asn1.ObjectIdentifier
			Value asn1.RawValue
		}
		if _, err := asn1.Unmarshal(set.Bytes, &atv); err != nil {
			t.Fatal(err)
		}
		if atv.Type.Equal(email) {
			if atv.Value.Tag != asn1.TagIA5String || string(atv.Value.Bytes) != "pki@example.com" {
				t.Errorf("emailAddress encoded with tag %d, value %q; want IA5String pki@example.com", atv.Value.Tag, atv.Value.Bytes)
			}
			return
		}
	}
	t.Errorf("no emailAddress in the subject of %s", csr.Subject)
}
