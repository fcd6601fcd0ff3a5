package caserver_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/openssltest"
)

// TestSecurity: no token, wrong role, self-approval, an oversized body, a
// CSR asking for CA:TRUE, path tricks in IDs (issue 12, "How it is proven").
func TestSecurity(t *testing.T) {
	openssltest.Need(t)
	e := start(t, t.TempDir(), "")
	goodCSR := makeCSR(t, csrSpec{cn: "cb.example.com", sans: []string{"cb.example.com"}})
	body := map[string]any{"csr": goodCSR, "profile": "cms-callbridge"}

	t.Run("no token", func(t *testing.T) {
		code, out := e.call("POST", "/api/v1/requests", "", body)
		if code != http.StatusUnauthorized || !isJSONError(out) {
			t.Errorf("%d %s", code, out)
		}
	})
	t.Run("unknown token", func(t *testing.T) {
		e.tokens["forged"] = "cct_" + strings.Repeat("A", 43)
		if code, out := e.call("GET", "/api/v1/requests", "forged", nil); code != http.StatusUnauthorized {
			t.Errorf("%d %s", code, out)
		}
	})
	t.Run("wrong role", func(t *testing.T) {
		if code, out := e.call("POST", "/api/v1/requests", "eve", body); code != http.StatusForbidden || !isJSONError(out) {
			t.Errorf("auditor submits: %d %s", code, out)
		}
		if code, out := e.call("GET", "/api/v1/audit", "alice", nil); code != http.StatusForbidden {
			t.Errorf("requester reads the audit log: %d %s", code, out)
		}
	})
	t.Run("self-approval", func(t *testing.T) {
		_, r := e.submit("bob", goodCSR, "cms-callbridge", 30)
		if code, out := e.call("POST", "/api/v1/requests/"+r.ID+"/approve", "bob", nil); code != http.StatusForbidden {
			t.Errorf("approver approves own request: %d %s", code, out)
		}
		if code, out := e.call("POST", "/api/v1/requests/"+r.ID+"/approve", "alice", nil); code != http.StatusForbidden {
			t.Errorf("requester approves: %d %s", code, out)
		}
		if code, out := e.call("GET", "/api/v1/requests/"+r.ID, "mallory", nil); code != http.StatusNotFound {
			t.Errorf("another requester reads the request: %d %s", code, out)
		}
		if code, out := e.call("POST", "/api/v1/requests/"+r.ID+"/approve", "carol", nil); code != http.StatusOK {
			t.Errorf("another approver approves: %d %s", code, out)
		}
	})
	t.Run("oversized body", func(t *testing.T) {
		big := bytes.Repeat([]byte("x"), 1<<20+1)
		if code, out := e.call("POST", "/api/v1/requests", "alice", big); code != http.StatusRequestEntityTooLarge || !isJSONError(out) {
			t.Errorf("%d %.200s", code, out)
		}
	})
	t.Run("CA:TRUE asked", func(t *testing.T) {
		e.applyAuto(t)
		code, r := e.submit("alice", makeCSR(t, csrSpec{cn: "sneaky.example.com", sans: []string{"sneaky.example.com"}, caTrue: true}), "auto-cb", 30)
		if code != http.StatusCreated || r.Status != "issued" {
			t.Fatalf("%d %+v", code, r)
		}
		_, pemCert := e.call("GET", "/api/v1/certificates/"+r.Serial, "alice", nil)
		out := openssltest.Run(t, e.dir, "x509", "-in", e.write("sneaky.pem", pemCert), "-noout", "-ext", "basicConstraints")
		if !strings.Contains(out, "CA:FALSE") {
			t.Errorf("a CSR asking for CA:TRUE got:\n%s", out)
		}
	})
	t.Run("path tricks", func(t *testing.T) {
		for _, p := range []string{
			"/api/v1/requests/..%2F..%2Fetc%2Fpasswd", "/api/v1/requests/%27%20OR%20%271%27=%271",
			"/api/v1/certificates/..%2F..%2Fconfcert.db", "/api/v1/certificates/ZZ", "/api/v1/certificates/" + strings.Repeat("A", 200),
			"/api/v1/crl/..%2Fserve-tls.key.crl", "/api/v1/ca/..%2Fserve-tls.key.crt", "/api/v1/ca/e2eca.key",
		} {
			if code, out := e.call("GET", p, "bob", nil); code != http.StatusNotFound {
				t.Errorf("GET %s: %d %.200s", p, code, out)
			}
		}
		if code, _ := e.call("POST", "/api/v1/requests/..%2Fx/approve", "bob", nil); code != http.StatusNotFound {
			t.Errorf("approve a path: %d", code)
		}
	})
	t.Run("revoked token", func(t *testing.T) {
		if err := e.svc.RevokeToken(t.Context(), adminPrincipal, "mallory"); err != nil {
			t.Fatal(err)
		}
		if code, out := e.call("GET", "/api/v1/requests", "mallory", nil); code != http.StatusUnauthorized {
			t.Errorf("%d %s", code, out)
		}
	})
}

func isJSONError(body []byte) bool {
	var e struct {
		Error string `json:"error"`
	}
	return json.Unmarshal(body, &e) == nil && e.Error != ""
}
