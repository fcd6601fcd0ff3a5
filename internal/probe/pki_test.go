package probe

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"net"
	"sync"
	"time"

	"github.com/confcert/confcert/internal/testpki"
)

// testName is the name every test leaf is issued for.
const testName = "svc.example.test"

// pki is a test hierarchy: root → inter → leaf, root → interA → interB →
// leafB, an expired and an expiring leaf, a leaf for mutual TLS, and an
// unrelated self-signed certificate.
type pki struct {
	root, inter, interA, interB, other *testpki.Issued
	leaf, leafB, expired, expiring     *testpki.Issued
	client                             *testpki.Issued
	// xmpp is issued for testName and the XMPP domain xmppDomain.
	xmpp *testpki.Issued
}

// xmppDomain is the XMPP domain of the STARTTLS tests.
const xmppDomain = "example.test"

var testPKI = sync.OnceValue(func() *pki { return newPKI() })

func newPKI() *pki {
	now := time.Now()
	year := 365 * 24 * time.Hour
	p := &pki{}
	p.root = mint("Test Root", nil, true, now.Add(-year), now.Add(10*year))
	p.inter = mint("Test Intermediate", p.root, true, now.Add(-year), now.Add(5*year))
	p.interA = mint("Test Intermediate A", p.root, true, now.Add(-year), now.Add(5*year))
	p.interB = mint("Test Intermediate B", p.interA, true, now.Add(-year), now.Add(5*year))
	p.other = mint("Unrelated CA", nil, true, now.Add(-year), now.Add(5*year))
	p.leaf = mint(testName, p.inter, false, now.Add(-time.Hour), now.Add(year))
	p.leafB = mint(testName, p.interB, false, now.Add(-time.Hour), now.Add(year))
	p.expired = mint(testName, p.inter, false, now.Add(-year), now.Add(-24*time.Hour))
	p.expiring = mint(testName, p.inter, false, now.Add(-year), now.Add(10*24*time.Hour))
	p.client = mint("postgres", p.inter, false, now.Add(-time.Hour), now.Add(year))
	p.xmpp = mint(testName, p.inter, false, now.Add(-time.Hour), now.Add(year), xmppDomain)
	return p
}

// mint issues a P-256 certificate; a nil parent makes it self-signed. A
// leaf's subjectAltNames are its CN, the extra names and 127.0.0.1. It
// panics on error: testPKI is built once, outside any test.
func mint(cn string, parent *testpki.Issued, ca bool, from, to time.Time, extra ...string) *testpki.Issued {
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             from,
		NotAfter:              to,
		BasicConstraintsValid: true,
		IsCA:                  ca,
		KeyUsage:              x509.KeyUsageDigitalSignature,
	}
	if ca {
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	} else {
		tmpl.DNSNames = append([]string{cn}, extra...)
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	}
	is, err := testpki.New(tmpl, nil, parent)
	if err != nil {
		panic(err)
	}
	return is
}
