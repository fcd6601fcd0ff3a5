package lint

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/certgen"
	"github.com/confcert/confcert/internal/testpki"
)

// TestCertgenPassesLints: what confcert signs itself (a local CA and the
// certificates it issues, every profile, RSA and ECDSA) draws no finding.
func TestCertgenPassesLints(t *testing.T) {
	now := time.Now()
	caKey := testpki.Key(t)
	ca, err := certgen.SelfSignedCA(caKey, pkix.Name{CommonName: "Pod CA", Organization: []string{"Example Inc."}}, 3650, now)
	if err != nil {
		t.Fatal(err)
	}
	assertClean(t, "CA", ca)
	leafKeys := map[string]crypto.Signer{
		"rsa":   must(rsa.GenerateKey(rand.Reader, 2048)),
		"ecdsa": testpki.Key(t),
	}
	req := certgen.Request{Subject: pkix.Name{CommonName: "cms1.example.com"}, DNSNames: []string{"cms1.example.com", "join.example.com"}}
	for _, p := range []certgen.Profile{certgen.ProfileServer, certgen.ProfileClient, certgen.ProfileServerClient} {
		for name, key := range leafKeys {
			der, err := certgen.CSR(key, req)
			if err != nil {
				t.Fatal(err)
			}
			csr, err := x509.ParseCertificateRequest(der)
			if err != nil {
				t.Fatal(err)
			}
			leaf, err := certgen.Sign(csr, ca, caKey, certgen.SignOptions{Profile: p, Days: 730, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			assertClean(t, string(p)+"/"+name, leaf)
		}
	}
}

func assertClean(t *testing.T, what string, c *x509.Certificate) {
	t.Helper()
	got, err := Run(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range got {
		t.Errorf("%s: %s (%s): %s", what, f.Name, f.Status, f.Message)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
