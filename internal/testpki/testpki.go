// Package testpki makes throwaway certificate hierarchies for tests: fresh
// P-256 keys, certificates issued from templates (self-signed or under a
// parent), and the tls.Certificate a test server presents. Only tests import
// it; nothing it makes is meant to outlive the test binary.
package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"testing"
	"time"
)

// Issued is a certificate with its private key.
type Issued struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// CATemplate is a CA certificate for cn, valid from an hour ago for a year,
// allowed to sign certificates and CRLs. The serial is left nil: x509 then
// draws a random one. Callers adjust the fields their test is about.
func CATemplate(cn string) *x509.Certificate {
	now := time.Now()
	return &x509.Certificate{
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(1, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
}

// LeafTemplate is an end-entity certificate for cn with cn as its only DNS
// name, valid from an hour ago for a year, for TLS servers and clients.
func LeafTemplate(cn string) *x509.Certificate {
	now := time.Now()
	return &x509.Certificate{
		Subject:               pkix.Name{CommonName: cn},
		DNSNames:              []string{cn},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(1, 0, 0),
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
}

// New issues tmpl for key (a fresh P-256 key when nil), signed by parent or
// by key itself when parent is nil. It is for fixtures built outside a test,
// such as one hierarchy shared by a whole test binary; tests call Issue.
func New(tmpl *x509.Certificate, key crypto.Signer, parent *Issued) (*Issued, error) {
	if key == nil {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("testpki: %w", err)
		}
		key = k
	}
	signer := &Issued{Cert: tmpl, Key: key}
	if parent != nil {
		signer = parent
	}
	cert, err := sign(tmpl, key.Public(), signer)
	if err != nil {
		return nil, err
	}
	return &Issued{Cert: cert, Key: key}, nil
}

// Issue issues tmpl for a fresh P-256 key, signed by parent (self-signed
// when parent is nil), and stops the test if that fails.
func Issue(t testing.TB, tmpl *x509.Certificate, parent *Issued) *Issued {
	t.Helper()
	return IssueKey(t, tmpl, nil, parent)
}

// IssueKey is Issue for a given key: one key certified twice (cross-signing,
// renewal) or a key of another type. A nil key is a fresh P-256 key.
func IssueKey(t testing.TB, tmpl *x509.Certificate, key crypto.Signer, parent *Issued) *Issued {
	t.Helper()
	is, err := New(tmpl, key, parent)
	if err != nil {
		t.Fatal(err)
	}
	return is
}

// Sign issues tmpl for a public key whose private half the test does not
// hold (the key of a CSR), signed by parent.
func Sign(t testing.TB, tmpl *x509.Certificate, pub crypto.PublicKey, parent *Issued) *x509.Certificate {
	t.Helper()
	cert, err := sign(tmpl, pub, parent)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// Key returns a fresh ECDSA P-256 key and stops the test if that fails.
func Key(t testing.TB) crypto.Signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TLSCertificate is what a server or client presents: key, the key of the
// first certificate, and the certificates in the order given.
func TLSCertificate(key crypto.Signer, certs ...*x509.Certificate) tls.Certificate {
	tc := tls.Certificate{PrivateKey: key}
	for _, c := range certs {
		tc.Certificate = append(tc.Certificate, c.Raw)
	}
	return tc
}

func sign(tmpl *x509.Certificate, pub crypto.PublicKey, signer *Issued) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer.Cert, pub, signer.Key)
	if err != nil {
		return nil, fmt.Errorf("testpki: issue %q: %w", tmpl.Subject.CommonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("testpki: parse %q: %w", tmpl.Subject.CommonName, err)
	}
	return cert, nil
}
