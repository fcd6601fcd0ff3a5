package certgen

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/keys"
)

func TestSelfSignCSR(t *testing.T) {
	key, err := keys.Generate(keys.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	der, err := CSR(key, Request{Subject: pkix.Name{CommonName: "cwms.example.local"}, DNSNames: []string{"cwms.example.local"}})
	if err != nil {
		t.Fatal(err)
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	cert, err := SelfSignCSR(csr, key, SignOptions{Profile: ProfileServer, Days: 30, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if cert.IsCA || cert.Subject.CommonName != "cwms.example.local" || !slices.Equal(cert.DNSNames, csr.DNSNames) {
		t.Errorf("got CA=%v CN=%q SANs=%v", cert.IsCA, cert.Subject.CommonName, cert.DNSNames)
	}
	if err := cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature); err != nil {
		t.Errorf("not signed by its own key: %v", err)
	}
	if !slices.Equal(cert.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}) || cert.KeyUsage != x509.KeyUsageDigitalSignature {
		t.Errorf("EKU %v, KU %v", cert.ExtKeyUsage, cert.KeyUsage)
	}
	if want := now.AddDate(0, 0, 30); !cert.NotAfter.Equal(want) {
		t.Errorf("notAfter %v, want %v", cert.NotAfter, want)
	}
	other, _ := keys.Generate(keys.ECDSAP256)
	if _, err := SelfSignCSR(csr, other, SignOptions{Days: 1}); !errors.Is(err, ErrKeyMismatch) {
		t.Errorf("another key: err = %v, want ErrKeyMismatch", err)
	}
}
