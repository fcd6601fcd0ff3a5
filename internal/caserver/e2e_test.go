package caserver_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/openssltest"
)

// TestEndToEnd is issue 12's proof over real HTTPS on loopback, on each
// store: submit, refuse a bad CSR with check's findings, approve as
// another token, fetch every layout and verify it with openssl, revoke
// and see it in `openssl crl` and `openssl ocsp` against the running
// service.
func TestEndToEnd(t *testing.T) {
	openssltest.Need(t)
	forEachBackend(t, func(t *testing.T, e *env) {
		// A CSR that would fail on the Meeting Server is refused before anyone
		// approves it, with check's rule ID and words (roles.md DB-CLIENT-CN).
		code, bad := e.submit("alice", makeCSR(t, csrSpec{cn: "dbclient", sans: []string{"db.example.com"}}), "cms-dbclient", 30)
		if code != http.StatusUnprocessableEntity || !hasFinding(bad, "DB-CLIENT-CN", "FAILURE", "Client certificate common name incorrect") {
			t.Fatalf("bad CSR: %d %+v", code, bad)
		}
		code, r := e.submit("alice", makeCSR(t, csrSpec{cn: "cb1.example.com", sans: []string{"cb1.example.com"}}), "cms-callbridge", 90)
		if code != http.StatusCreated || r.Status != "pending" || r.ID == "" {
			t.Fatalf("submit: %d %+v", code, r)
		}
		if code, body := e.call("GET", "/api/v1/requests?status=pending", "bob", nil); code != 200 || !strings.Contains(string(body), r.ID) {
			t.Fatalf("pending list: %d %s", code, body)
		}
		code, body := e.call("POST", "/api/v1/requests/"+r.ID+"/approve", "bob", map[string]string{"reason": "change 42"})
		var approved requestJSON
		_ = json.Unmarshal(body, &approved)
		if code != http.StatusOK || approved.Status != "issued" || approved.Serial == "" {
			t.Fatalf("approve: %d %s", code, body)
		}
		e.verifyLayouts(approved.Serial)
		e.revokeAndSee(approved.Serial)
	})
}

func hasFinding(r requestJSON, rule, severity, words string) bool {
	for _, f := range r.Findings {
		if f.Rule == rule && f.Severity == severity && strings.Contains(f.Message, words) {
			return true
		}
	}
	return false
}

// verifyLayouts fetches the certificate alone and in every layout, and has
// openssl verify each against the CA.
func (e *env) verifyLayouts(serial string) {
	t := e.t
	code, leaf := e.call("GET", "/api/v1/certificates/"+serial, "alice", nil)
	if code != 200 {
		t.Fatalf("fetch: %d %s", code, leaf)
	}
	leafFile := e.write("leaf.pem", leaf)
	out := openssltest.Run(t, e.dir, "verify", "-CAfile", e.caFile, leafFile)
	if !strings.Contains(out, ": OK") {
		t.Fatalf("openssl verify leaf: %s", out)
	}
	for _, layout := range []string{"fullchain", "cwms-1x", "cwms-25", "meetingplace"} {
		code, body := e.call("GET", "/api/v1/certificates/"+serial+"?layout="+layout, "alice", nil)
		if code != 200 || !strings.Contains(string(body), string(leaf)) {
			t.Fatalf("layout %s: %d %s", layout, code, body)
		}
		f := e.write(layout+".pem", body)
		if out := openssltest.Run(t, e.dir, "verify", "-CAfile", e.caFile, "-untrusted", f, f); !strings.Contains(out, ": OK") {
			t.Errorf("openssl verify %s: %s", layout, out)
		}
	}
	// cms is the CA bundle (intermediates, root last): the leaf verifies against it alone.
	code, cms := e.call("GET", "/api/v1/certificates/"+serial+"?layout=cms", "alice", nil)
	if code != 200 {
		t.Fatalf("layout cms: %d %s", code, cms)
	}
	if out := openssltest.Run(t, e.dir, "verify", "-CAfile", e.write("cms.pem", cms), leafFile); !strings.Contains(out, ": OK") {
		t.Errorf("openssl verify against the cms bundle: %s", out)
	}
	// chain holds the intermediates only: none under a root CA.
	if code, body := e.call("GET", "/api/v1/certificates/"+serial+"?layout=chain", "alice", nil); code != 200 || len(body) != 0 {
		t.Errorf("layout chain under a root CA: %d %q, want an empty file", code, body)
	}
	if code, _ := e.call("GET", "/api/v1/certificates/"+serial+"?layout=nonsense", "alice", nil); code != http.StatusBadRequest {
		t.Errorf("unknown layout: %d, want 400", code)
	}
}

// revokeAndSee revokes as an approver and checks that the CRL and the OCSP
// responder of the running service say so, with openssl.
func (e *env) revokeAndSee(serial string) {
	t := e.t
	if code, body := e.call("POST", "/api/v1/certificates/"+serial+"/revoke", "alice", map[string]string{"reason": "keyCompromise"}); code != http.StatusForbidden {
		t.Fatalf("revoke as requester: %d %s", code, body)
	}
	ocspArgs := []string{"ocsp", "-issuer", e.caFile, "-cert", e.dir + "/leaf.pem", "-url", e.base + "/api/v1/ocsp/e2eca",
		"-CAfile", e.caFile, "-no_nonce"}
	if out := openssltest.Run(t, e.dir, ocspArgs...); !strings.Contains(out, "leaf.pem: good") {
		t.Fatalf("openssl ocsp before revocation: %s", out)
	}
	if code, body := e.call("POST", "/api/v1/certificates/"+serial+"/revoke", "bob", map[string]string{"reason": "keyCompromise"}); code != 200 {
		t.Fatalf("revoke: %d %s", code, body)
	}
	code, crl := e.call("GET", "/api/v1/crl/e2eca.crl", "", nil)
	if code != 200 {
		t.Fatalf("CRL: %d", code)
	}
	text := openssltest.Run(t, e.dir, "crl", "-inform", "DER", "-in", e.write("e2eca.crl", crl), "-CAfile", e.caFile, "-noout", "-text")
	if !strings.Contains(text, "Serial Number: "+serial) || !strings.Contains(text, "Key Compromise") {
		t.Errorf("openssl crl does not list %s as key compromise:\n%s", serial, text)
	}
	out := openssltest.Run(t, e.dir, ocspArgs...)
	if !strings.Contains(out, "leaf.pem: revoked") || !strings.Contains(out, "Reason: keyCompromise") {
		t.Errorf("openssl ocsp after revocation: %s", out)
	}
	// GET (RFC 6960 Appendix A.1): the request base64- and URL-encoded in the path.
	openssltest.Run(t, e.dir, "ocsp", "-issuer", e.caFile, "-cert", e.dir+"/leaf.pem", "-no_nonce", "-reqout", "req.der")
	req, err := os.ReadFile(e.dir + "/req.der")
	if err != nil {
		t.Fatal(err)
	}
	code, answer := e.call("GET", "/api/v1/ocsp/e2eca/"+url.PathEscape(base64.StdEncoding.EncodeToString(req)), "", nil)
	if code != 200 {
		t.Fatalf("OCSP GET: %d", code)
	}
	e.write("resp.der", answer)
	out = openssltest.Run(t, e.dir, "ocsp", "-respin", "resp.der", "-issuer", e.caFile, "-cert", e.dir+"/leaf.pem", "-CAfile", e.caFile, "-no_nonce")
	if !strings.Contains(out, "leaf.pem: revoked") {
		t.Errorf("openssl ocsp on the GET answer: %s", out)
	}
}
