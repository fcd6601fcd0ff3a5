package chain

import (
	"crypto"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/testpki"
)

// now is the fixed "current" time of the tests.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// issued is a certificate with its key.
type issued = testpki.Issued

// spec describes a certificate to make.
type spec struct {
	cn        string
	ca        bool
	parent    *issued       // nil: self-signed
	key       crypto.Signer // nil: a new P-256 key
	notBefore time.Time     // zero: a year before testNow
	notAfter  time.Time     // zero: a year after testNow
	eku       []x509.ExtKeyUsage
	dns       []string
	noBC      bool // leave out basic constraints
}

func mk(t testing.TB, s spec) *issued {
	t.Helper()
	key := s.key
	if key == nil {
		key = testpki.Key(t)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: s.cn, Organization: []string{"Example"}},
		NotBefore:             s.notBefore,
		NotAfter:              s.notAfter,
		BasicConstraintsValid: !s.noBC,
		IsCA:                  s.ca,
		ExtKeyUsage:           s.eku,
		DNSNames:              s.dns,
		KeyUsage:              x509.KeyUsageDigitalSignature,
	}
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = testNow.AddDate(-1, 0, 0)
	}
	if tmpl.NotAfter.IsZero() {
		tmpl.NotAfter = testNow.AddDate(1, 0, 0)
	}
	if s.ca {
		tmpl.KeyUsage |= x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	}
	skid := sha1.Sum(pubBytes(t, key.Public()))
	tmpl.SubjectKeyId = skid[:]
	return testpki.IssueKey(t, tmpl, key, s.parent)
}

func pubBytes(t testing.TB, pub crypto.PublicKey) []byte {
	t.Helper()
	b, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// hierarchy is root -> inter2 -> inter1 -> leaf, plus strays.
type hierarchy struct {
	root, inter2, inter1, leaf *issued
	strayRoot, strayCA         *issued
}

func newHierarchy(t testing.TB) *hierarchy {
	t.Helper()
	h := &hierarchy{}
	h.root = mk(t, spec{cn: "Example Root", ca: true})
	h.inter2 = mk(t, spec{cn: "Example Primary Intermediate", ca: true, parent: h.root})
	h.inter1 = mk(t, spec{cn: "Example Secondary Intermediate", ca: true, parent: h.inter2})
	h.leaf = mk(t, spec{cn: "meet.example.com", parent: h.inter1, dns: []string{"meet.example.com"},
		eku: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}})
	h.strayRoot = mk(t, spec{cn: "Other Root", ca: true})
	h.strayCA = mk(t, spec{cn: "Other Intermediate", ca: true, parent: h.strayRoot})
	return h
}

func certs(is ...*issued) []*x509.Certificate {
	out := make([]*x509.Certificate, len(is))
	for i, c := range is {
		out[i] = c.Cert
	}
	return out
}

func cns(cs []*x509.Certificate) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Subject.CommonName
	}
	return out
}
