package webui_test

import (
	"encoding/pem"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// htmx sends a request as htmx does, aimed at the element target.
func (e *env) htmx(c *http.Client, method, path, target string, form url.Values) answer {
	e.t.Helper()
	req, err := http.NewRequest(method, e.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", target)
	return e.do(c, req)
}

func TestPartialAnswers(t *testing.T) {
	e := start(t)
	id := e.submit("alice", makeCSR(t, "cb5.example.com", "cb5.example.com"), "cms-callbridge")
	bob, csrf := e.signIn("bob")
	a := e.htmx(bob, "POST", "/ui/requests/"+id+"/approve", "decision", url.Values{"csrf": {csrf}})
	if a.code != http.StatusOK || !strings.HasPrefix(strings.TrimSpace(a.body), `<section id="decision"`) ||
		!strings.Contains(a.body, `id="request-status">issued<`) || strings.Contains(a.body, "<html") {
		t.Errorf("approve from htmx: %d, want 200 with the decision fragment alone saying issued\n%s", a.code, a.body)
	}
	a = e.htmx(bob, "GET", "/ui/certificates?name=cb5", "results", nil)
	if !strings.HasPrefix(strings.TrimSpace(a.body), `<section id="results"`) || !strings.Contains(a.body, "1 certificate<") {
		t.Errorf("filtering from htmx: want the results fragment with 1 certificate\n%s", a.body)
	}
	if page := e.get(bob, "/ui/certificates?name=cb5"); !strings.Contains(page.body, "<html") || !strings.Contains(page.body, `id="results"`) {
		t.Error("filtering without htmx does not answer the whole page")
	}
	if a := e.htmx(e.client(), "GET", "/ui/certificates", "results", nil); a.code != http.StatusUnauthorized {
		t.Errorf("htmx without a session: %d, want 401 with HX-Redirect", a.code)
	}
}

var serialLink = regexp.MustCompile(`href="/ui/certificates/([0-9A-F]+)\?ca=podca"`)

func TestDownloadsInEveryLayout(t *testing.T) {
	e := start(t)
	id := e.submit("alice", makeCSR(t, "cb6.example.com", "cb6.example.com"), "cms-callbridge")
	bob, csrf := e.signIn("bob")
	if a := e.post(bob, "/ui/requests/"+id+"/approve", url.Values{"csrf": {csrf}}); a.code != http.StatusSeeOther {
		t.Fatalf("approve: %d", a.code)
	}
	m := serialLink.FindStringSubmatch(e.get(bob, "/ui/requests/"+id).body)
	if m == nil {
		t.Fatal("no link to the issued certificate")
	}
	alice, _ := e.signIn("alice")
	// The service's CA is a root: layouts with intermediates only are empty.
	want := map[string]int{"": 1, "chain": 0, "cms": 1, "fullchain": 2, "cwms-1x": 1, "cwms-25": 1, "meetingplace": 1}
	for layout, n := range want {
		a := e.get(alice, "/ui/certificates/"+m[1]+"/download?ca=podca&layout="+layout)
		if a.code != http.StatusOK {
			t.Errorf("layout %q: %d", layout, a.code)
			continue
		}
		got := 0
		for block, rest := pem.Decode([]byte(a.body)); block != nil; block, rest = pem.Decode(rest) {
			got++
		}
		if got != n {
			t.Errorf("layout %q: %d certificates, want %d", layout, got, n)
		}
	}
	if a := e.get(alice, "/ui/certificates/"+m[1]+"/download?layout=trust"); a.code != http.StatusBadRequest {
		t.Errorf("layout trust: %d, want 400", a.code)
	}
	mallory, _ := e.signIn("mallory")
	if a := e.get(mallory, "/ui/certificates/"+m[1]+"/download?layout=cms"); a.code != http.StatusNotFound {
		t.Errorf("another requester's certificate: %d, want 404", a.code)
	}
	if a := e.get(mallory, "/ui/certificates/../../api/v1/audit"); a.code == http.StatusOK {
		t.Errorf("a path trick answered 200")
	}
}

func TestRevokeNeedsTheRole(t *testing.T) {
	e := start(t)
	id := e.submit("alice", makeCSR(t, "cb7.example.com", "cb7.example.com"), "cms-callbridge")
	bob, csrf := e.signIn("bob")
	e.post(bob, "/ui/requests/"+id+"/approve", url.Values{"csrf": {csrf}})
	serial := serialLink.FindStringSubmatch(e.get(bob, "/ui/requests/"+id).body)[1]
	for _, who := range []string{"alice", "eve"} {
		c, csrf := e.signIn(who)
		page := e.get(c, "/ui/certificates/"+serial+"?ca=podca")
		if page.code != http.StatusOK || strings.Contains(page.body, `id="revoke"`) {
			t.Errorf("%s: the certificate page %d offers Revoke", who, page.code)
		}
		if a := e.post(c, "/ui/certificates/"+serial+"/revoke?ca=podca", url.Values{"csrf": {csrf}, "reason": {"superseded"}}); a.code != http.StatusForbidden {
			t.Errorf("%s revoking: %d, want 403", who, a.code)
		}
	}
	if a := e.post(bob, "/ui/certificates/"+serial+"/revoke?ca=podca", url.Values{"csrf": {csrf}, "reason": {"nonsense"}}); a.code != http.StatusBadRequest {
		t.Errorf("an unknown reason: %d, want 400", a.code)
	}
	a := e.post(bob, "/ui/certificates/"+serial+"/revoke?ca=podca", url.Values{"csrf": {csrf}, "reason": {"superseded"}})
	if a.code != http.StatusSeeOther {
		t.Fatalf("revoke: %d\n%s", a.code, a.body)
	}
	if page := e.get(bob, a.location); !strings.Contains(page.body, "superseded") || strings.Contains(page.body, `id="revoke"`) {
		t.Error("the revoked certificate's page lacks the reason or still offers Revoke")
	}
	if a := e.post(bob, "/ui/certificates/"+serial+"/revoke?ca=podca", url.Values{"csrf": {csrf}, "reason": {"superseded"}}); a.code != http.StatusConflict {
		t.Errorf("revoking twice: %d, want 409", a.code)
	}
}
