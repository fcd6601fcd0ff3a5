package expiry

import (
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/loopback"
	"github.com/confcert/confcert/internal/openssltest"
	"github.com/confcert/confcert/internal/probe"
	"github.com/confcert/confcert/internal/testpki"
)

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// cert makes a self-signed P-256 certificate expiring at notAfter.
func cert(t *testing.T, cn string, serial int64, notAfter time.Time) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	is := testpki.Issue(t, &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
		DNSNames: []string{"localhost"}, NotBefore: notAfter.AddDate(-1, 0, 0), NotAfter: notAfter}, nil)
	return is.Cert, is.Key
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// tree builds a directory of every format inspect reads, plus files that
// must be skipped.
func tree(t *testing.T) string {
	t.Helper()
	openssltest.Need(t)
	dir := t.TempDir()
	soon, _ := cert(t, "soon.example.test", 0x1a, now.AddDate(0, 0, 10))
	later, _ := cert(t, "later.example.test", 0x2b, now.AddDate(1, 0, 0))
	gone, _ := cert(t, "gone.example.test", 0x3c, now.AddDate(0, 0, -3))
	p12, p12key := cert(t, "pfx.example.test", 0x4d, now.AddDate(0, 2, 0))
	write(t, filepath.Join(dir, "bundle.pem"), certio.CertificatesPEM(later, soon))
	write(t, filepath.Join(dir, "old", "gone.crt"), certio.CertificatesPEM(gone))
	write(t, filepath.Join(dir, "later.pem"), certio.CertificatesPEM(later))
	openssltest.Run(t, "", "x509", "-in", filepath.Join(dir, "later.pem"), "-outform", "DER", "-out", filepath.Join(dir, "later.der"))
	openssltest.Run(t, "", "crl2pkcs7", "-nocrl", "-certfile", filepath.Join(dir, "bundle.pem"), "-outform", "DER",
		"-out", filepath.Join(dir, "bundle.p7b"))
	keyPEM, err := certio.PrivateKeyPEM(p12key)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "p12src", "key.pem"), keyPEM)
	write(t, filepath.Join(dir, "p12src", "cert.pem"), certio.CertificatesPEM(p12))
	openssltest.Run(t, "", "pkcs12", "-export", "-in", filepath.Join(dir, "p12src", "cert.pem"), "-inkey",
		filepath.Join(dir, "p12src", "key.pem"), "-passout", "pass:s3cret", "-out", filepath.Join(dir, "server.pfx"))
	write(t, filepath.Join(dir, "notes.txt"), []byte("not a certificate\n"))
	if err := os.Symlink(filepath.Join(dir, "missing.pem"), filepath.Join(dir, "dangling.pem")); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestScanDirectory(t *testing.T) {
	dir := tree(t)
	pw := func() ([]byte, error) { return []byte("s3cret"), nil }
	r := scan(t, []string{dir}, Options{Now: now, WithinDays: 30, Password: pw})
	if len(r.Errors) != 0 {
		t.Fatalf("errors: %v", r.Errors)
	}
	var got []string
	for _, it := range r.Items {
		rel, _ := filepath.Rel(dir, it.Source)
		got = append(got, strings.Join([]string{rel, it.SubjectCN, string(it.Status)}, " "))
	}
	want := []string{
		"old/gone.crt gone.example.test expired",
		"bundle.p7b soon.example.test expiring",
		"bundle.pem soon.example.test expiring",
		"p12src/cert.pem pfx.example.test ok",
		"server.pfx pfx.example.test ok",
		"bundle.p7b later.example.test ok",
		"bundle.pem later.example.test ok",
		"later.der later.example.test ok",
		"later.pem later.example.test ok",
	}
	if !slices.Equal(got, want) {
		t.Errorf("items, soonest first:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !r.Attention() {
		t.Error("Attention() = false with an expired certificate")
	}
	if r.Items[0].DaysLeft != -3 || r.Items[1].DaysLeft != 10 || r.Items[0].Serial != "3C" {
		t.Errorf("days left %d, %d serial %s; want -3, 10, 3C", r.Items[0].DaysLeft, r.Items[1].DaysLeft, r.Items[0].Serial)
	}
	skipped := map[string]string{}
	for _, s := range r.Skipped {
		rel, _ := filepath.Rel(dir, s.Source)
		skipped[rel] = s.Reason
	}
	for name, reason := range map[string]string{"notes.txt": "not a certificate", "dangling.pem": "no such file",
		"p12src/key.pem": "holds no certificate"} {
		if !strings.Contains(skipped[name], reason) {
			t.Errorf("skipped %s: %q, want a reason with %q (all: %v)", name, skipped[name], reason, skipped)
		}
	}
}

func TestScanPKCS12WithoutPassword(t *testing.T) {
	dir := tree(t)
	r := scan(t, []string{filepath.Join(dir, "server.pfx")}, Options{Now: now, WithinDays: 30})
	if len(r.Items) != 0 || len(r.Skipped) != 1 || !strings.Contains(r.Skipped[0].Reason, "password") {
		t.Fatalf("items %v skipped %v: want the PKCS#12 skipped for want of a password", r.Items, r.Skipped)
	}
	if len(r.Errors) != 1 {
		t.Errorf("errors %v: a named file that cannot be read is an error", r.Errors)
	}
	wrong := func() ([]byte, error) { return []byte("nope"), nil }
	r = scan(t, []string{filepath.Join(dir, "server.pfx")}, Options{Now: now, Password: wrong})
	if len(r.Skipped) != 1 || !strings.Contains(r.Skipped[0].Reason, "wrong password") {
		t.Errorf("skipped %v: want wrong password", r.Skipped)
	}
}

func TestScanNamedInputs(t *testing.T) {
	dir := tree(t)
	r := scan(t, []string{filepath.Join(dir, "nope.pem"), filepath.Join(dir, "notes.txt"),
		filepath.Join(dir, "later.pem")}, Options{Now: now, WithinDays: 30})
	if len(r.Errors) != 2 || !errors.Is(r.Errors[0], os.ErrNotExist) {
		t.Fatalf("errors %v: want the missing and the unreadable file", r.Errors)
	}
	if len(r.Items) != 1 || r.Attention() {
		t.Errorf("items %v: want later.pem only, nothing expiring", r.Items)
	}
}

func TestScanTargets(t *testing.T) {
	c, key := cert(t, "live.example.test", 7, time.Now().AddDate(0, 0, 5))
	addr := loopback.Serve(t, loopback.TLS(&tls.Config{Certificates: []tls.Certificate{
		testpki.TLSCertificate(key, c)}}))
	closed := loopback.ClosedAddr(t)
	r := scan(t, []string{addr, closed}, Options{
		Now: time.Now(), WithinDays: 30, Probe: probe.Options{Timeout: 2 * time.Second}, Concurrency: 4})
	if len(r.Items) != 1 || r.Items[0].SubjectCN != "live.example.test" || r.Items[0].Status != StatusExpiring ||
		r.Items[0].Source != addr {
		t.Errorf("items %+v: want the live certificate, expiring", r.Items)
	}
	if r.Unreachable != 1 || len(r.Skipped) != 1 || !strings.Contains(r.Skipped[0].Reason, "connection refused") {
		t.Errorf("skipped %+v unreachable %d: want the closed port", r.Skipped, r.Unreachable)
	}
}

func TestPrometheus(t *testing.T) {
	items := []Item{
		{Source: "/etc/ssl/a.pem", SubjectCN: `we"ird\cn` + "\n", Serial: "1A", NotAfter: time.Unix(1800000000, 0)},
		{Source: "/etc/ssl/a.pem", SubjectCN: `we"ird\cn` + "\n", Serial: "1A", NotAfter: time.Unix(1800000000, 0)},
		{Source: "cms.example.com:443", SubjectCN: "cms.example.com", Serial: "FF", NotAfter: time.Unix(1700000000, 0)},
	}
	want := `# HELP confcert_certificate_not_after_seconds The notAfter time of a certificate, in seconds since the Unix epoch.
# TYPE confcert_certificate_not_after_seconds gauge
confcert_certificate_not_after_seconds{source="/etc/ssl/a.pem",subject_cn="we\"ird\\cn\n",serial="1A"} 1800000000
confcert_certificate_not_after_seconds{source="cms.example.com:443",subject_cn="cms.example.com",serial="FF"} 1700000000
`
	if got := string(Prometheus(items)); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// scan is Scan for tests that are not about its error.
func scan(t *testing.T, args []string, o Options) Report {
	t.Helper()
	r, err := Scan(context.Background(), args, o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
