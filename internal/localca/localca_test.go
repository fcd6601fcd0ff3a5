package localca

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/certgen"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/openssltest"
	"github.com/confcert/confcert/internal/testpki"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func openStore(t testing.TB, dir string) castore.Store {
	t.Helper()
	s, err := castore.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func ensure(t *testing.T, s castore.Store, name string) *CA {
	t.Helper()
	ca, _, err := EnsureCA(context.Background(), s, name, keys.ECDSAP256, t0)
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// newCSR makes a CSR for cn with a fresh P-256 key.
func newCSR(t testing.TB, cn string) *x509.CertificateRequest {
	t.Helper()
	der, err := certgen.CSR(testpki.Key(t), certgen.Request{Subject: pkix.Name{CommonName: cn}, DNSNames: []string{cn}})
	if err != nil {
		t.Fatal(err)
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		t.Fatal(err)
	}
	return csr
}

func signOpts() certgen.SignOptions {
	return certgen.SignOptions{Profile: certgen.ProfileServerClient, Days: 730, Now: t0}
}

func TestEnsureCACreatesOnFirstUseOnly(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	first, created, err := EnsureCA(ctx, s, "podca", keys.ECDSAP256, t0)
	if err != nil || !created {
		t.Fatalf("first EnsureCA: created %v, %v", created, err)
	}
	c := first.Cert
	want, _ := Subject("podca", first.Key.Public())
	if c.Subject.String() != want.String() || !c.IsCA || c.Subject.String() != c.Issuer.String() ||
		!c.NotAfter.Equal(t0.AddDate(CAYears, 0, 0)) || first.KeyType != keys.ECDSAP256 {
		t.Errorf("CA certificate: CN %q CA %v issuer %q notAfter %v type %s",
			c.Subject.CommonName, c.IsCA, c.Issuer, c.NotAfter, first.KeyType)
	}
	again, created, err := EnsureCA(ctx, s, "podca", keys.RSA4096, t0.Add(time.Hour))
	if err != nil || created {
		t.Fatalf("second EnsureCA: created %v, %v", created, err)
	}
	if !again.Cert.Equal(first.Cert) || !keys.Match(again.Key, first.Cert.PublicKey) || again.KeyType != keys.ECDSAP256 {
		t.Error("second EnsureCA did not return the CA made first")
	}
}

func TestEnsureCADefaultKeyType(t *testing.T) {
	ca, _, err := EnsureCA(context.Background(), openStore(t, t.TempDir()), "rsaca", "", t0)
	if err != nil {
		t.Fatal(err)
	}
	if alg, bits := keys.Describe(ca.Cert.PublicKey); ca.KeyType != keys.RSA2048 || alg != "RSA" || bits != 2048 {
		t.Errorf("default CA key: %s %s %d", ca.KeyType, alg, bits)
	}
}

func TestEnsureCARefusesBadName(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := EnsureCA(context.Background(), openStore(t, dir), "pod.ca", keys.ECDSAP256, t0); err == nil {
		t.Fatal("EnsureCA accepted pod.ca")
	}
}

func TestCAKeyFileIsPrivate(t *testing.T) {
	dir := t.TempDir()
	ensure(t, openStore(t, dir), "podca")
	fi, err := os.Stat(filepath.Join(dir, "podca.key"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("podca.key mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestLoadRefusesForeignKey(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	ensure(t, s, "podca")
	other, _ := keys.Generate(keys.ECDSAP256)
	pemKey, _ := certio.PrivateKeyPEM(other)
	if err := os.WriteFile(filepath.Join(dir, "podca.key"), pemKey, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(context.Background(), s, "podca"); !errors.Is(err, certgen.ErrKeyMismatch) {
		t.Fatalf("Load with a foreign key = %v, want ErrKeyMismatch", err)
	}
}

func TestSignRecordsCertificate(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	ca := ensure(t, s, "podca")
	cert, err := ca.Sign(ctx, newCSR(t, "cms1.example.com"), signOpts())
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: t0.Add(time.Hour)}); err != nil {
		t.Errorf("Go does not verify the signed certificate: %v", err)
	}
	got, err := s.Issued(ctx, castore.Filter{CA: "podca"})
	if err != nil || len(got) != 1 {
		t.Fatalf("Issued() = %v, %v", got, err)
	}
	if got[0].Serial.Cmp(cert.SerialNumber) != 0 || got[0].SubjectCN != "cms1.example.com" || cert.SerialNumber.BitLen() < 100 {
		t.Errorf("recorded %+v for serial %x", got[0], cert.SerialNumber)
	}
}

func TestSignedCertificatesVerifyWithOpenSSL(t *testing.T) {
	openssltest.Need(t)
	dir := t.TempDir()
	s := openStore(t, dir)
	ca := ensure(t, s, "podca")
	opts := signOpts()
	opts.Now = time.Now() // openssl verifies at the current time
	cert, err := ca.Sign(context.Background(), newCSR(t, "cms1.example.com"), opts)
	if err != nil {
		t.Fatal(err)
	}
	leaf := filepath.Join(dir, "leaf.crt")
	if err := os.WriteFile(leaf, certio.CertificatesPEM(cert), 0o644); err != nil {
		t.Fatal(err)
	}
	openssltest.Run(t, "", "verify", "-CAfile", filepath.Join(dir, "podca.crt"), leaf)
}

// fixedSerials returns the given serials in turn, then the last one forever.
func fixedSerials(serials ...int64) func() (*big.Int, error) {
	var mu sync.Mutex
	return func() (*big.Int, error) {
		mu.Lock()
		defer mu.Unlock()
		n := serials[0]
		if len(serials) > 1 {
			serials = serials[1:]
		}
		return big.NewInt(n), nil
	}
}

func TestSignRetriesTakenSerial(t *testing.T) {
	ctx := context.Background()
	ca := ensure(t, openStore(t, t.TempDir()), "podca")
	ca.NewSerial = fixedSerials(5, 5, 5, 6)
	tests := []struct {
		name    string
		want    int64
		wantErr bool
	}{
		{"first draw is free", 5, false},
		{"two collisions, then 6", 6, false},
		{"only taken serials left", 0, true},
	}
	for _, tt := range tests {
		cert, err := ca.Sign(ctx, newCSR(t, "x.example.com"), signOpts())
		if tt.wantErr {
			if err == nil {
				t.Errorf("%s: Sign succeeded with serial %v", tt.name, cert.SerialNumber)
			}
			continue
		}
		if err != nil || cert.SerialNumber.Int64() != tt.want {
			t.Errorf("%s: Sign() = %v, %v; want serial %d", tt.name, cert, err, tt.want)
		}
	}
}

func TestSignRefusesBadCSRWithoutReserving(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	ca := ensure(t, s, "podca")
	csr := newCSR(t, "x.example.com")
	csr.Signature[len(csr.Signature)-1] ^= 1
	if _, err := ca.Sign(ctx, csr, signOpts()); !errors.Is(err, certgen.ErrBadCSRSignature) {
		t.Fatalf("Sign of a corrupt CSR = %v", err)
	}
	cas, err := s.CAs(ctx)
	if err != nil || len(cas) != 1 || cas[0].Reserved != 0 || cas[0].Issued != 0 {
		t.Errorf("a refused CSR left records: %+v, %v", cas, err)
	}
}

func TestSignRefusesExpiredCA(t *testing.T) {
	ca := ensure(t, openStore(t, t.TempDir()), "podca")
	opts := signOpts()
	opts.Now = t0.AddDate(CAYears+1, 0, 0)
	if _, err := ca.Sign(context.Background(), newCSR(t, "x.example.com"), opts); !errors.Is(err, certgen.ErrCAExpired) {
		t.Fatalf("Sign with an expired CA = %v", err)
	}
}
