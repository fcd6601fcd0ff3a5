package castore

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/testpki"

	"github.com/confcert/confcert/internal/pgtest"
)

// backend opens a fresh, empty store in the test's own temporary directory.
type backend struct {
	name string
	open func(t *testing.T, dir string) Store
}

// backends lists SQLite always and PostgreSQL when CONFCERT_TEST_PG holds a
// connection URL (each test then works in a schema of its own, dropped after).
func backends() []backend {
	return []backend{
		{"sqlite", openSQLite},
		{"postgres", openPostgres},
	}
}

func openSQLite(t *testing.T, dir string) Store {
	t.Helper()
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openPostgres(t *testing.T, dir string) Store {
	t.Helper()
	schemaURL := pgtest.URL(t)
	s, err := OpenPostgres(context.Background(), schemaURL, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// forEach runs test once per backend.
func forEach(t *testing.T, test func(t *testing.T, s Store, dir string)) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			dir := t.TempDir()
			test(t, b.open(t, dir), dir)
		})
	}
}

var testKey = func() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}()

// testCert makes a certificate signed by testKey; only its fields matter here.
func testCert(t *testing.T, cn string, serial int64, notAfter time.Time) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: cn},
		DNSNames:     []string{cn},
		IPAddresses:  []net.IP{net.ParseIP("192.0.2.1")},
		NotBefore:    notAfter.Add(-48 * time.Hour),
		NotAfter:     notAfter,
	}
	return testpki.IssueKey(t, tmpl, testKey, nil).Cert
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func mustCreateCA(t *testing.T, s Store, name string) CA {
	t.Helper()
	ca := CA{Name: name, KeyType: "ecdsa-p256", Cert: testCert(t, name, 1, t0.AddDate(10, 0, 0)), CreatedAt: t0}
	if err := s.CreateCA(context.Background(), ca, []byte("KEY OF "+name+"\n")); err != nil {
		t.Fatal(err)
	}
	return ca
}

// issue reserves and records a certificate in one go.
func issue(t *testing.T, s Store, ca, cn string, serial int64, notAfter, at time.Time) {
	t.Helper()
	ctx := context.Background()
	cert := testCert(t, cn, serial, notAfter)
	if err := s.ReserveSerial(ctx, ca, cert.SerialNumber, at); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordIssued(ctx, ca, cert, at); err != nil {
		t.Fatal(err)
	}
}
