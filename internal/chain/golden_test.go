package chain

import (
	"bytes"
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/golden"
	"github.com/confcert/confcert/internal/openssltest"
)

// readPile reads fixture files made by testdata/mkfixtures.sh with certio,
// as the bundle verb does.
func readPile(t *testing.T, names ...string) []*x509.Certificate {
	t.Helper()
	var out []*x509.Certificate
	for _, n := range names {
		f, err := certio.ReadFile(filepath.Join("testdata", n), certio.Options{
			Password: func() ([]byte, error) { return []byte("secret"), nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, f.Certificates()...)
	}
	return out
}

// TestGolden builds every layout from piles that are shuffled, duplicated,
// mixed-format (PEM with text, CRLF, DER, PKCS#7, PKCS#12) and hold strays,
// compares the clean PEM with testdata/golden, and has openssl verify it.
func TestGolden(t *testing.T) {
	mixed := readPile(t, "piles/shuffled.pem", "piles/intermediates.p7b", "piles/leaf.der",
		"piles/windows-crlf.cer", "piles/leaf.pfx")
	cross := readPile(t, "pki/primary.pem", "pki/leaf.pem", "pki/root.pem", "pki/primary-x.pem",
		"pki/secondary.pem", "pki/root2.pem")
	tests := []struct {
		name        string
		pile        []*x509.Certificate
		roots       []*x509.Certificate
		layout      Layout
		includeRoot bool
	}{
		{"chain", mixed, nil, LayoutChain, true},
		{"cms", mixed, nil, LayoutCMS, true},
		{"fullchain", mixed, nil, LayoutFullchain, true},
		{"fullchain-no-root", mixed, nil, LayoutFullchain, false},
		{"cwms-1x", mixed, nil, LayoutCWMS1x, true},
		{"cwms-25", mixed, nil, LayoutCWMS25, true},
		{"meetingplace", mixed, nil, LayoutMeetingPlace, true},
		{"trust", mixed, nil, LayoutTrust, true},
		{"cross-root2-fullchain", cross, readPile(t, "pki/root2.pem"), LayoutFullchain, true},
		{"cross-root-fullchain", cross, readPile(t, "pki/root.pem"), LayoutFullchain, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := buildBoth(t, tt.pile, Options{Roots: tt.roots})
			if err != nil {
				t.Fatal(err)
			}
			got := certio.CertificatesPEM(Arrange(c, tt.layout, tt.includeRoot)...)
			path := filepath.Join("testdata", "golden", tt.name+".pem")
			golden.Compare(t, path, got)
			if tt.layout != LayoutTrust {
				opensslVerify(t, path, tt.roots)
			}
		})
	}
}

// opensslVerify has openssl verify the leaf with the bundle as untrusted
// certificates and the fixture root (or the given root) as trust anchor.
func opensslVerify(t *testing.T, bundle string, roots []*x509.Certificate) {
	t.Helper()
	openssltest.Need(t)
	ca := filepath.Join("testdata", "pki", "root.pem")
	if len(roots) > 0 {
		ca = filepath.Join(t.TempDir(), "ca.pem")
		if err := os.WriteFile(ca, certio.CertificatesPEM(roots...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	leaf := filepath.Join("testdata", "pki", "leaf.pem")
	out, err := exec.Command("openssl", "verify", "-CAfile", ca, "-untrusted", bundle, leaf).CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte(": OK")) {
		t.Errorf("openssl verify %s: %v\n%s", bundle, err, out)
	}
}
