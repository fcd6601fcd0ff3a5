package caserver_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/caserver/servertest"
	"github.com/confcert/confcert/internal/caservice"
	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/csrtest"
	"github.com/confcert/confcert/internal/pgtest"
)

// env is a running service on a loopback port, over real HTTPS with the
// certificate its own CA issued on start, and tokens for every role.
type env struct {
	t    testing.TB
	dir  string
	base string
	// revBase is the plain-HTTP revocation listener, when started.
	revBase string
	client  *http.Client
	svc     *caservice.Service
	store   castore.Service
	caFile  string
	tokens  map[string]string
}

// backend names a store URL for a test's directory.
type backend struct {
	name string
	url  func(t *testing.T, dir string) string
}

func backends() []backend {
	return []backend{
		{"sqlite", func(_ *testing.T, dir string) string { return "sqlite:" + filepath.Join(dir, "ca.db") }},
		{"postgres", func(t *testing.T, _ string) string { return pgtest.URL(t) }},
	}
}

// forEachBackend runs test against a fresh service on each backend.
func forEachBackend(t *testing.T, test func(t *testing.T, e *env)) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			dir := t.TempDir()
			test(t, start(t, dir, b.url(t, dir)))
		})
	}
}

func start(t testing.TB, dir, storeURL string) *env {
	t.Helper()
	return startWith(t, dir, storeURL, false)
}

// startWith starts the service, with the plain-HTTP revocation listener
// when revocation is set (its base in env.revBase).
func startWith(t testing.TB, dir, storeURL string, revocation bool) *env {
	t.Helper()
	s := servertest.Start(t, dir, servertest.Options{StoreURL: storeURL, DefaultCA: "e2eca", Revocation: revocation, Observe: true})
	return &env{t: t, dir: dir, base: s.Base, revBase: s.RevBase, svc: s.Svc, store: s.Store, caFile: s.CAFile, tokens: s.Tokens,
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.Pool}, MaxIdleConnsPerHost: 16}}}
}

// call sends a request as a token's owner ("" for none) with a JSON or raw
// body, and returns the status and body.
func (e *env) call(method, path, who string, body any) (int, []byte) {
	e.t.Helper()
	resp, out := e.callRaw(method, path, who, body)
	return resp.StatusCode, out
}

// callRaw is call returning the whole response (its headers), the body
// already read and closed.
func (e *env) callRaw(method, path, who string, body any) (*http.Response, []byte) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		js, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(js)
	}
	req, err := http.NewRequest(method, e.base+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[who])
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp, out
}

// requestJSON is the part of a request's JSON the tests look at.
type requestJSON struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Serial   string `json:"serial"`
	Error    string `json:"error"`
	Findings []struct {
		Rule     string `json:"rule"`
		Severity string `json:"severity"`
		Message  string `json:"message"`
		Fix      string `json:"fix"`
	} `json:"findings"`
}

func (e *env) submit(who, csr, profile string, days int) (int, requestJSON) {
	e.t.Helper()
	code, body := e.call("POST", "/api/v1/requests", who, map[string]any{"csr": csr, "profile": profile, "days": days})
	var r requestJSON
	if err := json.Unmarshal(body, &r); err != nil {
		e.t.Fatalf("submit answer %d is not JSON: %s", code, body)
	}
	return code, r
}

type csrSpec struct {
	cn     string
	sans   []string
	caTrue bool
}

// makeCSR makes a CSR with a new P-256 key; caTrue asks for CA:TRUE.
func makeCSR(t testing.TB, c csrSpec) string {
	return csrtest.PEM(t, csrtest.CSR{CN: c.cn, SANs: c.sans, CATrue: c.caTrue})
}

func (e *env) write(name string, data []byte) string {
	e.t.Helper()
	p := filepath.Join(e.dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		e.t.Fatal(err)
	}
	return p
}

var adminPrincipal = caservice.Principal{Name: "test-admin", Role: caservice.RoleAdmin}

// applyAuto adds the profile auto-cb: Call Bridge rules, issued at once.
func (e *env) applyAuto(t testing.TB) {
	t.Helper()
	yaml := "profiles:\n- {name: auto-cb, role: cms-callbridge, approval: auto, max_days: 397}\n"
	if _, err := e.svc.ApplyProfiles(context.Background(), adminPrincipal, []byte(yaml)); err != nil {
		t.Fatal(err)
	}
}
