// Package openssltest runs the openssl command line tool from tests, as the
// second implementation confcert's output is cross-checked with. A test that
// needs openssl is skipped, not failed, when openssl is not in PATH.
package openssltest

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// Need skips the test when openssl is not in PATH.
func Need(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not in PATH")
	}
}

// Run runs openssl with args in dir ("" for the current directory) and
// returns its standard output. It skips the test when openssl is missing
// and fails it, with what openssl wrote on standard error, when openssl
// exits non-zero.
func Run(t testing.TB, dir string, args ...string) string {
	t.Helper()
	Need(t)
	cmd := exec.Command("openssl", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.Bytes())
	}
	return string(out)
}
