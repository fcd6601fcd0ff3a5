package certio_test

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/openssltest"
)

func write(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// fixtureChain returns leaf, intermediate and root, and the leaf's key.
func fixtureChain(t *testing.T) ([]*x509.Certificate, crypto.Signer) {
	t.Helper()
	certs := readCerts(t, "chain.pem", certio.Options{})
	f, err := certio.ReadFile("testdata/rsa-pkcs8.pem", certio.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return certs, f.PrivateKeys()[0].PrivateKey
}

// TestCertificatesPEMOpenSSL checks that the clean PEM certio writes is clean
// and that openssl verifies the chain from it.
func TestCertificatesPEMOpenSSL(t *testing.T) {
	openssltest.Need(t)
	certs, _ := fixtureChain(t)
	dir := t.TempDir()
	for i, name := range []string{"leaf.pem", "int.pem", "root.pem"} {
		data := certio.CertificatesPEM(certs[i])
		checkCleanPEM(t, data)
		write(t, dir, name, data)
	}
	if out := openssltest.Run(t, dir, "verify", "-CAfile", "root.pem", "-untrusted", "int.pem", "leaf.pem"); !strings.Contains(out, "leaf.pem: OK") {
		t.Errorf("openssl verify: %s", out)
	}
	all := certio.CertificatesPEM(certs...)
	checkCleanPEM(t, all)
	write(t, dir, "chain.pem", all)
	if n := strings.Count(openssltest.Run(t, dir, "crl2pkcs7", "-nocrl", "-certfile", "chain.pem"), "BEGIN PKCS7"); n != 1 {
		t.Errorf("openssl crl2pkcs7 read %d PKCS7 blocks", n)
	}
}

// checkCleanPEM checks the clean PEM rules: LF only, no blank line, nothing
// outside blocks, one final newline.
func checkCleanPEM(t *testing.T, data []byte) {
	t.Helper()
	s := string(data)
	if strings.Contains(s, "\r") || strings.Contains(s, "\n\n") || !strings.HasPrefix(s, "-----BEGIN ") ||
		!strings.HasSuffix(s, "-----\n") || strings.HasSuffix(s, "\n\n") {
		t.Errorf("not clean PEM:\n%s", s)
	}
}

// TestPrivateKeyPEMOpenSSL checks openssl reads every key format certio
// writes, and finds the same public key.
func TestPrivateKeyPEMOpenSSL(t *testing.T) {
	openssltest.Need(t)
	tests := []struct {
		fixture string
		format  certio.KeyFormat
		header  string
	}{
		{"rsa-pkcs1.pem", certio.PKCS8, "PRIVATE KEY"},
		{"rsa-pkcs8.pem", certio.PKCS1, "RSA PRIVATE KEY"},
		{"ec-pkcs8.pem", certio.SEC1, "EC PRIVATE KEY"},
		{"ec-sec1.pem", certio.PKCS8, "PRIVATE KEY"},
		{"ed25519.pem", certio.PKCS8, "PRIVATE KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.fixture+"->"+string(tt.format), func(t *testing.T) {
			f, err := certio.ReadFile(filepath.Join("testdata", tt.fixture), certio.Options{})
			if err != nil {
				t.Fatal(err)
			}
			key := f.PrivateKeys()[0].PrivateKey
			data, err := certio.PrivateKeyPEMIn(key, tt.format)
			if err != nil {
				t.Fatal(err)
			}
			checkCleanPEM(t, data)
			if !strings.HasPrefix(string(data), "-----BEGIN "+tt.header+"-----\n") {
				t.Errorf("block type: %s", strings.SplitN(string(data), "\n", 2)[0])
			}
			dir := t.TempDir()
			write(t, dir, "key.pem", data)
			pub := openssltest.Run(t, dir, "pkey", "-in", "key.pem", "-pubout")
			want := openssltest.Run(t, "testdata", "pkey", "-in", tt.fixture, "-pubout")
			if pub != want {
				t.Errorf("openssl sees another public key:\n%s\nwant\n%s", pub, want)
			}
		})
	}
}

// TestPrivateKeyPEMInRefusesWrongFamily checks PKCS#1 and SEC1 refuse keys
// they cannot hold.
func TestPrivateKeyPEMInRefusesWrongFamily(t *testing.T) {
	ec, err := certio.ReadFile("testdata/ec-pkcs8.pem", certio.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := certio.PrivateKeyPEMIn(ec.PrivateKeys()[0].PrivateKey, certio.PKCS1); err == nil {
		t.Error("PKCS#1 accepted an EC key")
	}
	_, key := fixtureChain(t)
	if _, err := certio.PrivateKeyPEMIn(key, certio.SEC1); err == nil {
		t.Error("SEC1 accepted an RSA key")
	}
}

// TestCSRPEMOpenSSL checks openssl verifies the signature of a CSR written
// by certio.
func TestCSRPEMOpenSSL(t *testing.T) {
	openssltest.Need(t)
	f, err := certio.ReadFile("testdata/leaf-csr.der", certio.Options{})
	if err != nil {
		t.Fatal(err)
	}
	data := certio.CSRPEM(f.CSRs()[0].Raw)
	checkCleanPEM(t, data)
	dir := t.TempDir()
	write(t, dir, "req.pem", data)
	cmd := exec.Command("openssl", "req", "-in", "req.pem", "-verify", "-noout")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "verify OK") {
		t.Errorf("openssl req -verify: %v\n%s", err, out)
	}
}

// TestPKCS7OpenSSL checks openssl reads the .p7b certio writes, with the
// certificates in the order given.
func TestPKCS7OpenSSL(t *testing.T) {
	openssltest.Need(t)
	certs, _ := fixtureChain(t)
	der, err := certio.EncodePKCS7(certs...)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write(t, dir, "chain.p7b", der)
	out := openssltest.Run(t, dir, "pkcs7", "-inform", "DER", "-in", "chain.p7b", "-print_certs", "-noout")
	subjects := []string{"cms.example.com", "Fixture Intermediate CA", "Fixture Root CA"}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var got []string
	for _, l := range lines {
		if strings.HasPrefix(l, "subject=") {
			got = append(got, l)
		}
	}
	if len(got) != len(subjects) {
		t.Fatalf("openssl found %d certificates:\n%s", len(got), out)
	}
	for i, s := range subjects {
		if !strings.HasSuffix(got[i], "CN = "+s) {
			t.Errorf("certificate %d: %s, want CN %s", i, got[i], s)
		}
	}
	back, err := certio.Parse("chain.p7b", der, certio.Options{})
	if err != nil || back.Encoding != certio.PKCS7 || len(back.Certificates()) != 3 {
		t.Errorf("certio reads its own PKCS#7 as %+v, %v", back, err)
	}
}

// TestPKCS12OpenSSL checks openssl opens the modern and legacy PKCS#12 files
// certio writes, and finds the key and the three certificates.
func TestPKCS12OpenSSL(t *testing.T) {
	openssltest.Need(t)
	certs, key := fixtureChain(t)
	for _, legacy := range []bool{false, true} {
		pfx, err := certio.EncodePKCS12(key, certs[0], certs[1:], "s3cret", legacy)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		write(t, dir, "id.p12", pfx)
		args := []string{"pkcs12", "-in", "id.p12", "-passin", "pass:s3cret", "-nodes"}
		if legacy {
			args = append(args, "-legacy")
		}
		out := openssltest.Run(t, dir, args...)
		if strings.Count(out, "BEGIN CERTIFICATE") != 3 || strings.Count(out, "BEGIN PRIVATE KEY") != 1 {
			t.Errorf("legacy=%t: openssl pkcs12 output:\n%s", legacy, out)
		}
		back, err := certio.Parse("id.p12", pfx, certio.Options{Password: func() ([]byte, error) { return []byte("s3cret"), nil }})
		if err != nil || len(back.Certificates()) != 3 || len(back.PrivateKeys()) != 1 {
			t.Errorf("legacy=%t: certio reads its own PKCS#12 as %+v, %v", legacy, back, err)
		}
	}
}

// TestPKCS12MACIterations checks both forms use a MAC of 2048 iterations,
// as `openssl pkcs12 -export [-legacy]` writes (issue 11 item 14: the legacy
// form once had 1), as openssl's ASN.1 dump shows.
func TestPKCS12MACIterations(t *testing.T) {
	openssltest.Need(t)
	certs, key := fixtureChain(t)
	for _, legacy := range []bool{false, true} {
		pfx, err := certio.EncodePKCS12(key, certs[0], certs[1:], "s3cret", legacy)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		write(t, dir, "id.p12", pfx)
		// The MAC's iteration count is the PFX's last field.
		out := strings.TrimSpace(openssltest.Run(t, dir, "asn1parse", "-inform", "DER", "-in", "id.p12"))
		last := out[strings.LastIndex(out, "\n")+1:]
		if !strings.HasSuffix(last, "INTEGER           :0800") {
			t.Errorf("legacy=%t: openssl asn1parse ends with %q, want the MAC iterations 2048 (0x800)", legacy, last)
		}
	}
}

// TestToCRLF checks CRLF output reads back to the same certificates.
func TestToCRLF(t *testing.T) {
	certs, _ := fixtureChain(t)
	crlf := certio.ToCRLF(certio.CertificatesPEM(certs...))
	if bytes.Count(crlf, []byte("\r\n")) != bytes.Count(crlf, []byte("\n")) {
		t.Error("a line does not end in CRLF")
	}
	back, err := certio.Parse("crlf.pem", crlf, certio.Options{})
	if err != nil || len(back.Certificates()) != 3 {
		t.Fatalf("reading CRLF back: %v", err)
	}
}
