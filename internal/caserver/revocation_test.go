package caserver_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/openssltest"
)

// TestRevocationOverHTTP: with the revocation listener, every certificate
// names an http:// CRL and OCSP URL (so zlint's CRL DP warning is gone),
// openssl fetches both from it, and it serves nothing else.
func TestRevocationOverHTTP(t *testing.T) {
	openssltest.Need(t)
	e := startWith(t, t.TempDir(), "", true)
	code, r := e.submit("alice", makeCSR(t, csrSpec{cn: "cb.example.com", sans: []string{"cb.example.com"}}), "cms-callbridge", 30)
	if code != http.StatusCreated {
		t.Fatalf("submit: %d %+v", code, r)
	}
	for _, f := range r.Findings {
		if f.Rule == "w_distribution_point_missing_ldap_or_uri" {
			t.Errorf("an http CRL DP still draws %s", f.Rule)
		}
	}
	code, body := e.call("POST", "/api/v1/requests/"+r.ID+"/approve", "bob", nil)
	var issued requestJSON
	if code != http.StatusOK || json.Unmarshal(body, &issued) != nil {
		t.Fatalf("approve: %d %s", code, body)
	}
	_, leaf := e.call("GET", "/api/v1/certificates/"+issued.Serial, "alice", nil)
	leafFile := e.write("leaf.pem", leaf)
	ext := openssltest.Run(t, e.dir, "x509", "-in", leafFile, "-noout", "-ext", "crlDistributionPoints,authorityInfoAccess")
	if !strings.Contains(ext, "URI:"+e.revBase+"/api/v1/crl/e2eca.crl") || !strings.Contains(ext, "OCSP - URI:"+e.revBase+"/api/v1/ocsp/e2eca") {
		t.Fatalf("URLs in the certificate:\n%s", ext)
	}
	resp, err := http.Get(e.revBase + "/api/v1/crl/e2eca.crl")
	if err != nil {
		t.Fatal(err)
	}
	crl, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("CRL over http: %d", resp.StatusCode)
	}
	openssltest.Run(t, e.dir, "crl", "-inform", "DER", "-in", e.write("e2eca.crl", crl), "-CAfile", e.caFile, "-noout")
	out := openssltest.Run(t, e.dir, "ocsp", "-issuer", e.caFile, "-cert", leafFile, "-url", e.revBase+"/api/v1/ocsp/e2eca", "-CAfile", e.caFile, "-no_nonce")
	if !strings.Contains(out, "leaf.pem: good") {
		t.Errorf("openssl ocsp over http: %s", out)
	}
	resp, err = http.Get(e.revBase + "/api/v1/requests")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("the API on the revocation listener: %d, want 404", resp.StatusCode)
	}
}
