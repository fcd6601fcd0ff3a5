package openssltest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRun: openssl runs in the given directory and only its standard output
// comes back (req writes its key-generation progress on standard error).
func TestRun(t *testing.T) {
	dir := t.TempDir()
	Run(t, dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", "k.pem", "-out", "c.pem", "-subj", "/CN=openssltest", "-days", "1")
	if _, err := os.Stat(filepath.Join(dir, "c.pem")); err != nil {
		t.Fatalf("openssl did not write in dir: %v", err)
	}
	out := Run(t, dir, "x509", "-in", "c.pem", "-noout", "-subject")
	if strings.TrimSpace(out) != "subject=CN = openssltest" {
		t.Errorf("stdout = %q", out)
	}
}
