package certio_test

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/certio"
)

// hostileSeeds are inputs built to hurt a parser: truncated and mislabelled
// blocks, ASN.1 nesting bombs, random bytes, huge lines and UTF-16 text. size
// scales the big ones: the fuzzer mutates small inputs far faster.
func hostileSeeds(t testing.TB, size int) map[string][]byte {
	leaf, err := os.ReadFile("testdata/leaf.pem")
	if err != nil {
		t.Fatal(err)
	}
	p12, err := os.ReadFile("testdata/modern.p12")
	if err != nil {
		t.Fatal(err)
	}
	p7, err := os.ReadFile("testdata/chain.p7b")
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{
		"truncated PEM":           leaf[:len(leaf)/2],
		"truncated PKCS#12":       p12[:len(p12)/2],
		"truncated PKCS#7":        p7[:len(p7)-7],
		"cert labelled as key":    bytes.ReplaceAll(leaf, []byte("CERTIFICATE"), []byte("PRIVATE KEY")),
		"cert labelled as PKCS7":  bytes.ReplaceAll(leaf, []byte("CERTIFICATE"), []byte("PKCS7")),
		"cert labelled encrypted": bytes.ReplaceAll(leaf, []byte("CERTIFICATE"), []byte("ENCRYPTED PRIVATE KEY")),
		"definite nesting bomb":   nestingBomb(size / 50),
		"indefinite nesting bomb": bytes.Repeat([]byte{0x30, 0x80}, size/20),
		"nesting bomb in PEM":     pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: nestingBomb(size / 50)}),
		"nesting bomb in PKCS7":   pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: bytes.Repeat([]byte{0x30, 0x80}, size/20)}),
		"huge length":             {0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02, 0x01, 0x03},
		"random bytes":            {0x9c, 0x30, 0x11, 0xfe, 0x00, 0x7a, 0x30, 0x82, 0xff, 0x01, 0x42, 0x17},
		"huge line":               []byte("-----BEGIN CERTIFICATE-----\n" + strings.Repeat("QUFB", size/4) + "\n-----END CERTIFICATE-----\n"),
		"huge text line":          []byte(strings.Repeat("x", size) + "-----BEGIN "),
		"UTF-16 PEM without BOM":  utf16(leaf)[2:],
		"BEGIN without END":       []byte("-----BEGIN CERTIFICATE-----\nMIIB\n"),
		"many BEGIN":              bytes.Repeat([]byte("-----BEGIN X-----\n"), size/100),
	}
}

// nestingBomb returns depth nested DER SEQUENCEs, built back to front.
func nestingBomb(depth int) []byte {
	rev := []byte{0x00, 0x05} // NULL, reversed
	for range depth {
		rev = append(rev, reversedHeader(0x30, len(rev))...)
	}
	out := make([]byte, len(rev))
	for i, b := range rev {
		out[len(rev)-1-i] = b
	}
	return out
}

// reversedHeader returns a DER tag and length, byte order reversed.
func reversedHeader(tag byte, n int) []byte {
	switch {
	case n < 0x80:
		return []byte{byte(n), tag}
	case n < 0x100:
		return []byte{byte(n), 0x81, tag}
	case n < 0x10000:
		return []byte{byte(n), byte(n >> 8), 0x82, tag}
	}
	return []byte{byte(n), byte(n >> 8), byte(n >> 16), 0x83, tag}
}

// TestHostileInput checks each hostile input is refused with an error that
// names the file, without a panic.
func TestHostileInput(t *testing.T) {
	for name, data := range hostileSeeds(t, 1<<20) {
		t.Run(name, func(t *testing.T) {
			f, err := certio.Parse("hostile", data, certio.Options{Password: fixturePassword(t), MaxKDFIterations: fuzzKDFIterations})
			if err == nil {
				t.Fatalf("accepted: %s", objectList(f))
			}
			var fe *certio.FileError
			if !errors.As(err, &fe) || fe.Name != "hostile" {
				t.Errorf("error %v is not a FileError naming the file", err)
			}
		})
	}
}

// addSeeds adds every fixture whose name matches one of the patterns, and
// the hostile seeds.
// fuzzKDFIterations is the key-derivation cap of the fuzz targets: above
// the fixtures' 2,048 iterations, far below the default.
const fuzzKDFIterations = 10_000

