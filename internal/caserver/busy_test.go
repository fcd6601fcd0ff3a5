package caserver_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/confcert/confcert/internal/caserver/servertest"
	"github.com/confcert/confcert/internal/caservice"
	"github.com/confcert/confcert/internal/castore"
)

// TestBusyServiceAnswers503: with --max-issuing 2 and two automatic
// requests held while their records commit, a third POST /requests and an
// approval get 503 with Retry-After and the usual error and hint, nothing
// stored for them; the listing, the CRL, OCSP, the web login page and
// /metrics still answer, and the metrics show 2 issuing and the refusals.
// Once the two are answered a new request is issued. On each store.
func TestBusyServiceAnswers503(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			dir := t.TempDir()
			h := servertest.NewHoldingStore()
			s := servertest.Start(t, dir, servertest.Options{StoreURL: b.url(t, dir), DefaultCA: "e2eca", Observe: true, MaxIssuing: 2,
				Wrap: h.Wrap})
			e := &env{t: t, dir: dir, base: s.Base, svc: s.Svc, store: s.Store, caFile: s.CAFile, tokens: s.Tokens,
				client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.Pool}}}}
			testBusy(t, e, s, h)
		})
	}
}

func testBusy(t *testing.T, e *env, s *servertest.Server, h *servertest.HoldingStore) {
	e.applyAuto(t)
	csr := func(cn string) string { return makeCSR(t, csrSpec{cn: cn, sans: []string{cn}}) }
	code, pending := e.submit("alice", csr("pending.example.com"), "cms-callbridge", 0)
	if code != http.StatusCreated {
		t.Fatalf("a pending request: %d %+v", code, pending)
	}
	close(h.Hold)
	codes := make(chan int, 2)
	for i := range 2 {
		go func() {
			code, _ := e.submit("alice", csr(fmt.Sprintf("cb%d.example.com", i)), "auto-cb", 0)
			codes <- code
		}()
	}
	<-h.Held
	for !strings.Contains(e.metrics(), "\nconfcert_issuing_requests 2\n") {
		time.Sleep(10 * time.Millisecond)
	}
	for _, c := range []struct{ name, path, body string }{
		{"a third submission", "/api/v1/requests", fmt.Sprintf(`{"csr": %q, "profile": "auto-cb"}`, csr("cb3.example.com"))},
		{"an approval", "/api/v1/requests/" + pending.ID + "/approve", ""},
	} {
		who := map[bool]string{true: "alice", false: "bob"}[c.name == "a third submission"]
		resp, body := e.callRaw(http.MethodPost, c.path, who, []byte(c.body))
		var eb struct{ Error, Hint string }
		_ = json.Unmarshal(body, &eb)
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "2" ||
			!strings.Contains(eb.Error, "busy") || !strings.Contains(eb.Hint, "Retry-After") {
			t.Errorf("%s while full: %d, Retry-After %q, %s; want 503, Retry-After 2, the error and the hint",
				c.name, resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
	}
	rs, err := s.Store.Requests(context.Background(), castore.RequestFilter{})
	if err != nil || len(rs) != 1 || rs[0].Status != caservice.StatusPending {
		t.Errorf("requests stored while full: %+v, %v; want the pending one alone", rs, err)
	}
	e.cheapReadsAnswer(t, s)
	m := e.metrics()
	if !strings.Contains(m, `confcert_busy_refusals_total{bound="issuing"} 2`) || !strings.Contains(m, `confcert_http_requests_total{code="503"} 2`) {
		t.Errorf("metrics lack the two refusals:\n%s", grepLines(m, "busy", "503"))
	}
	close(h.Open)
	for range 2 {
		if code := <-codes; code != http.StatusCreated {
			t.Errorf("a held request: %d, want 201", code)
		}
	}
	if code, r := e.submit("alice", csr("cb4.example.com"), "auto-cb", 0); code != http.StatusCreated || r.Status != "issued" {
		t.Errorf("a request after the held ones: %d %+v", code, r)
	}
	if m := e.metrics(); !strings.Contains(m, "\nconfcert_issuing_requests 0\n") {
		t.Errorf("issuing after every answer:\n%s", grepLines(m, "issuing"))
	}
}

// cheapReadsAnswer: listing, the CRL, OCSP, the web login and health are
// not bounded.
func (e *env) cheapReadsAnswer(t *testing.T, s *servertest.Server) {
	if code, _ := e.call("GET", "/api/v1/requests", "bob", nil); code != http.StatusOK {
		t.Errorf("listing while full: %d", code)
	}
	if code, _ := e.call("GET", "/api/v1/crl/e2eca.crl", "", nil); code != http.StatusOK {
		t.Errorf("the CRL while full: %d", code)
	}
	ca, err := s.Svc.CACertificate(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	req, err := ocsp.CreateRequest(s.Listen, ca, nil)
	if err != nil {
		t.Fatal(err)
	}
	code, body := e.call("POST", "/api/v1/ocsp/e2eca", "", req)
	if code != http.StatusOK {
		t.Fatalf("OCSP while full: %d", code)
	}
	if r, err := ocsp.ParseResponse(body, ca); err != nil || r.Status != ocsp.Good {
		t.Errorf("OCSP while full: %+v, %v; want good", r, err)
	}
}

func (e *env) metrics() string {
	e.t.Helper()
	code, out := e.call("GET", "/metrics", "", nil)
	if code != http.StatusOK {
		e.t.Fatalf("metrics: %d", code)
	}
	return string(out)
}

// grepLines keeps the lines of text holding any of words.
func grepLines(text string, words ...string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		for _, w := range words {
			if strings.Contains(l, w) {
				out = append(out, l)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}
