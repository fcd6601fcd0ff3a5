package certio_test

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/golden"
	"github.com/confcert/confcert/internal/keys"
)

// fixturePassword is the password gen.sh encrypts every fixture with.
func fixturePassword(t testing.TB) func() ([]byte, error) {
	pw, err := os.ReadFile("testdata/password.txt")
	if err != nil {
		t.Fatal(err)
	}
	return func() ([]byte, error) { return pw, nil }
}

func wrongPassword() ([]byte, error) { return []byte("not-the-password"), nil }

// TestReadFixtures reads every shape gen.sh writes (openssl's output) and
// checks the encoding and the kind and format of each object.
func TestReadFixtures(t *testing.T) {
	tests := []struct {
		file     string
		password bool
		encoding certio.Encoding
		objects  string // kind[/key format[/locked]] per object
		locked   bool
	}{
		{file: "chain.pem", encoding: certio.PEM, objects: "certificate certificate certificate"},
		{file: "chain-crlf.pem", encoding: certio.PEM, objects: "certificate certificate certificate"},
		{file: "chain-text.pem", encoding: certio.PEM, objects: "certificate certificate"},
		{file: "bag-attributes.pem", encoding: certio.PEM, objects: "certificate certificate certificate"},
		{file: "trusted.pem", encoding: certio.PEM, objects: "certificate"},
		{file: "mixed.pem", encoding: certio.PEM, objects: "private-key/pkcs8 certificate csr"},
		{file: "leaf.csr", encoding: certio.PEM, objects: "csr"},
		{file: "new-csr.pem", encoding: certio.PEM, objects: "csr"},
		{file: "leaf.der", encoding: certio.DER, objects: "certificate"},
		{file: "leaf-csr.der", encoding: certio.DER, objects: "csr"},
		{file: "rsa-pkcs1.der", encoding: certio.DER, objects: "private-key/pkcs1"},
		{file: "rsa-pkcs8.der", encoding: certio.DER, objects: "private-key/pkcs8"},
		{file: "ec-sec1.der", encoding: certio.DER, objects: "private-key/sec1"},
		{file: "chain.p7b", encoding: certio.PKCS7, objects: "certificate certificate certificate"},
		{file: "chain-p7b.pem", encoding: certio.PKCS7, objects: "certificate certificate certificate"},
		{file: "modern.p12", password: true, encoding: certio.PKCS12,
			objects: "private-key/pkcs8 certificate certificate certificate"},
		{file: "legacy.p12", password: true, encoding: certio.PKCS12,
			objects: "private-key/pkcs8 certificate certificate certificate"},
		{file: "modern.p12", encoding: certio.PKCS12, objects: "", locked: true},
		{file: "legacy.p12", encoding: certio.PKCS12, objects: "", locked: true},
		{file: "rsa-pkcs1.pem", encoding: certio.PEM, objects: "private-key/pkcs1"},
		{file: "rsa-pkcs8.pem", encoding: certio.PEM, objects: "private-key/pkcs8"},
		{file: "ec-sec1.pem", encoding: certio.PEM, objects: "private-key/sec1"},
		{file: "ec-pkcs8.pem", encoding: certio.PEM, objects: "private-key/pkcs8"},
		{file: "ed25519.pem", encoding: certio.PEM, objects: "private-key/pkcs8"},
		{file: "rsa-pkcs8-enc.pem", password: true, encoding: certio.PEM, objects: "private-key/encrypted-pkcs8"},
		{file: "rsa-pkcs8-enc.pem", encoding: certio.PEM, objects: "private-key/encrypted-pkcs8/locked", locked: true},
		{file: "ec-pkcs8-enc.der", password: true, encoding: certio.DER, objects: "private-key/encrypted-pkcs8"},
		{file: "ec-pkcs8-enc.der", encoding: certio.DER, objects: "private-key/encrypted-pkcs8/locked", locked: true},
		{file: "rsa-legacy-enc.pem", password: true, encoding: certio.PEM, objects: "private-key/legacy-encrypted-pem"},
		{file: "rsa-legacy-enc.pem", encoding: certio.PEM, objects: "private-key/legacy-encrypted-pem/locked", locked: true},
		{file: "ec-legacy-enc.pem", password: true, encoding: certio.PEM, objects: "private-key/legacy-encrypted-pem"},
		{file: "rsa-pub.pem", encoding: certio.PEM, objects: "public-key"},
		// Refused before issue 11 (item 13); gen-more.sh writes them.
		{file: "pbes1-3des.pem", password: true, encoding: certio.PEM, objects: "private-key/encrypted-pkcs8"},
		{file: "pbes1-3des.pem", encoding: certio.PEM, objects: "private-key/encrypted-pkcs8/locked", locked: true},
		{file: "pbes1-3des.der", password: true, encoding: certio.DER, objects: "private-key/encrypted-pkcs8"},
		{file: "certonly.p12", password: true, encoding: certio.PKCS12, objects: "certificate certificate certificate"},
		{file: "certonly.p12", encoding: certio.PKCS12, objects: "", locked: true},
		{file: "nomac.p12", password: true, encoding: certio.PKCS12, objects: "private-key/pkcs8 certificate certificate"},
		{file: "nomac.p12", encoding: certio.PKCS12, objects: "", locked: true},
		{file: "nomac-legacy.p12", password: true, encoding: certio.PKCS12, objects: "private-key/pkcs8 certificate"},
		// A Java keystore (testdata/genjks writes it).
		{file: "keystore.jks", password: true, encoding: certio.JKS, objects: "private-key/pkcs8 certificate certificate certificate certificate"},
		{file: "keystore.jks", encoding: certio.JKS, objects: "", locked: true},
		{file: "ed25519-pub.der", encoding: certio.DER, objects: "public-key"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/password=%t", tt.file, tt.password), func(t *testing.T) {
			var opts certio.Options
			if tt.password {
				opts.Password = fixturePassword(t)
			}
			f, err := certio.ReadFile(filepath.Join("testdata", tt.file), opts)
			if err != nil {
				t.Fatal(err)
			}
			if f.Encoding != tt.encoding || f.Locked != tt.locked {
				t.Errorf("encoding %s locked %t, want %s %t", f.Encoding, f.Locked, tt.encoding, tt.locked)
			}
			if got := objectList(f); got != tt.objects {
				t.Errorf("objects %q, want %q", got, tt.objects)
			}
			checkIndexes(t, f)
		})
	}
}

