package certgen

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/testpki"
)

// FuzzSignCSR signs hostile CSRs (issue 11 item 12): whatever the bytes,
// Sign never panics, and a certificate it makes parses and carries the CSR's
// subject and DNS names.
func FuzzSignCSR(f *testing.F) {
	key := testpki.Key(f)
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	ca, err := SelfSignedCA(key, pkix.Name{CommonName: "Fuzz CA"}, 3650, now)
	if err != nil {
		f.Fatal(err)
	}
	for _, r := range []Request{
		{Subject: pkix.Name{CommonName: "meet.example.com"}, DNSNames: []string{"meet.example.com"}},
		{Subject: pkix.Name{CommonName: "postgres"}},
		{Subject: pkix.Name{CommonName: "x", Organization: []string{"O"}}, DNSNames: []string{"*.example.com", "a.example.com"}},
	} {
		der, err := CSR(testpki.Key(f), r)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		csr, err := x509.ParseCertificateRequest(der)
		if err != nil {
			return
		}
		cert, err := Sign(csr, ca, key, SignOptions{Profile: ProfileServerClient, Days: 30, Now: now})
		if err != nil {
			return
		}
		back, err := x509.ParseCertificate(cert.Raw)
		if err != nil {
			t.Fatalf("Sign made a certificate that does not parse: %v", err)
		}
		if back.Subject.String() != csr.Subject.String() || len(back.DNSNames) != len(csr.DNSNames) {
			t.Fatalf("certificate %q %v from CSR %q %v", back.Subject, back.DNSNames, csr.Subject, csr.DNSNames)
		}
	})
}
