package certio

import (
	"bytes"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pavlo-v-chernykh/keystore-go/v4"
	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/confcert/confcert/internal/testpki"
)

// javaKeystore writes a JKS with a key entry (key and chain) and a trusted
// root, as keytool does, protected by storePass.
func javaKeystore(t testing.TB, storePass string) ([]byte, *testpki.Issued, *testpki.Issued) {
	t.Helper()
	root := testpki.Issue(t, testpki.CATemplate("Java Root"), nil)
	leaf := testpki.Issue(t, testpki.LeafTemplate("app.example.com"), root)
	keyDER, err := x509.MarshalPKCS8PrivateKey(leaf.Key)
	if err != nil {
		t.Fatal(err)
	}
	ks := keystore.New()
	now := time.Now()
	if err := ks.SetPrivateKeyEntry("app", keystore.PrivateKeyEntry{CreationTime: now, PrivateKey: keyDER,
		CertificateChain: []keystore.Certificate{{Type: "X509", Content: leaf.Cert.Raw}, {Type: "X509", Content: root.Cert.Raw}}},
		[]byte(storePass)); err != nil {
		t.Fatal(err)
	}
	if err := ks.SetTrustedCertificateEntry("root", keystore.TrustedCertificateEntry{CreationTime: now,
		Certificate: keystore.Certificate{Type: "X509", Content: root.Cert.Raw}}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := ks.Store(&buf, []byte(storePass)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), leaf, root
}

func pw(s string) func() ([]byte, error) { return func() ([]byte, error) { return []byte(s), nil } }

// Java keystores are read (issue 11 item 13): with Java's default password
// without asking, with the password source otherwise; locked without one;
// a wrong password says so.
func TestReadJavaKeystore(t *testing.T) {
	for _, storePass := range []string{"changeit", "s3cret-store"} {
		data, leaf, _ := javaKeystore(t, storePass)
		f, err := Parse("app.jks", data, Options{Password: pw(storePass)})
		if err != nil {
			t.Fatalf("%s: %v", storePass, err)
		}
		if f.Encoding != JKS || len(f.PrivateKeys()) != 1 || f.PrivateKeys()[0].PrivateKey == nil || len(f.Certificates()) != 3 {
			t.Fatalf("%s: read %s with %d keys and %d certificates, want JKS, 1 opened key, 3 certificates",
				storePass, f.Encoding, len(f.PrivateKeys()), len(f.Certificates()))
		}
		if !f.Certificates()[0].Equal(leaf.Cert) {
			t.Errorf("%s: the first certificate is not the key entry's leaf", storePass)
		}
	}
	data, _, _ := javaKeystore(t, "s3cret-store")
	if f, err := Parse("app.jks", data, Options{}); err != nil || !f.Locked {
		t.Errorf("without a password: %+v, %v; want Locked", f, err)
	}
	if _, err := Parse("app.jks", data, Options{Password: pw("wrong")}); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("wrong password: %v, want ErrWrongPassword", err)
	}
	if f, err := Parse("cacerts", mustJKS(t, "changeit"), Options{}); err != nil || f.Locked {
		t.Errorf("a changeit truststore without a password source: %+v, %v; want it read", f, err)
	}
}

func mustJKS(t testing.TB, pass string) []byte {
	data, _, _ := javaKeystore(t, pass)
	return data
}

// A Java PKCS#12 truststore (certificates marked trusted for Java) is read.
func TestReadJavaPKCS12Truststore(t *testing.T) {
	root := testpki.Issue(t, testpki.CATemplate("Trust Root"), nil)
	other := testpki.Issue(t, testpki.CATemplate("Other Root"), nil)
	data, err := pkcs12.Modern.EncodeTrustStore([]*x509.Certificate{root.Cert, other.Cert}, "changeit")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse("truststore.p12", data, Options{Password: pw("changeit")})
	if err != nil || len(f.Certificates()) != 2 {
		t.Fatalf("read %+v, %v; want 2 certificates", f, err)
	}
}

// Hostile keystores: a stated length of 4 GiB or an entry count of 4
// billion is refused before the library allocates it; JCEKS says what to do.
func TestHostileJavaKeystores(t *testing.T) {
	data := mustJKS(t, "changeit")
	huge := append([]byte{}, data...)
	binary.BigEndian.PutUint32(huge[8:], 0xffffffff) // entry count
	longAlias := append([]byte{}, data[:12]...)
	longAlias = append(longAlias, 0, 0, 0, 2, 0xff, 0xff) // a trusted entry whose alias claims 65535 bytes
	certLen := append([]byte{}, data[:12]...)
	certLen = append(certLen, 0, 0, 0, 2, 0, 1, 'a', 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 'X', '.', '5', '0', '9', 0xff, 0xff, 0xff, 0xff)
	jceks := append([]byte{0xce, 0xce, 0xce, 0xce}, data[4:]...)
	for name, d := range map[string][]byte{"entry count": huge, "alias length": longAlias, "certificate length": certLen, "truncated": data[:len(data)-1]} {
		if _, err := Parse("bad.jks", d, Options{Password: pw("changeit")}); !errors.Is(err, errJKSDamaged) {
			t.Errorf("%s: %v, want errJKSDamaged", name, err)
		}
	}
	if _, err := Parse("old.jceks", jceks, Options{}); err == nil || !strings.Contains(err.Error(), "keytool -importkeystore") {
		t.Errorf("JCEKS: %v, want the keytool conversion named", err)
	}
}

// FuzzParseJKS feeds damaged Java keystores: no panic, no allocation beyond
// the input (scanJKS), and a read keystore's objects are whole.
func FuzzParseJKS(f *testing.F) {
	f.Add(mustJKS(f, "changeit"))
	f.Add(mustJKS(f, "other"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if !isJavaKeystore(data) {
			return
		}
		file, err := Parse("fuzz.jks", data, Options{Password: pw("changeit")})
		if err != nil {
			return
		}
		for _, o := range file.Objects {
			if o.Kind == KindCertificate && o.Certificate == nil {
				t.Fatal("a certificate object without its certificate")
			}
		}
	})
}
