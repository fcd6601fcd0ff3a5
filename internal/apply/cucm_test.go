package apply

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/openssltest"
	"github.com/confcert/confcert/internal/plan"
)

// publisherCSRs makes, for every certificate whose key Unified CM holds, the
// CSR the publisher would generate: its own key (RSA 2048, or P-256 for an
// -ECDSA purpose), the subject Unified CM fills in, the planned names as
// SANs, the usages its CSR asks for, in a file named after the purpose as
// Unified CM names it. They are written in reverse plan order, each in its
// own directory, and the directory is returned ("" when none waits).
func publisherCSRs(t *testing.T, p *plan.Plan, edit func(c *plan.Certificate, tmpl *x509.CertificateRequest)) string {
	dir := t.TempDir()
	n := 0
	for i := len(p.Certificates) - 1; i >= 0; i-- {
		c := p.Certificates[i]
		if c.KeyHeld == nil || c.Status != plan.StatusAwaitingCA {
			continue
		}
		var key crypto.Signer
		var err error
		if c.KeyHeld.KeyAlgorithm == "ECDSA" {
			key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		} else {
			key, err = rsa.GenerateKey(rand.Reader, 2048)
		}
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.CertificateRequest{
			Subject: pkix.Name{CommonName: c.CN, OrganizationalUnit: []string{"Collab"}, Organization: []string{"Example"},
				Locality: []string{"Reading"}, Province: []string{"Berkshire"}, Country: []string{"GB"}},
			DNSNames:        c.SANs,
			ExtraExtensions: []pkix.Extension{ekuRequest(t), keyUsageRequest(t, c.KeyHeld.KeyAlgorithm)},
		}
		if edit != nil {
			edit(c, tmpl)
		}
		der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
		if err != nil {
			t.Fatal(err)
		}
		sub := filepath.Join(dir, fmt.Sprint(n))
		n++
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, c.KeyHeld.Hint+".csr"), certio.CSRPEM(der), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if n == 0 {
		return ""
	}
	return dir
}

// ekuRequest is the extended key usage Unified CM's CSRs ask for: TLS Web
// Server and Client Authentication and IPsec end system (Administration
// Guide 12.5(1)SU3, "Manage Certificates").
func ekuRequest(t *testing.T) pkix.Extension {
	v, err := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 1}, {1, 3, 6, 1, 5, 5, 7, 3, 2}, {1, 3, 6, 1, 5, 5, 7, 3, 5}})
	if err != nil {
		t.Fatal(err)
	}
	return pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Value: v}
}

// checkCUCM: openssl verifies each Unified CM certificate against the CA
// uploaded as -trust, and reads its names and usages.
func checkCUCM(t *testing.T, e *env, p *plan.Plan) {
	for _, c := range p.Certificates {
		if c.KeyHeld == nil {
			continue
		}
		if _, err := os.Stat(e.path(c.Name + ".key")); err == nil {
			t.Errorf("%s: confcert made a key for a certificate whose key Unified CM holds", c.Name)
		}
		ca := ""
		for _, b := range p.Bundles {
			if b.CA == c.Signer {
				ca = b.File
			}
		}
		if out := openssltest.Run(t, e.dir, "verify", "-CAfile", ca, c.Files.Cert); !strings.Contains(out, ": OK") {
			t.Errorf("%s: %s", c.Name, out)
		}
		out := openssltest.Run(t, e.dir, "x509", "-noout", "-subject", "-ext", "subjectAltName,extendedKeyUsage", "-in", c.Files.Cert)
		for _, w := range append([]string{"CN = " + c.CN, "OU = Collab", "TLS Web Server Authentication, TLS Web Client Authentication"}, dnsWords(c.SANs)...) {
			if !strings.Contains(out, w) {
				t.Errorf("%s lacks %q:\n%s", c.Files.Cert, w, out)
			}
		}
		if openssltest.Run(t, e.dir, "req", "-noout", "-pubkey", "-in", c.Files.CSR) != openssltest.Run(t, e.dir, "x509", "-noout", "-pubkey", "-in", c.Files.Cert) {
			t.Errorf("%s is not for the key of %s", c.Files.Cert, c.Files.CSR)
		}
	}
}

func dnsWords(names []string) []string {
	var out []string
	for _, n := range names {
		out = append(out, "DNS:"+n)
	}
	return out
}

