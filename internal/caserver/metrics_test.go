package caserver_test

import (
	"strings"
	"testing"
)

func TestHealthAndMetrics(t *testing.T) {
	e := start(t, t.TempDir(), "")
	if code, out := e.call("GET", "/healthz", "", nil); code != 200 || !strings.Contains(string(out), `"ok"`) {
		t.Errorf("healthz: %d %s", code, out)
	}
	e.applyAuto(t)
	if code, r := e.submit("alice", makeCSR(t, csrSpec{cn: "m.example.com", sans: []string{"m.example.com"}}), "auto-cb", 10); code != 201 {
		t.Fatalf("submit: %d %+v", code, r)
	}
	code, out := e.call("GET", "/metrics", "", nil)
	if code != 200 {
		t.Fatalf("metrics: %d", code)
	}
	for _, want := range []string{
		`confcert_requests_total{status="issued"} 1`,
		`confcert_issuance_seconds_count{ca="e2eca"} 1`,
		`confcert_certificates_expiring_30d{ca="e2eca"} 1`, // the 10-day certificate
		`confcert_http_requests_total{code="201"} 1`,
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
