package expiry

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/openssltest"
)

// TestSerialAsOpenSSLPrintsIt: the serial of the listing and of the
// Prometheus label is spelled as `openssl x509 -serial` spells it, whole
// bytes (0ABC, not ABC), so it matches `ca issued` and openssl.
func TestSerialAsOpenSSLPrintsIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "odd.pem")
	c, _ := cert(t, "odd.example.test", 0xabc, now.AddDate(1, 0, 0))
	write(t, path, certio.CertificatesPEM(c))
	out := openssltest.Run(t, "", "x509", "-in", path, "-noout", "-serial")
	want := strings.TrimPrefix(strings.TrimSpace(out), "serial=")
	r := scan(t, []string{path}, Options{Now: now, WithinDays: 30})
	if len(r.Items) != 1 || r.Items[0].Serial != want {
		t.Fatalf("items %+v, want one with serial %s (openssl)", r.Items, want)
	}
}
