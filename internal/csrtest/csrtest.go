// Package csrtest makes the certificate signing requests tests submit: a
// new P-256 key, the names asked for and, to prove it is refused, CA:TRUE.
package csrtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"testing"
)

// CSR is what a request asks for.
type CSR struct {
	CN     string
	SANs   []string
	CATrue bool // ask for basicConstraints CA:TRUE, critical
}

// PEM makes the request with a new P-256 key, PEM-encoded.
func PEM(t testing.TB, c CSR) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.CertificateRequest{Subject: pkix.Name{CommonName: c.CN}, DNSNames: c.SANs}
	if c.CATrue {
		bc, _ := asn1.Marshal(struct{ IsCA bool }{true})
		tmpl.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 19}, Critical: true, Value: bc}}
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
}
