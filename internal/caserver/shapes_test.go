package caserver_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// Every error answer is JSON {"error": "...", "hint": "..."} with the right
// status code (spec serve.md, "API"): both fields present and non-empty,
// whatever the status, so that a script can always show the hint.
func TestErrorBodiesHaveErrorAndHint(t *testing.T) {
	e := start(t, t.TempDir(), "")
	csr := makeCSR(t, csrSpec{cn: "cb.example.com", sans: []string{"cb.example.com"}})
	code, pending := e.submit("alice", csr, "cms-callbridge", 30)
	if code != 201 {
		t.Fatalf("submit: %d %+v", code, pending)
	}
	tests := []struct {
		name         string
		method, path string
		who          string
		body         any
		want         int
	}{
		{"no token", "GET", "/api/v1/requests", "", nil, 401},
		{"approve own role", "POST", "/api/v1/requests/" + pending.ID + "/approve", "alice", nil, 403},
		{"auditor may not revoke", "POST", "/api/v1/certificates/01/revoke", "eve", map[string]string{"reason": "superseded"}, 403},
		{"approver approves own", "POST", "/api/v1/requests/" + submitAs(t, e, "bob") + "/approve", "bob", nil, 403},
		{"bad json", "POST", "/api/v1/requests", "alice", []byte("{"), 400},
		{"unknown field", "POST", "/api/v1/requests", "alice", map[string]string{"csr": csr, "template": "x"}, 400},
		{"unknown request", "GET", "/api/v1/requests/0123456789abcdef", "bob", nil, 404},
		{"unknown certificate", "GET", "/api/v1/certificates/01", "bob", nil, 404},
		{"unknown endpoint", "GET", "/api/v1/nothing", "bob", nil, 404},
		// A typo in the status filter is refused, not read as "no request".
		{"unknown request status", "GET", "/api/v1/requests?status=pendng", "bob", nil, 400},
		{"unknown certificate status", "GET", "/api/v1/certificates?status=vaild", "bob", nil, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out := e.call(tt.method, tt.path, tt.who, tt.body)
			if code != tt.want {
				t.Errorf("status %d, want %d: %s", code, tt.want, out)
			}
			var body map[string]any
			if err := json.Unmarshal(out, &body); err != nil {
				t.Fatalf("not JSON: %s", out)
			}
			for _, f := range []string{"error", "hint"} {
				if s, ok := body[f].(string); !ok || strings.TrimSpace(s) == "" {
					t.Errorf("field %q is %v, want a non-empty string: %s", f, body[f], out)
				}
			}
		})
	}
}

// submitAs submits a new CSR as who and returns the request ID.
func submitAs(t *testing.T, e *env, who string) string {
	t.Helper()
	csr := makeCSR(t, csrSpec{cn: who + ".example.com", sans: []string{who + ".example.com"}})
	code, r := e.submit(who, csr, "cms-callbridge", 30)
	if code != 201 {
		t.Fatalf("submit as %s: %d %+v", who, code, r)
	}
	return r.ID
}

// The answer to POST /requests holds "serial" (spec serve.md: 201 {"id",
// "status", "serial", "findings"}): null while the request waits, the hex
// serial once issued.
func TestSubmitAnswerHasSerial(t *testing.T) {
	e := start(t, t.TempDir(), "")
	e.applyAuto(t)
	for _, tt := range []struct {
		profile    string
		status     string
		wantSerial bool
	}{
		{"cms-callbridge", "pending", false},
		{"auto-cb", "issued", true},
	} {
		t.Run(tt.profile, func(t *testing.T) {
			csr := makeCSR(t, csrSpec{cn: "s.example.com", sans: []string{"s.example.com"}})
			code, out := e.call("POST", "/api/v1/requests", "alice", map[string]any{"csr": csr, "profile": tt.profile, "days": 30})
			if code != 201 {
				t.Fatalf("submit: %d %s", code, out)
			}
			var body map[string]any
			if err := json.Unmarshal(out, &body); err != nil {
				t.Fatal(err)
			}
			serial, present := body["serial"]
			if !present {
				t.Fatalf("no serial field: %s", out)
			}
			if body["status"] != tt.status {
				t.Errorf("status %v, want %s", body["status"], tt.status)
			}
			s, isString := serial.(string)
			if tt.wantSerial != (isString && s != "") || !tt.wantSerial && serial != nil {
				t.Errorf("serial %#v for a %s request", serial, tt.status)
			}
		})
	}
}

// Every path of the API table is under /api/v1 (spec serve.md, "API (JSON,
// under /api/v1)"), /metrics among them; the root paths stay for scrapers and
// probes already pointed at them.
func TestMetricsAndHealthUnderAPI(t *testing.T) {
	e := start(t, t.TempDir(), "")
	for _, tt := range []struct{ path, want string }{
		{"/api/v1/metrics", "confcert_certificates_expiring_30d"},
		{"/metrics", "confcert_certificates_expiring_30d"},
		{"/api/v1/healthz", `"ok"`},
		{"/healthz", `"ok"`},
	} {
		code, out := e.call("GET", tt.path, "", nil)
		if code != 200 || !strings.Contains(string(out), tt.want) {
			t.Errorf("GET %s: %d, want 200 with %s", tt.path, code, tt.want)
		}
	}
}
