package webui_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/caserver/servertest"
	"github.com/confcert/confcert/internal/caservice"
	"github.com/confcert/confcert/internal/csrtest"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/localca"
	"github.com/confcert/confcert/internal/webui"
)

// env is the whole service (API and web pages) on a loopback port, over
// HTTPS with the certificate its own CA issued, and a token per person.
type env struct {
	t      *testing.T
	dir    string
	base   string
	svc    *caservice.Service
	caFile string
	pool   *x509.CertPool
	listen *x509.Certificate
	tokens map[string]string
}

func start(t *testing.T) *env {
	t.Helper()
	return startWith(t, servertest.Options{})
}

// startWith starts the service with o (its CA and the web pages are set
// here).
func startWith(t *testing.T, o servertest.Options) *env {
	t.Helper()
	dir := t.TempDir()
	o.DefaultCA = "podca"
	o.Mount = func(t testing.TB, svc *caservice.Service, mux *http.ServeMux, log *slog.Logger) {
		ui, err := webui.New(svc, webui.Options{Log: log})
		if err != nil {
			t.Fatal(err)
		}
		ui.Register(mux)
	}
	s := servertest.Start(t, dir, o)
	return &env{t: t, dir: dir, base: s.Base, svc: s.Svc, caFile: s.CAFile, pool: s.Pool, listen: s.Listen, tokens: s.Tokens}
}

// client is an HTTP client that trusts only the service's CA and keeps
// cookies, following no redirect so tests see each answer.
func (e *env) client() *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: e.pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// answer is a response with its body read.
type answer struct {
	code     int
	body     string
	location string
	header   http.Header
}

func (e *env) do(c *http.Client, req *http.Request) answer {
	e.t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return answer{code: resp.StatusCode, body: string(b), location: resp.Header.Get("Location"), header: resp.Header}
}

func (e *env) get(c *http.Client, path string) answer {
	e.t.Helper()
	req, err := http.NewRequest("GET", e.base+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.do(c, req)
}

func (e *env) post(c *http.Client, path string, form url.Values) answer {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.do(c, req)
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfOf returns the CSRF token of the first form of a page.
func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfInput.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in the page:\n%s", page)
	}
	return m[1]
}

// signIn signs who in through the login form and returns the client
// (holding the session cookie) and the session's CSRF token.
func (e *env) signIn(who string) (*http.Client, string) {
	e.t.Helper()
	c := e.client()
	login := e.get(c, "/ui/login")
	a := e.post(c, "/ui/login", url.Values{"csrf": {csrfOf(e.t, login.body)}, "token": {e.tokens[who]}})
	if a.code != http.StatusSeeOther || a.location != "/ui/" {
		e.t.Fatalf("signing in as %s: %d %s\n%s", who, a.code, a.location, a.body)
	}
	dash := e.get(c, "/ui/")
	if dash.code != http.StatusOK {
		e.t.Fatalf("dashboard after signing in: %d", dash.code)
	}
	return c, csrfOf(e.t, dash.body)
}

// submit sends a CSR through the JSON API as who, and returns the
// request's ID.
func (e *env) submit(who, csr, profile string) string {
	e.t.Helper()
	return e.submitDays(who, csr, profile, 90)
}

// submitDays submits asking for days of validity.
func (e *env) submitDays(who, csr, profile string, days int) string {
	e.t.Helper()
	body, err := json.Marshal(map[string]any{"csr": csr, "profile": profile, "days": days})
	if err != nil {
		e.t.Fatal(err)
	}
	req, err := http.NewRequest("POST", e.base+"/api/v1/requests", strings.NewReader(string(body)))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.tokens[who])
	a := e.do(e.client(), req)
	var r struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal([]byte(a.body), &r); err != nil || a.code != http.StatusCreated {
		e.t.Fatalf("submit as %s: %d %s", who, a.code, a.body)
	}
	return r.ID
}

// makeCSR makes a CSR with a new P-256 key.
func makeCSR(t testing.TB, cn string, sans ...string) string {
	return csrtest.PEM(t, csrtest.CSR{CN: cn, SANs: sans})
}

// seedFleet gives the dashboard something to draw: a second CA and
// certificates issued at once (profiles with approval auto) that expire
// over the coming year, on both CAs. It returns how many it issued.
func (e *env) seedFleet() int {
	e.t.Helper()
	ctx := e.t.Context()
	if _, _, err := localca.EnsureCA(ctx, e.svc.Store(), "dbca", keys.ECDSAP256, time.Now()); err != nil {
		e.t.Fatal(err)
	}
	profiles := "profiles:\n" +
		"- {name: auto-cb, role: cms-callbridge, approval: auto, max_days: 397}\n" +
		"- {name: auto-db, role: cms-dbserver, approval: auto, max_days: 397, ca: dbca}\n"
	if _, err := e.svc.ApplyProfiles(ctx, adminPrincipal, []byte(profiles)); err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for i, days := range []int{12, 25, 40, 61, 75, 100, 130, 161, 200, 240, 281, 330, 350} {
		name := fmt.Sprintf("cms%d.lab.example.com", i+1)
		e.submitDays("carol", makeCSR(e.t, name, name), "auto-cb", days)
		n++
	}
	for i, days := range []int{20, 95, 180, 300} {
		name := fmt.Sprintf("db%d.lab.example.com", i+1)
		e.submitDays("carol", makeCSR(e.t, name, name), "auto-db", days)
		n++
	}
	return n
}

// adminPrincipal is the local administrator, for changes made outside HTTP.
var adminPrincipal = caservice.Principal{Name: "test-admin", Role: caservice.RoleAdmin}
