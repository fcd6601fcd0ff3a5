package webui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// hostileCN is a common name that would run script if it reached the page
// as markup.
const hostileCN = `<script>alert("cn")</script><img src=x onerror=alert(1)>`

func TestPagesRedirectToLoginWithoutSession(t *testing.T) {
	e := start(t)
	c := e.client()
	for _, path := range []string{"/ui/", "/ui/requests", "/ui/requests/00112233445566778899aabbccddeeff", "/ui/certificates",
		"/ui/certificates/01", "/ui/certificates/01/download?layout=cms", "/ui/audit", "/ui/nosuchpage"} {
		a := e.get(c, path)
		if a.code != http.StatusSeeOther || a.location != "/ui/login" {
			t.Errorf("GET %s without a session: %d to %q, want 303 to /ui/login", path, a.code, a.location)
		}
	}
	for _, path := range []string{"/ui/requests/00112233445566778899aabbccddeeff/approve", "/ui/certificates/01/revoke"} {
		if a := e.post(c, path, url.Values{"csrf": {"x"}}); a.code != http.StatusSeeOther || a.location != "/ui/login" {
			t.Errorf("POST %s without a session: %d to %q, want 303 to /ui/login", path, a.code, a.location)
		}
	}
	if a := e.get(c, "/ui/login"); a.code != http.StatusOK || !strings.Contains(a.body, `name="token"`) {
		t.Errorf("the login page: %d, want 200 with a token field", a.code)
	}
}

func TestLogin(t *testing.T) {
	e := start(t)
	c := e.client()
	page := e.get(c, "/ui/login")
	csrf := csrfOf(t, page.body)
	if a := e.post(c, "/ui/login", url.Values{"token": {e.tokens["bob"]}}); a.code != http.StatusForbidden {
		t.Errorf("sign-in without the CSRF token: %d, want 403", a.code)
	}
	if a := e.post(e.client(), "/ui/login", url.Values{"csrf": {csrf}, "token": {e.tokens["bob"]}}); a.code != http.StatusForbidden {
		t.Errorf("sign-in with a CSRF token but not its cookie: %d, want 403", a.code)
	}
	a := e.post(c, "/ui/login", url.Values{"csrf": {csrf}, "token": {"cct_not-a-token"}})
	if a.code != http.StatusUnauthorized || !strings.Contains(a.body, "unknown or revoked") {
		t.Errorf("a wrong token: %d, want 401 saying unknown or revoked\n%s", a.code, a.body)
	}
	page = e.get(c, "/ui/login")
	a = e.post(c, "/ui/login", url.Values{"csrf": {csrfOf(t, page.body)}, "token": {e.tokens["bob"]}})
	if a.code != http.StatusSeeOther || a.location != "/ui/" {
		t.Fatalf("sign-in: %d to %q, want 303 to /ui/", a.code, a.location)
	}
}

func TestSessionCookie(t *testing.T) {
	e := start(t)
	c := e.client()
	page := e.get(c, "/ui/login")
	req, _ := http.NewRequest("POST", e.base+"/ui/login", strings.NewReader(url.Values{"csrf": {csrfOf(t, page.body)}, "token": {e.tokens["eve"]}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "__Host-confcert-session" {
			session = ck
		}
	}
	if session == nil {
		t.Fatalf("no session cookie in %v", resp.Header["Set-Cookie"])
	}
	if !session.HttpOnly || !session.Secure || session.SameSite != http.SameSiteStrictMode || session.Path != "/" {
		t.Errorf("session cookie %+v: want HttpOnly, Secure, SameSite=Strict, Path=/", session)
	}
	if strings.Contains(session.Value, e.tokens["eve"]) || strings.Contains(e.tokens["eve"], session.Value) {
		t.Error("the session cookie carries the token")
	}
}

func TestRevokedTokenEndsSession(t *testing.T) {
	e := start(t)
	c, _ := e.signIn("carol")
	if err := e.svc.RevokeToken(t.Context(), adminPrincipal, "carol"); err != nil {
		t.Fatal(err)
	}
	if a := e.get(c, "/ui/requests"); a.code != http.StatusSeeOther || a.location != "/ui/login" {
		t.Errorf("a page after the token was revoked: %d to %q, want 303 to /ui/login", a.code, a.location)
	}
}

func TestFormWithoutCSRFTokenRefused(t *testing.T) {
	e := start(t)
	id := e.submit("alice", makeCSR(t, "cb1.example.com", "cb1.example.com"), "cms-callbridge")
	bob, csrf := e.signIn("bob")
	cases := []struct {
		name string
		form url.Values
		site string
	}{
		{"no token", url.Values{"reason": {"ok"}}, ""},
		{"empty token", url.Values{"csrf": {""}}, ""},
		{"another session's token", url.Values{"csrf": {e.otherCSRF("carol")}}, ""},
		{"the right token from another site", url.Values{"csrf": {csrf}}, "cross-site"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", e.base+"/ui/requests/"+id+"/approve", strings.NewReader(tc.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.site != "" {
				req.Header.Set("Sec-Fetch-Site", tc.site)
			}
			if a := e.do(bob, req); a.code != http.StatusForbidden {
				t.Errorf("approve: %d, want 403\n%s", a.code, a.body)
			}
		})
	}
	if page := e.get(bob, "/ui/requests/"+id); !strings.Contains(page.body, `id="request-status">pending<`) {
		t.Error("the request is no longer pending after refused forms")
	}
	if a := e.post(bob, "/ui/requests/"+id+"/approve", url.Values{"csrf": {csrf}}); a.code != http.StatusSeeOther {
		t.Errorf("approve with the CSRF token: %d, want 303\n%s", a.code, a.body)
	}
	if page := e.get(bob, "/ui/requests/"+id); !strings.Contains(page.body, `id="request-status">issued<`) {
		t.Error("the request is not issued after approval")
	}
}

