package cli

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/loopback"
	"github.com/confcert/confcert/internal/testpki"
)

// TestInterrupted: Ctrl-C (the root context ending) in the middle of a
// probe, an expiry scan or an AIA fetch, or before a key is made, stops the
// verb with exit 130 and "stopped: ..." on stderr, prints no result and
// writes no file, even though every server waits a minute or forever.
func TestInterrupted(t *testing.T) {
	dir := t.TempDir()
	reached := make(chan struct{}, 10)
	silent := loopback.Serve(t, func(c net.Conn) {
		reached <- struct{}{}
		loopback.Silent(c)
	})
	aia := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		reached <- struct{}{}
		<-r.Context().Done() // answers never
	}))
	defer aia.Close()
	root := testpki.Issue(t, testpki.CATemplate("Slow Root"), nil)
	tmpl := testpki.LeafTemplate("leaf.example.com")
	tmpl.IssuingCertificateURL = []string{aia.URL + "/root.cer"}
	leafPath := filepath.Join(dir, "leaf.pem")
	if err := os.WriteFile(leafPath, certio.CertificatesPEM(testpki.Issue(t, tmpl, root).Cert), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		wait   bool // cancel once a server is reached; else before the start
		output string
	}{
		{"probe", []string{"probe", "--timeout", "1m", silent}, true, ""},
		{"expiry", []string{"expiry", "--timeout", "1m", silent}, true, ""},
		{"bundle --fetch", []string{"bundle", "--fetch", "-o", filepath.Join(dir, "out.pem"), leafPath}, true, "out.pem"},
		{"csr", []string{"--dir", dir, "csr", "web", "CN:web.example.com", "--key-type", "rsa4096"}, false, "web.key"},
		{"selfsigned", []string{"--dir", dir, "selfsigned", "ca", "CN:CA", "--key-type", "rsa4096"}, false, "ca.key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			for len(reached) > 0 {
				<-reached // a server reached by an earlier case
			}
			if tt.wait {
				go func() {
					<-reached
					cancel()
				}()
			} else {
				cancel()
			}
			var stdout, stderr bytes.Buffer
			code := MainContext(ctx, tt.args, strings.NewReader(""), &stdout, &stderr)
			if code != exitInterrupted {
				t.Errorf("exit %d, want %d\n%s", code, exitInterrupted, &stderr)
			}
			if !strings.HasPrefix(stderr.String(), "confcert: error: stopped: context canceled\n") ||
				!strings.Contains(stderr.String(), "confcert: hint: no file was left half-written") {
				t.Errorf("stderr:\n%s\nwant the stop and its hint", &stderr)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout holds a result after the interrupt:\n%s", &stdout)
			}
			if tt.output != "" {
				if _, err := os.Stat(filepath.Join(dir, tt.output)); err == nil {
					t.Errorf("%s written after the interrupt", tt.output)
				}
			}
		})
	}
}