func addSeeds(f *testing.F, patterns ...string) {
	for _, p := range patterns {
		names, err := filepath.Glob(filepath.Join("testdata", p))
		if err != nil {
			f.Fatal(err)
		}
		for _, name := range names {
			data, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	for _, data := range hostileSeeds(f, 1<<12) {
		f.Add(data)
	}
}

// fuzzParse parses data with and without a password and checks what a
// successful read promises.
func fuzzParse(t *testing.T, data []byte) {
	// A low KDF cap keeps each run fast: under coverage instrumentation a
	// mutated iteration count near the default cap takes tens of seconds.
	for _, opts := range []certio.Options{{MaxKDFIterations: fuzzKDFIterations}, {Password: fixturePassword(t), MaxKDFIterations: fuzzKDFIterations}} {
		f, err := certio.Parse("fuzz", data, opts)
		if err != nil {
			var fe *certio.FileError
			if !errors.As(err, &fe) || fe.Name != "fuzz" {
				t.Fatalf("error %v is not a FileError naming the file", err)
			}
			continue
		}
		checkFile(t, f)
	}
}

func checkFile(t *testing.T, f *certio.File) {
	if len(f.Objects) == 0 && !f.Locked {
		t.Fatal("read succeeded with no objects and not locked")
	}
	for i, o := range f.Objects {
		if o.Index != i {
			t.Fatalf("object %d has Index %d", i, o.Index)
		}
		ok := false
		switch o.Kind {
		case certio.KindCertificate:
			ok = o.Certificate != nil
		case certio.KindCSR:
			ok = o.CSR != nil
		case certio.KindPrivateKey:
			ok = o.PrivateKey != nil || o.Encrypted
		case certio.KindPublicKey:
			ok = o.PublicKey != nil
		}
		if !ok {
			t.Fatalf("object %d: kind %s without its content", i, o.Kind)
		}
	}
}

// FuzzParse feeds every fixture shape and the hostile seeds to certio.Parse.
func FuzzParse(f *testing.F) {
	addSeeds(f, "*.pem", "*.der", "*.csr", "*.p7b", "*.p12", "*.txt")
	f.Fuzz(fuzzParse)
}

// FuzzParsePEM starts from the PEM fixtures: mixed blocks, CRLF, openssl's
// Bag Attributes text, TRUSTED CERTIFICATE, encrypted keys.
func FuzzParsePEM(f *testing.F) {
	addSeeds(f, "*.pem", "*.csr")
	f.Fuzz(fuzzParse)
}

// FuzzParseDER starts from the DER certificates, CSRs and keys.
func FuzzParseDER(f *testing.F) {
	addSeeds(f, "*.der")
	f.Fuzz(fuzzParse)
}

// FuzzParsePKCS7 starts from the PKCS#7 fixtures, DER and PEM.
func FuzzParsePKCS7(f *testing.F) {
	addSeeds(f, "*.p7b", "chain-p7b.pem")
	f.Fuzz(fuzzParse)
}

// FuzzParsePKCS12 starts from the legacy and modern PKCS#12 fixtures.
func FuzzParsePKCS12(f *testing.F) {
	addSeeds(f, "*.p12")
	f.Fuzz(fuzzParse)
}

// FuzzReadIndexFields checks the first-pass walker agrees with
// x509.ParseCertificate on every certificate the latter accepts.
func FuzzReadIndexFields(f *testing.F) {
	names, err := filepath.Glob("testdata/*.pem")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		for rest := data; ; {
			var b *pem.Block
			if b, rest = pem.Decode(rest); b == nil {
				break
			}
			f.Add(b.Bytes)
		}
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		got, gotErr := certio.ReadIndexFields(der)
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return
		}
		if gotErr != nil {
			t.Fatalf("x509 parses the certificate, ReadIndexFields says %v", gotErr)
		}
		if !bytes.Equal(got.Subject, c.RawSubject) || !bytes.Equal(got.SubjectKeyID, c.SubjectKeyId) ||
			!bytes.Equal(got.PublicKey, c.RawSubjectPublicKeyInfo) {
			t.Fatalf("ReadIndexFields = %x %x %x; x509 gives %x %x %x", got.Subject, got.SubjectKeyID, got.PublicKey,
				c.RawSubject, c.SubjectKeyId, c.RawSubjectPublicKeyInfo)
		}
	})
}
