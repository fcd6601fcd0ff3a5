package caserver_test

import (
	"bytes"
	"crypto/tls"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/caserver/servertest"
	"github.com/confcert/confcert/internal/caservice"
	"github.com/confcert/confcert/internal/cli"
)

// fullService starts a service with --max-issuing 1 whose one slot is
// taken by an automatic request held while its record commits; open lets
// it finish (once).
func fullService(t *testing.T) (e *env, open func()) {
	dir := t.TempDir()
	h := servertest.NewHoldingStore()
	s := servertest.Start(t, dir, servertest.Options{DefaultCA: "e2eca", Observe: true, MaxIssuing: 1,
		Wrap: h.Wrap})
	e = &env{t: t, dir: dir, base: s.Base, svc: s.Svc, store: s.Store, caFile: s.CAFile, tokens: s.Tokens,
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.Pool}}}}
	e.applyAuto(t)
	close(h.Hold)
	held := make(chan int, 1)
	go func() {
		code, _ := e.submit("alice", makeCSR(t, csrSpec{cn: "held.example.com", sans: []string{"held.example.com"}}), "auto-cb", 0)
		held <- code
	}()
	<-h.Held
	e.waitMetric(t, "\nconfcert_issuing_requests 1\n")
	return e, func() {
		close(h.Open)
		if code := <-held; code != http.StatusCreated {
			t.Errorf("the held request: %d, want 201", code)
		}
	}
}

// waitMetric waits until /metrics holds line (30 s at most).
func (e *env) waitMetric(t *testing.T, line string) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); !strings.Contains(e.metrics(), line); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("/metrics never held %q:\n%s", line, grepLines(e.metrics(), "issuing", "busy"))
		}
	}
}

// TestCLISubmitWaitsForABusyService: `confcert ca submit` refused with 503
// and Retry-After by a full service (a real refusal of --max-issuing) waits
// as asked and sends the CSR again: once the slot is free it is issued,
// and the certificate written, as if the service had not been busy.
func TestCLISubmitWaitsForABusyService(t *testing.T) {
	e, open := fullService(t)
	e.write("alice.token", []byte(e.tokens["alice"]+"\n"))
	e.write("cb.csr", []byte(makeCSR(t, csrSpec{cn: "cb.example.com", sans: []string{"cb.example.com"}})))
	t.Setenv("CONFCERT_TOKEN_FILE", filepath.Join(e.dir, "alice.token"))
	t.Setenv("CONFCERT_SERVER_CA", e.caFile)
	type result struct {
		code        int
		out, stderr string
	}
	done := make(chan result, 1)
	go func() {
		var out, errb bytes.Buffer
		code := cli.Main([]string{"--dir", e.dir, "ca", "submit", "cb.csr", "--server", e.base, "--profile", "auto-cb"},
			strings.NewReader(""), &out, &errb)
		done <- result{code, out.String(), errb.String()}
	}()
	e.waitMetric(t, `confcert_busy_refusals_total{bound="issuing"} 1`)
	open()
	r := <-done
	if f := strings.Fields(r.out); r.code != 0 || len(f) != 2 || f[1] != "issued" {
		t.Fatalf("ca submit: exit %d\n%s%s", r.code, r.out, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "cb.crt")); err != nil {
		t.Errorf("the certificate: %v", err)
	}
}

// TestPlanWaitsForABusyService: plan with a ca_server that refuses its
// first submissions (busy: 503 with Retry-After) completes: every internal
// certificate awaits approval, one request each, none lost or doubled.
func TestPlanWaitsForABusyService(t *testing.T) {
	e, open := fullService(t)
	deployment := e.write("lab.yaml", []byte(`product: cms
version: "2.9"
domain: pod2.cms.lab
internal_ca: podca
ca_server: `+e.base+`
certificates: combined
callbridge_cluster: cms1.pod2.cms.lab
webbridge: join.pod2.cms.lab
database_cluster: {nodes: [cms1a, cms1b], ca: dbca}
nodes:
  - {name: cms1a, fqdn: cms1a.pod2.cms.lab, services: [callbridge, webadmin, webbridge, database]}
  - {name: cms1b, fqdn: cms1b.pod2.cms.lab, services: [callbridge, webadmin, webbridge, database]}
`))
	e.write("alice.token", []byte(e.tokens["alice"]))
	t.Setenv("CONFCERT_TOKEN_FILE", filepath.Join(e.dir, "alice.token"))
	t.Setenv("CONFCERT_SERVER_CA", e.caFile)
	t.Setenv("CONFCERT_HOME", filepath.Join(e.dir, "planhome"))
	type result struct {
		code        int
		out, stderr string
	}
	done := make(chan result, 1)
	go func() {
		var so, se bytes.Buffer
		code := cli.Main([]string{"plan", deployment, "-o", filepath.Join(e.dir, "out")}, strings.NewReader(""), &so, &se)
		done <- result{code, so.String(), se.String()}
	}()
	e.waitMetric(t, `confcert_busy_refusals_total{bound="issuing"} 1`)
	open()
	r := <-done
	if r.code != 0 || !strings.Contains(r.out, "awaiting approval (") {
		t.Fatalf("plan against a busy service: exit %d\n%s%s", r.code, r.out, r.stderr)
	}
	ids := uniqueIDs(regexp.MustCompile(`awaiting approval \(([0-9a-f]{32})\)`).FindAllStringSubmatch(r.out, -1))
	reqs, err := e.svc.Requests(t.Context(), bobPrincipal, caservice.StatusPending)
	if err != nil || len(reqs) != len(ids) {
		t.Fatalf("pending requests %d (%v), IDs in the table %d\n%s", len(reqs), err, len(ids), r.out)
	}
}
