package apply

import (
	"os"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/openssltest"
	"github.com/confcert/confcert/internal/plan"
)

// checkExpressway: openssl verifies every Expressway certificate against its
// cluster's Trusted CA list, and reads the names and usages the role needs
// (Expressway Certificate Creation and Use Deployment Guide X15.5).
func checkExpressway(t *testing.T, e *env, p *plan.Plan) {
	for _, b := range p.Bundles {
		if !b.Issuers {
			continue
		}
		for _, m := range b.Members {
			if out := openssltest.Run(t, e.dir, "verify", "-CAfile", b.File, m+".crt"); !strings.Contains(out, ": OK") {
				t.Errorf("%s does not verify against %s: %s", m, b.File, out)
			}
		}
	}
	want := map[string][]string{
		"expc1.crt":        {"CN = expc.example.com", "DNS:expc1.example.com", "DNS:expc.example.com", "DNS:secure-8865.example.com", "DNS:chatroom1.example.com", "TLS Web Server Authentication, TLS Web Client Authentication"},
		"expe2.crt":        {"CN = expe.example.com", "DNS:expe2.example.com", "DNS:collab-edge.example.com", "DNS:chatroom1.example.com", "TLS Web Server Authentication"},
		"expe2-client.crt": {"CN = expe.example.com", "TLS Web Client Authentication"},
	}
	for file, words := range want {
		if _, err := os.Stat(e.path(file)); err != nil {
			continue // not in this example
		}
		out := openssltest.Run(t, e.dir, "x509", "-noout", "-subject", "-ext", "subjectAltName,extendedKeyUsage", "-in", file)
		for _, w := range words {
			if !strings.Contains(out, w) {
				t.Errorf("%s lacks %q:\n%s", file, w, out)
			}
		}
		if strings.Contains(out, "*") {
			t.Errorf("%s has a wildcard:\n%s", file, out)
		}
	}
	if _, err := os.Stat(e.path("expc2.key")); err != nil {
		return
	}
	if out := openssltest.Run(t, e.dir, "x509", "-noout", "-ext", "extendedKeyUsage", "-in", "expe1.crt"); strings.Contains(out, "Client") {
		t.Errorf("X15.5: the public Expressway-E certificate should be serverAuth only:\n%s", out)
	}
	if openssltest.Run(t, e.dir, "pkey", "-pubout", "-in", "expc1.key") == openssltest.Run(t, e.dir, "pkey", "-pubout", "-in", "expc2.key") {
		t.Error("two peers share a key: each peer has its own")
	}
}