func objectList(f *certio.File) string {
	var parts []string
	for _, o := range f.Objects {
		s := string(o.Kind)
		if o.Kind == certio.KindPrivateKey {
			s += "/" + string(o.KeyFormat)
			if o.PrivateKey == nil {
				s += "/locked"
			}
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func checkIndexes(t *testing.T, f *certio.File) {
	t.Helper()
	for i, o := range f.Objects {
		if o.Index != i {
			t.Errorf("object %d has Index %d", i, o.Index)
		}
	}
}

// TestChainsAgree checks that every file holding the fixture chain yields the
// very same certificates, whatever its shape.
func TestChainsAgree(t *testing.T) {
	want := readCerts(t, "chain.pem", certio.Options{})
	for _, name := range []string{"chain-crlf.pem", "bag-attributes.pem", "chain.p7b", "chain-p7b.pem", "modern.p12", "legacy.p12"} {
		got := readCerts(t, name, certio.Options{Password: fixturePassword(t)})
		if len(got) != len(want) {
			t.Errorf("%s: %d certificates, want %d", name, len(got), len(want))
			continue
		}
		for i := range got {
			if !bytes.Equal(got[i].Raw, want[i].Raw) {
				t.Errorf("%s: certificate %d differs from chain.pem", name, i)
			}
		}
	}
}

// TestKeysMatchLeaf checks that every RSA key fixture, once opened, is the
// leaf certificate's key.
func TestKeysMatchLeaf(t *testing.T) {
	leaf := readCerts(t, "leaf.pem", certio.Options{})[0]
	for _, name := range []string{"rsa-pkcs1.pem", "rsa-pkcs1.der", "rsa-pkcs8.pem", "rsa-pkcs8.der",
		"rsa-pkcs8-enc.pem", "rsa-legacy-enc.pem", "mixed.pem", "modern.p12", "legacy.p12"} {
		f, err := certio.ReadFile(filepath.Join("testdata", name), certio.Options{Password: fixturePassword(t)})
		if err != nil {
			t.Fatal(err)
		}
		k := f.PrivateKeys()
		if len(k) != 1 || !keys.Match(k[0].PrivateKey, leaf.PublicKey) {
			t.Errorf("%s: key does not match leaf.pem", name)
		}
	}
}

func readCerts(t *testing.T, name string, opts certio.Options) []*x509.Certificate {
	t.Helper()
	f, err := certio.ReadFile(filepath.Join("testdata", name), opts)
	if err != nil {
		t.Fatal(err)
	}
	return f.Certificates()
}

// TestWrongPassword checks every encrypted shape refuses a wrong password
// with ErrWrongPassword.
func TestWrongPassword(t *testing.T) {
	for _, name := range []string{"modern.p12", "legacy.p12", "rsa-pkcs8-enc.pem", "ec-pkcs8-enc.der",
		"rsa-legacy-enc.pem", "ec-legacy-enc.pem", "pbes1-3des.pem", "pbes1-3des.der", "certonly.p12",
		"nomac.p12", "nomac-legacy.p12", "keystore.jks"} {
		_, err := certio.ReadFile(filepath.Join("testdata", name), certio.Options{Password: wrongPassword})
		if !errors.Is(err, certio.ErrWrongPassword) {
			t.Errorf("%s: err = %v, want ErrWrongPassword", name, err)
		}
		var fe *certio.FileError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v does not name the file", name, err)
		}
	}
}

// TestCostlyKeyDerivation checks a key asking for more PBKDF2 iterations
// than certio allows is refused before any work, password or not.
func TestCostlyKeyDerivation(t *testing.T) {
	for _, opts := range []certio.Options{{}, {Password: fixturePassword(t)}} {
		_, err := certio.ReadFile("testdata/costly-pkcs8-enc.pem", opts)
		if err == nil || !strings.Contains(err.Error(), "unreasonable iteration count") {
			t.Errorf("err = %v, want a refusal of the iteration count", err)
		}
	}
}

// TestKDFBudgetIsPerFile checks the iteration budget counts every key in a
// file: 20 keys of 60,000 iterations each (1.2M in all) are refused before
// any is derived, while one such key alone is read.
func TestKDFBudgetIsPerFile(t *testing.T) {
	_, err := certio.ReadFile("testdata/kdf-budget.pem", certio.Options{Password: fixturePassword(t)})
	if err == nil || !strings.Contains(err.Error(), "unreasonable iteration count") {
		t.Errorf("20 keys at 60,000 iterations: err = %v, want a refusal of the iteration count", err)
	}
	data, err := os.ReadFile("testdata/kdf-budget.pem")
	if err != nil {
		t.Fatal(err)
	}
	one := data[:bytes.Index(data, []byte("-----END ENCRYPTED PRIVATE KEY-----"))+len("-----END ENCRYPTED PRIVATE KEY-----\n")]
	if _, err := certio.Parse("one.pem", one, certio.Options{Password: fixturePassword(t)}); err != nil {
		t.Errorf("one key at 60,000 iterations: %v", err)
	}
}

// TestPasswordSourceFails checks a failing password source is reported, not
// taken for a wrong password.
func TestPasswordSourceFails(t *testing.T) {
	noPassword := errors.New("no password here")
	_, err := certio.ReadFile("testdata/modern.p12", certio.Options{Password: func() ([]byte, error) { return nil, noPassword }})
	if !errors.Is(err, noPassword) || !errors.Is(err, certio.ErrNeedsPassword) {
		t.Errorf("err = %v, want ErrNeedsPassword wrapping the source's error", err)
	}
}

// TestBadInput checks that input which is not a PKI file is refused with an
// error naming the file.
func TestBadInput(t *testing.T) {
	leafPEM, err := os.ReadFile("testdata/leaf.pem")
	if err != nil {
		t.Fatal(err)
	}
	chainPEM, err := os.ReadFile("testdata/chain.pem")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		data    []byte
		unknown bool
	}{
		{name: "empty", data: nil},
		{name: "text", data: []byte("hello, this is not a certificate\n"), unknown: true},
		{name: "truncated PEM", data: leafPEM[:len(leafPEM)/2]},
		{name: "damaged first block", data: append(bytes.Replace(leafPEM, []byte("M"), []byte("!"), 1), chainPEM...)},
		{name: "wrong block type", data: bytes.ReplaceAll(leafPEM, []byte("CERTIFICATE"), []byte("CERTIFICATE REQUEST"))},
		{name: "unknown block type", data: bytes.ReplaceAll(leafPEM, []byte("CERTIFICATE"), []byte("X509 CRL"))},
		{name: "random DER-looking bytes", data: []byte{0x30, 0x03, 0x02, 0x01, 0x05}, unknown: true},
		{name: "UTF-16 PEM without its byte-order mark", data: utf16(leafPEM)[2:], unknown: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := certio.Parse("in.pem", tt.data, certio.Options{})
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), "in.pem: ") {
				t.Errorf("error %q does not name the file", err)
			}
			if tt.unknown && !errors.Is(err, certio.ErrUnknownFormat) {
				t.Errorf("err = %v, want ErrUnknownFormat", err)
			}
		})
	}
}

