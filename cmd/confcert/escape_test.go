package main

import (
	"bytes"
	"crypto/tls"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/confcert/confcert/internal/loopback"
	"github.com/confcert/confcert/internal/testpki"
)

// hostileName holds what a terminal acts on: clear screen, move home, print
// "OK", a C1 CSI and a right-to-left override.
const hostileName = "evil\x1b[2J\x1b[1;1HOK\u009b31m\u202etxt.moc"

// Names from certificates and servers never reach the terminal raw: no
// verb's output (NO_COLOR, so confcert's own colours add no ESC) holds an
// ESC, a C1 control or a bidirectional override.
func TestControlCharactersAreEscaped(t *testing.T) {
	if testing.Short() {
		t.Skip("runs many processes")
	}
	bin, err := exec.LookPath("confcert")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ca := testpki.Issue(t, testpki.CATemplate(hostileName+" CA"), nil)
	tmpl := testpki.LeafTemplate("leaf.example.com")
	tmpl.Subject.CommonName = hostileName
	tmpl.DNSNames = []string{"leaf.example.com", "x\x1b]0;title\x07.example.com"}
	leaf := testpki.Issue(t, tmpl, ca)
	var pemData []byte
	for _, c := range [][]byte{leaf.Cert.Raw, ca.Cert.Raw} {
		pemData = append(pemData, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c})...)
	}
	os.WriteFile(filepath.Join(dir, "evil.crt"), pemData, 0o644)
	os.WriteFile(filepath.Join(dir, "leaf.crt"), pemData[:len(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Cert.Raw}))], 0o644)
	addr := loopback.Serve(t, loopback.TLS(&tls.Config{Certificates: []tls.Certificate{testpki.TLSCertificate(leaf.Key, leaf.Cert, ca.Cert)}}))
	runs := [][]string{
		{"inspect", "evil.crt"},
		{"list"},
		{"expiry", "evil.crt"},
		{"bundle", "--layout", "fullchain", "evil.crt"},
		{"verify", "leaf.crt", "leaf.crt"},
		{"probe", addr},
		{"check", "--role", "cms-callbridge", "--cert", "evil.crt"},
	}
	for _, args := range runs {
		cmd := exec.Command(bin, append([]string{"--dir", dir}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "NO_COLOR=1", "CONFCERT_HOME="+filepath.Join(dir, "home"))
		out, _ := cmd.CombinedOutput()
		for _, bad := range []string{"\x1b", "\u009b", "\u202e", "\x07"} {
			if bytes.Contains(out, []byte(bad)) {
				t.Errorf("confcert %v prints %q raw:\n%q", args, bad, out)
			}
		}
		if !bytes.Contains(out, []byte(`\x1b`)) && !bytes.Contains(out, []byte(`\1B`)) {
			t.Errorf("confcert %v shows no escaped ESC (was the name printed at all?):\n%s", args, out)
		}
	}
}