// otherCSRF signs who in and returns that session's CSRF token.
func (e *env) otherCSRF(who string) string {
	_, csrf := e.signIn(who)
	return csrf
}

func TestRequesterSeesNoApproveAndGets403(t *testing.T) {
	e := start(t)
	id := e.submit("alice", makeCSR(t, "cb2.example.com", "cb2.example.com"), "cms-callbridge")
	alice, csrf := e.signIn("alice")
	page := e.get(alice, "/ui/requests/"+id)
	if page.code != http.StatusOK || !strings.Contains(page.body, "cb2.example.com") {
		t.Fatalf("alice's own request: %d", page.code)
	}
	if strings.Contains(page.body, `id="approve"`) || strings.Contains(page.body, `id="reject"`) {
		t.Error("a requester sees Approve or Reject")
	}
	for _, action := range []string{"approve", "reject"} {
		if a := e.post(alice, "/ui/requests/"+id+"/"+action, url.Values{"csrf": {csrf}, "reason": {"mine"}}); a.code != http.StatusForbidden {
			t.Errorf("a requester posting %s: %d, want 403", action, a.code)
		}
	}
	mallory, _ := e.signIn("mallory")
	if a := e.get(mallory, "/ui/requests/"+id); a.code != http.StatusNotFound {
		t.Errorf("another requester reading alice's request: %d, want 404", a.code)
	}
	if a := e.get(alice, "/ui/audit"); a.code != http.StatusForbidden {
		t.Errorf("a requester reading the audit log: %d, want 403", a.code)
	}
	if strings.Contains(page.body, `href="/ui/audit"`) {
		t.Error("a requester is offered the audit log")
	}
}

func TestApproverCannotApproveOwnRequest(t *testing.T) {
	e := start(t)
	id := e.submit("bob", makeCSR(t, "cb3.example.com", "cb3.example.com"), "cms-callbridge")
	bob, csrf := e.signIn("bob")
	page := e.get(bob, "/ui/requests/"+id)
	if strings.Contains(page.body, `id="approve"`) || !strings.Contains(page.body, "You submitted this request") {
		t.Error("an approver is offered to approve their own request")
	}
	if a := e.post(bob, "/ui/requests/"+id+"/approve", url.Values{"csrf": {csrf}}); a.code != http.StatusForbidden ||
		!strings.Contains(a.body, "nobody approves a request they submitted") {
		t.Errorf("self-approval: %d, want 403 saying why\n%s", a.code, a.body)
	}
	carol, _ := e.signIn("carol")
	if page := e.get(carol, "/ui/requests/"+id); !strings.Contains(page.body, `id="approve"`) {
		t.Error("another approver is not offered Approve")
	}
}

func TestHostileCNIsText(t *testing.T) {
	e := start(t)
	id := e.submit("alice", makeCSR(t, hostileCN, "cb4.example.com"), "cms-callbridge")
	bob, csrf := e.signIn("bob")
	escaped := `&lt;script&gt;alert(&#34;cn&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;`
	for _, path := range []string{"/ui/requests", "/ui/requests/" + id} {
		page := e.get(bob, path)
		if strings.Contains(page.body, "<script>alert") || strings.Contains(page.body, "<img src=x") {
			t.Errorf("%s carries the CN as markup", path)
		}
		if !strings.Contains(page.body, escaped) {
			t.Errorf("%s does not show the CN as text", path)
		}
	}
	if a := e.post(bob, "/ui/requests/"+id+"/approve", url.Values{"csrf": {csrf}}); a.code != http.StatusSeeOther {
		t.Fatalf("approve: %d\n%s", a.code, a.body)
	}
	for _, path := range []string{"/ui/certificates", "/ui/certificates?name=script", "/ui/audit"} {
		eve, _ := e.signIn("eve")
		page := e.get(eve, path)
		if strings.Contains(page.body, "<script>alert") || !strings.Contains(page.body, "&lt;script&gt;") {
			t.Errorf("%s: the CN is not escaped text", path)
		}
	}
}