// keyUsageRequest: digitalSignature, keyEncipherment and dataEncipherment
// for RSA (digitalSignature and keyAgreement for EC), as Unified CM asks.
func keyUsageRequest(t *testing.T, alg string) pkix.Extension {
	bits := asn1.BitString{Bytes: []byte{0xb0}, BitLength: 4}
	if alg == "ECDSA" {
		bits = asn1.BitString{Bytes: []byte{0x88}, BitLength: 5}
	}
	v, err := asn1.Marshal(bits)
	if err != nil {
		t.Fatal(err)
	}
	return pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 15}, Critical: true, Value: v}
}

// TestHeldCSRs: a CSR made on the publisher is checked before it is signed:
// each refusal names what is wrong, nothing is written for it, and a good
// one is signed once (a rerun does nothing).
func TestHeldCSRs(t *testing.T) {
	load := func(t *testing.T) *plan.Plan { return loadExample(t, "cucm-cluster.yaml", catalog.Options{}) }
	tests := []struct {
		name string
		edit func(c *plan.Certificate, r *x509.CertificateRequest)
		want string
	}{
		{"wildcard", func(_ *plan.Certificate, r *x509.CertificateRequest) {
			r.DNSNames = append(r.DNSNames, "*.example.com")
		}, "wildcard"},
		{"a node missing", func(_ *plan.Certificate, r *x509.CertificateRequest) { r.DNSNames = r.DNSNames[:1] }, "lacks the planned names"},
		{"another CN", func(_ *plan.Certificate, r *x509.CertificateRequest) { r.Subject.CommonName = "other.example.com" }, "no planned certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			p := load(t)
			e.run(p)
			if probs := e.check(load(t), e.now); len(probs) == 0 || !strings.Contains(probs[0].Problem, "awaiting the CSR from cucm-pub.example.com") {
				t.Errorf("--check before the CSRs: %+v", probs)
			}
			dir := publisherCSRs(t, p, tt.edit)
			res := e.run(load(t), func(o *Options) { o.Import = []string{dir} })
			if len(res.Unmatched) != 3 || !strings.Contains(strings.Join(res.Unmatched, "\n"), tt.want) {
				t.Errorf("unmatched %v, want 3 with %q", res.Unmatched, tt.want)
			}
			if _, err := os.Stat(e.path("tomcat-ms.crt")); err == nil {
				t.Error("a refused CSR was signed")
			}
		})
	}
	t.Run("signed once", func(t *testing.T) {
		e := newEnv(t)
		p := load(t)
		e.run(p)
		dir := publisherCSRs(t, p, nil)
		res := e.run(load(t), func(o *Options) { o.Import = []string{dir} })
		if len(res.Unmatched) != 0 {
			t.Fatalf("unmatched: %v", res.Unmatched)
		}
		again := e.run(load(t), func(o *Options) { o.Import = []string{dir} })
		if !again.NothingToDo() {
			t.Errorf("second import: %+v", again.Changes)
		}
		if probs := e.check(load(t), e.now); len(probs) != 0 {
			t.Errorf("check: %+v", probs)
		}
	})
}

// checkLinks: the trust planned between products holds what each side must
// trust, as openssl verifies it (one deployment, several products); and the
// products' own checks.
func checkLinks(trusts map[string][]string) func(*testing.T, *env, *plan.Plan) {
	return func(t *testing.T, e *env, p *plan.Plan) {
		for bundle, certs := range trusts {
			for _, c := range certs {
				if out := openssltest.Run(t, e.dir, "verify", "-CAfile", bundle, c); !strings.Contains(out, ": OK") {
					t.Errorf("%s does not verify against %s: %s", c, bundle, out)
				}
			}
		}
		checkExpressway(t, e, p)
		checkCUCM(t, e, p)
	}
}

// TestRenewHeld: --renew cannot make a key Unified CM holds; it says where
// the new CSR comes from.
func TestRenewHeld(t *testing.T) {
	e := newEnv(t)
	p := loadExample(t, "cucm-cluster.yaml", catalog.Options{})
	_, err := Run(context.Background(), p, func() Options { o := e.options(e.now); o.Renew = []string{"tomcat-ms"}; return o }())
	if err == nil || !strings.Contains(err.Error(), "cucm-pub.example.com (Unified CM publisher) makes this key") {
		t.Errorf("got %v", err)
	}
}
