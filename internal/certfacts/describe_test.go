package certfacts_test

import (
	"github.com/confcert/confcert/internal/validity"

	"bytes"
	"crypto/x509"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/certfacts"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/golden"
	"github.com/confcert/confcert/internal/openssltest"
	"github.com/confcert/confcert/internal/ui"
)

// now is the fixed clock of the golden files: the certio fixtures were made
// on 2026-11-23 and last 10 to 20 years.
var now = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)

func read(t *testing.T, path string) *certio.File {
	t.Helper()
	pw, err := os.ReadFile("../certio/testdata/password.txt")
	if err != nil {
		t.Fatal(err)
	}
	f, err := certio.ReadFile(path, certio.Options{Password: func() ([]byte, error) { return pw, nil }})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestIssuedByIndex(t *testing.T) {
	tests := []struct {
		file string
		want []any // per object: issued_by_index, or "-" for objects that are not certificates
	}{
		{"../certio/testdata/chain.pem", []any{1, 2, 2}},
		{"../certio/testdata/mixed.pem", []any{"-", nil, "-"}},
		{"../certio/testdata/modern.p12", []any{"-", 2, 3, 3}},
		{"testdata/sha1-chain.pem", []any{1, 1}},
	}
	for _, tt := range tests {
		r := certfacts.File(read(t, tt.file), now)
		for i, o := range r.Objects {
			c, ok := o.(*certfacts.Certificate)
			var got any = "-"
			if ok {
				got = nil
				if c.IssuedByIndex != nil {
					got = *c.IssuedByIndex
				}
			}
			if got != tt.want[i] {
				t.Errorf("%s [%d]: issued_by_index %v, want %v", tt.file, i, got, tt.want[i])
			}
		}
	}
}

// TestIssuedByShuffledAndDuplicated checks the index finds issuers in any
// order, among duplicates, and leaves strays without one.
func TestIssuedByShuffledAndDuplicated(t *testing.T) {
	c := read(t, "../certio/testdata/chain.pem").Certificates()
	leaf, inter, root := c[0], c[1], c[2]
	stray := read(t, "testdata/quoted.pem").Certificates()[0]
	certs := []*x509.Certificate{root, leaf, stray, inter, leaf, root}
	got := certfacts.IssuedBy(certs)
	want := []int{0, 3, 2, 0, 3, 5}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("IssuedBy = %v, want %v", got, want)
			break
		}
	}
	if got := certfacts.IssuedBy([]*x509.Certificate{leaf, root}); got[0] != -1 {
		t.Errorf("leaf without its intermediate: issuer %d, want -1", got[0])
	}
}

func TestValidity(t *testing.T) {
	leaf := read(t, "../certio/testdata/leaf.pem").Certificates()[0]
	tests := []struct {
		at                   time.Time
		days                 int
		expired, notYetValid bool
	}{
		{leaf.NotAfter.Add(-36 * time.Hour), 1, false, false},
		{leaf.NotAfter.Add(-time.Minute), 0, false, false},
		{leaf.NotAfter.Add(time.Minute), -1, true, false},
		{leaf.NotBefore.Add(-time.Hour), validity.DaysLeft(leaf.NotAfter, leaf.NotBefore.Add(-time.Hour)), false, true},
	}
	for _, tt := range tests {
		c := certfacts.Cert(leaf, 0, tt.at)
		if c.DaysLeft != tt.days || c.Expired != tt.expired || c.NotYetValid != tt.notYetValid {
			t.Errorf("at %s: days %d expired %t notYet %t, want %d %t %t", tt.at, c.DaysLeft, c.Expired, c.NotYetValid,
				tt.days, tt.expired, tt.notYetValid)
		}
	}
}

// TestFingerprintMatchesOpenSSL cross-checks the SHA-256 fingerprint and the
// subject with openssl.
func TestFingerprintMatchesOpenSSL(t *testing.T) {
	openssltest.Need(t)
	for _, file := range []string{"../certio/testdata/leaf.pem", "testdata/quoted.pem", "testdata/sha1-chain.pem"} {
		out := openssltest.Run(t, "", "x509", "-in", file, "-noout", "-fingerprint", "-sha256", "-subject")
		c := certfacts.Cert(read(t, file).Certificates()[0], 0, now)
		want := "sha256 Fingerprint=" + certfacts.Fingerprint(c.SHA256) + "\nsubject=" + c.Subject + "\n"
		if string(out) != want {
			t.Errorf("%s: openssl says\n%swe say\n%s", file, out, want)
		}
	}
}

func TestNamesOfUsages(t *testing.T) {
	c := certfacts.Cert(read(t, "testdata/sha1-chain.pem").Certificates()[0], 0, now)
	checks := []struct{ got, want string }{
		{strings.Join(c.KeyUsage, ","), "nonRepudiation,keyAgreement"},
		{strings.Join(c.ExtKeyUsage, ","), "serverAuth,1.3.6.1.4.1.311.10.3.4"},
		{c.SignatureAlgorithm, "sha1WithRSAEncryption"},
		{strings.Join(c.Emails, ","), "pki@example.com"},
		{strings.Join(c.URIs, ","), "https://old.example.com/"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("got %q, want %q", ch.got, ch.want)
		}
	}
}

// TestGolden renders fixtures for people and as JSON and compares with the
// golden files in testdata; go test -update rewrites them.
func TestGolden(t *testing.T) {
	for _, file := range []string{"../certio/testdata/chain.pem", "../certio/testdata/mixed.pem",
		"../certio/testdata/modern.p12", "../certio/testdata/rsa-pub.pem", "testdata/sha1-chain.pem"} {
		r := certfacts.File(read(t, file), now)
		r.File = filepath.Base(file)
		var text, js bytes.Buffer
		if err := certfacts.WriteText(ui.New(&text), r); err != nil {
			t.Fatal(err)
		}
		if err := certfacts.WriteJSON(&js, r); err != nil {
			t.Fatal(err)
		}
		if !json.Valid(js.Bytes()) {
			t.Errorf("%s: invalid JSON:\n%s", file, js.String())
		}
		golden.Compare(t, "testdata/"+r.File+".txt.golden", text.Bytes())
		golden.Compare(t, "testdata/"+r.File+".json.golden", js.Bytes())
	}
}

func TestLockedAndEmpty(t *testing.T) {
	f, err := certio.ReadFile("../certio/testdata/modern.p12", certio.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := certfacts.File(f, now)
	if !r.Locked || certfacts.Summary(r) != "PKCS#12, locked: give its password to see what it holds" {
		t.Errorf("locked PKCS#12: %+v %q", r, certfacts.Summary(r))
	}
	var js bytes.Buffer
	if err := certfacts.WriteJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(js.String(), `"objects": []`) {
		t.Errorf("objects of a locked file:\n%s", js.String())
	}
}
