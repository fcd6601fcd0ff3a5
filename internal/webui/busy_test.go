package webui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/confcert/confcert/internal/caserver/servertest"
)

// TestApproveWhenBusyShowsWhy: with --max-issuing 1 taken by an automatic
// request held while its record commits, the pages still answer, and
// Approve answers 503 with Retry-After and the message and hint, as a page
// to a plain form and as the problem fragment to htmx; the request stays
// pending, and is issued once the held one is answered.
func TestApproveWhenBusyShowsWhy(t *testing.T) {
	h := servertest.NewHoldingStore()
	e := startWith(t, servertest.Options{MaxIssuing: 1, Observe: true,
		Wrap: h.Wrap})
	id := e.submit("alice", makeCSR(t, "cb7.example.com", "cb7.example.com"), "cms-callbridge")
	if _, err := e.svc.ApplyProfiles(t.Context(), adminPrincipal, []byte("profiles:\n- {name: auto-cb, role: cms-callbridge, approval: auto}\n")); err != nil {
		t.Fatal(err)
	}
	bob, csrf := e.signIn("bob")
	close(h.Hold)
	held := make(chan string, 1)
	go func() { held <- e.submit("alice", makeCSR(t, "cb8.example.com", "cb8.example.com"), "auto-cb") }()
	<-h.Held
	for !strings.Contains(e.get(e.client(), "/metrics").body, "\nconfcert_issuing_requests 1\n") {
		time.Sleep(10 * time.Millisecond)
	}
	page := e.get(bob, "/ui/requests/"+id)
	if page.code != http.StatusOK || !strings.Contains(page.body, `id="approve"`) {
		t.Fatalf("the request's page while busy: %d", page.code)
	}
	plain := e.post(bob, "/ui/requests/"+id+"/approve", url.Values{"csrf": {csrf}})
	frag := e.htmx(bob, "POST", "/ui/requests/"+id+"/approve", "decision", url.Values{"csrf": {csrf}})
	for name, a := range map[string]answer{"a form": plain, "htmx": frag} {
		if a.code != http.StatusServiceUnavailable || a.header.Get("Retry-After") != "2" ||
			!strings.Contains(a.body, `id="error-message">the service is busy: it is issuing as many requests as it takes at once (1)`) ||
			!strings.Contains(a.body, "try again in a few seconds") {
			t.Errorf("approve from %s while busy: %d, Retry-After %q; want 503, 2, the message and hint\n%s", name, a.code, a.header.Get("Retry-After"), a.body)
		}
	}
	if strings.Contains(frag.body, "<html") || frag.header.Get("HX-Retarget") != "#problem" {
		t.Errorf("htmx gets the whole page or no target: HX-Retarget %q\n%s", frag.header.Get("HX-Retarget"), frag.body)
	}
	if page := e.get(bob, "/ui/requests/"+id); !strings.Contains(page.body, `id="request-status">pending<`) {
		t.Error("the request is not pending after the refused approvals")
	}
	close(h.Open)
	<-held
	if a := e.post(bob, "/ui/requests/"+id+"/approve", url.Values{"csrf": {csrf}}); a.code != http.StatusSeeOther {
		t.Errorf("approve once the held request is answered: %d\n%s", a.code, a.body)
	}
	if page := e.get(bob, "/ui/requests/"+id); !strings.Contains(page.body, `id="request-status">issued<`) {
		t.Error("the request is not issued after approval")
	}
}

// TestBrowserApproveWhenBusy: in Chromium, Approve pressed while the
// service is busy (its one slot held) shows the message in place (htmx
// swaps the problem fragment, the page stays), the request stays pending;
// once the held request is answered, Approve issues it and the message
// goes. The browser logs the 503 as a failed load, by design, so the
// console is not checked here (TestBrowser checks it on every other page).
func TestBrowserApproveWhenBusy(t *testing.T) {
	h := servertest.NewHoldingStore()
	e := startWith(t, servertest.Options{MaxIssuing: 1,
		Wrap: h.Wrap})
	id := e.submit("alice", makeCSR(t, "cb7.example.com", "cb7.example.com"), "cms-callbridge")
	if _, err := e.svc.ApplyProfiles(t.Context(), adminPrincipal, []byte("profiles:\n- {name: auto-cb, role: cms-callbridge, approval: auto}\n")); err != nil {
		t.Fatal(err)
	}
	b := openBrowser(t, e)
	b.signIn("bob")
	b.visit("/ui/requests/" + id)
	close(h.Hold)
	held := make(chan string, 1)
	go func() { held <- e.submit("alice", makeCSR(t, "cb8.example.com", "cb8.example.com"), "auto-cb") }()
	<-h.Held
	b.do("marking the page", chromedp.Evaluate[chromedp.Void](`window.sameDocument = true`))
	b.do("pressing Approve", chromedp.Click(chromedp.ID("approve")))
	b.until("the message shows", `document.querySelector("#problem #error-message")?.textContent.includes("the service is busy")`)
	if got := b.text("#request-status"); got != "pending" || !run(b, "checking the page stayed", chromedp.Evaluate[bool](`window.sameDocument === true`)) {
		t.Errorf("after a busy Approve: status %q, or the page was reloaded", got)
	}
	b.shot("approve-busy")
	close(h.Open)
	<-held
	b.do("pressing Approve again", chromedp.Click(chromedp.ID("approve")))
	b.until("the request is issued", `document.getElementById("request-status")?.textContent === "issued"`)
	if got := b.text("#problem"); got != "" {
		t.Errorf("the message of the refusal stays after the approval: %q", got)
	}
}