// utf16 encodes ASCII text as UTF-16LE with a byte order mark, as Windows
// editors save it.
func utf16(ascii []byte) []byte {
	out := []byte{0xff, 0xfe}
	for _, c := range ascii {
		out = append(out, c, 0)
	}
	return out
}

// TestGolden compares what certio reads from every fixture (with the
// password) with testdata/read.golden; go test -update rewrites it.
func TestGolden(t *testing.T) {
	names, err := filepath.Glob("testdata/*")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, path := range names {
		name := filepath.Base(path)
		if skipGolden(name) {
			continue
		}
		f, err := certio.ReadFile(path, certio.Options{Password: fixturePassword(t)})
		if err != nil {
			fmt.Fprintf(&b, "%s: error: %v\n", name, errors.Unwrap(err))
			continue
		}
		fmt.Fprintf(&b, "%s: %s locked=%t\n", name, f.Encoding, f.Locked)
		for _, o := range f.Objects {
			fmt.Fprintf(&b, "  [%d] %s\n", o.Index, summary(o))
		}
	}
	golden.Compare(t, "testdata/read.golden", []byte(b.String()))
}

func skipGolden(name string) bool {
	return strings.HasSuffix(name, ".sh") || name == "genjks" || name == "password.txt" || strings.HasSuffix(name, ".golden") || name == "fuzz"
}

func summary(o certio.Object) string {
	s := string(o.Kind)
	switch {
	case o.Certificate != nil:
		s += " subject=" + o.Certificate.Subject.String() + " issuer=" + o.Certificate.Issuer.String()
	case o.CSR != nil:
		s += " subject=" + o.CSR.Subject.String()
	case o.Kind == certio.KindPrivateKey:
		s += fmt.Sprintf(" format=%s encrypted=%t", o.KeyFormat, o.Encrypted)
	}
	if o.PublicKey != nil {
		s += " key=" + keys.Label(o.PublicKey)
	}
	return s
}
