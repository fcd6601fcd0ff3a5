package webui_test

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/confcert/confcert/internal/openssltest"
)

// browserTimeout bounds the whole browser test: one Chromium start and
// about twenty pages.
const browserTimeout = 3 * time.Minute

// chromium returns the browser to drive: $CONFCERT_CHROMIUM, else Debian's
// chromium in PATH. Without one the test skips, except under CI, where
// .ci/run installs it and its absence is a failure.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CONFCERT_CHROMIUM"); p != "" {
		return p
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed, and CI must run the browser tests: .ci/run installs it (apt-get install chromium)")
	}
	t.Skip("chromium is not installed (apt-get install chromium, or set CONFCERT_CHROMIUM): skipping the browser tests")
	return ""
}

// screenshotDir is $CONFCERT_SCREENSHOTS when set (to keep them), else
// the test's artifact directory (go test -artifacts keeps it).
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("CONFCERT_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.ArtifactDir()
}

// tab is the one browser tab of the test, with what it saw go wrong.
type tab struct {
	t     *testing.T
	e     *env
	ctx   context.Context
	shots string
	n     int

	mu       sync.Mutex
	problems []string
}

// openBrowser starts Chromium headless, with a fresh profile and nothing
// that reaches the network, trusting only the service's HTTPS key.
func openBrowser(t *testing.T, e *env) *tab {
	exe := chromium(t)
	spki := sha256.Sum256(e.listen.RawSubjectPublicKeyInfo)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true), chromedp.Flag("no-proxy-server", true),
		chromedp.Flag("ignore-certificate-errors-spki-list", base64.StdEncoding.EncodeToString(spki[:])),
	}
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	t.Cleanup(cancel)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)
	b := &tab{t: t, e: e, ctx: bctx, shots: screenshotDir(t)}
	if err := chromedp.Listen(bctx, b.watch); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	t.Logf("screenshots in %s", b.shots)
	return b
}

// watch records every JavaScript error, failed load and dialog.
func (b *tab) watch(ev any) {
	var problem string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			problem = fmt.Sprintf("console.%s: %v", ev.Type, consoleArgs(ev.Args))
		}
	case *runtime.EventExceptionThrown:
		problem = "exception: " + ev.ExceptionDetails.Text
		if ev.ExceptionDetails.Exception != nil {
			problem += " " + ev.ExceptionDetails.Exception.Description
		}
	case *cdplog.EventEntryAdded:
		if ev.Entry.Level == cdplog.EntryLevelError {
			problem = fmt.Sprintf("browser log (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
		}
	case *page.EventJavascriptDialogOpening:
		problem = "a JavaScript dialog opened: " + ev.Message
	}
	if problem != "" {
		b.mu.Lock()
		b.problems = append(b.problems, problem)
		b.mu.Unlock()
	}
}

func consoleArgs(args []*runtime.RemoteObject) []string {
	var out []string
	for _, a := range args {
		out = append(out, string(a.Value)+a.Description)
	}
	return out
}

// checkConsole fails the test on anything watch recorded.
func (b *tab) checkConsole() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		b.t.Errorf("JavaScript console: %s", p)
	}
}

func (b *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.shot("failed-" + strings.ReplaceAll(what, " ", "-"))
		b.t.Fatalf("%s: %v", what, err)
	}
}

func run[T any](b *tab, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// until waits for a JavaScript condition on the page, asking again
// through page loads (an answer lost to a navigation is asked again).
func (b *tab) until(what, cond string) {
	b.t.Helper()
	var last error
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.readyState === "complete" && (`+cond+`)`))
		if err == nil && ok {
			return
		}
		last = err
	}
	b.shot("failed-" + strings.ReplaceAll(what, " ", "-"))
	b.t.Fatalf("waiting until %s (%s): not within 15 s (last error %v)", what, cond, last)
}

// shot writes a full-page PNG, numbered in the order taken.
func (b *tab) shot(name string) string {
	b.t.Helper()
	var png []byte
	var err error
	for range 20 { // a page still laying out has no size yet
		if png, err = chromedp.Run(b.ctx, chromedp.FullScreenshot(100)); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return ""
	}
	b.n++
	p := filepath.Join(b.shots, fmt.Sprintf("%02d-%s.png", b.n, name))
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	return p
}

// text returns an element's text content, trimmed.
func (b *tab) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(run(b, "reading "+sel, chromedp.TextContent(chromedp.CSS(sel))))
}

func (b *tab) visit(path string) {
	b.t.Helper()
	b.do("opening "+path, chromedp.Navigate(b.e.base+path))
	b.checkLabels(path)
}

// checkLabels fails when a visible control of the page has no label.
func (b *tab) checkLabels(path string) {
	b.t.Helper()
	unlabelled := run(b, "checking labels", chromedp.Evaluate[[]string](`[...document.querySelectorAll("input:not([type=hidden]), select, textarea, button")]
		.filter(e => (e.labels === undefined || e.labels.length === 0) && !e.getAttribute("aria-label") && (e.tagName !== "BUTTON" || e.textContent.trim() === ""))
		.map(e => e.outerHTML)`))
	for _, u := range unlabelled {
		b.t.Errorf("%s: a control without a label: %s", path, u)
	}
}

func (b *tab) signIn(who string) {
	b.t.Helper()
	b.visit("/ui/")
	b.until("the login page shows", `location.pathname === "/ui/login"`)
	b.do("signing in as "+who,
		chromedp.SendKeys(chromedp.ID("token"), b.e.tokens[who]),
		chromedp.Click(chromedp.CSS("main button[type=submit]")),
		chromedp.WaitVisible(chromedp.ID("counts-requests")))
	if got := b.text(".who strong"); got != who {
		b.t.Fatalf("signed in as %q, want %s", got, who)
	}
}

func (b *tab) signOut() {
	b.t.Helper()
	b.do("signing out", chromedp.Click(chromedp.CSS(".who button")), chromedp.WaitVisible(chromedp.ID("token")))
}

// download clicks a download link and returns the file the browser saved.
func (b *tab) download(dir, sel string) []byte {
	b.t.Helper()
	progress := chromedp.Events(b.ctx, browser.DownloadProgress)
	b.do("downloading "+sel, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		yes := true
		_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &yes})
		return err
	}), chromedp.Click(chromedp.CSS(sel)))
	for ev, err := range progress {
		if err != nil {
			b.t.Fatalf("downloading %s: %v", sel, err)
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			b.t.Fatalf("downloading %s: canceled", sel)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			data, err := os.ReadFile(filepath.Join(dir, ev.GUID))
			if err != nil {
				b.t.Fatal(err)
			}
			return data
		}
	}
	b.t.Fatalf("downloading %s: no end", sel)
	return nil
}

// TestBrowser drives the whole web interface in Chromium, in one browser:
// a requester submits (through the API) and sees no Approve; an approver
// sees the findings, approves from the keyboard, downloads the cms bundle
// (verified with openssl), revokes, and sees the dashboard change; an
// auditor reads the audit log and a hostile CN as text.
func TestBrowser(t *testing.T) {
	e := start(t)
	seeded := e.seedFleet()
	b := openBrowser(t, e)
	own := e.submit("alice", makeCSR(t, "cb1.pod.example.com"), "cms-callbridge")
	hostile := e.submit("mallory", makeCSR(t, hostileCN, "cb9.pod.example.com"), "cms-callbridge")

	b.signIn("alice")
	b.shot("dashboard-requester")
	b.visit("/ui/requests/" + own)
	b.shot("request-as-requester")
	if n := run(b, "looking for Approve", chromedp.Evaluate[int](`document.querySelectorAll("#approve, #reject, form[action$='/approve']").length`)); n != 0 {
		t.Error("the requester sees Approve or Reject on their own request")
	}
	if run(b, "looking for the audit link", chromedp.Evaluate[bool](`!!document.querySelector("a[href='/ui/audit']")`)) {
		t.Error("the requester is offered the audit log")
	}
	b.signOut()

	b.signIn("bob")
	before := b.counts()
	b.shot("dashboard")
	if before["certs-valid"] != seeded+1 { // and the service's own HTTPS certificate
		t.Errorf("the dashboard counts %d valid certificates, want %d", before["certs-valid"], seeded+1)
	}
	lanes := run(b, "reading the timeline", chromedp.Evaluate[[]string](`[...document.querySelectorAll(".timeline text.ca")].map(t => t.textContent)`))
	if strings.Join(lanes, ",") != "dbca (4),podca (13)" {
		t.Errorf("the timeline's lanes are %q, want dbca (4) and podca (13)", lanes)
	}
	b.visit("/ui/requests")
	b.shot("requests")
	b.approveByKeyboard(own)
	b.certificateAndDownloads(e)
	b.revoke()
	b.visit("/ui/")
	after := b.counts()
	b.shot("dashboard-after-revocation")
	if after["certs-revoked"] != before["certs-revoked"]+1 || after["certs-valid"] != before["certs-valid"] ||
		after["requests-pending"] != before["requests-pending"]-1 || after["requests-issued"] != before["requests-issued"]+1 {
		t.Errorf("dashboard counts before %v, after approval and revocation %v", before, after)
	}
	b.searchCertificates()
	b.darkMode()
	b.signOut()

	b.signIn("eve")
	b.visit("/ui/audit")
	b.shot("audit")
	if log := b.text("table.audit"); !strings.Contains(log, "revoke") || !strings.Contains(log, "approve") {
		t.Errorf("the audit log lacks the approval or the revocation:\n%s", log)
	}
	b.hostileCN(hostile)
	b.checkConsole()
}

// counts reads the dashboard's figures by id.
func (b *tab) counts() map[string]int {
	b.t.Helper()
	raw := run(b, "reading the counts", chromedp.Evaluate[map[string]string](`Object.fromEntries([...document.querySelectorAll(".counts a")].map(a => [a.id, a.querySelector(".n").textContent]))`))
	out := map[string]int{}
	for k, v := range raw {
		var n int
		if _, err := fmt.Sscan(v, &n); err != nil {
			b.t.Fatalf("count %s is %q", k, v)
		}
		out[k] = n
	}
	return out
}

// approveByKeyboard opens a pending request, checks its findings are
// shown, reaches Approve with Tab alone and presses Enter: htmx swaps the
// decision in place.
func (b *tab) approveByKeyboard(id string) {
	b.t.Helper()
	b.visit("/ui/requests/" + id)
	b.shot("pending-request")
	if f := b.text("table.findings"); !strings.Contains(f, "SAN-PRESENT") || !strings.Contains(f, "no subject alternative name") {
		b.t.Errorf("the findings of check are not shown:\n%s", f)
	}
	b.do("marking the page", chromedp.Evaluate[chromedp.Void](`window.sameDocument = true`))
	reached := false
	for range 40 {
		b.do("pressing Tab", chromedp.KeyEvent("\t"))
		if run(b, "reading the focus", chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ""`)) == "approve" {
			reached = true
			break
		}
	}
	if !reached {
		b.t.Fatal("Approve cannot be reached with Tab")
	}
	b.do("pressing Enter on Approve", chromedp.KeyEvent("\r"))
	b.until("the request is issued", `document.getElementById("request-status")?.textContent === "issued"`)
	if !run(b, "checking the page stayed", chromedp.Evaluate[bool](`window.sameDocument === true`)) {
		b.t.Error("approving reloaded the whole page: htmx did not swap the decision in place")
	}
	b.shot("approved")
}

// certificateAndDownloads opens the issued certificate, checks its chain
// tree, and downloads the certificate and the cms bundle through the
// browser; openssl verifies one against the other.
func (b *tab) certificateAndDownloads(e *env) {
	b.t.Helper()
	b.do("opening the certificate", chromedp.Click(chromedp.ID("issued-link")), chromedp.WaitVisible(chromedp.ID("chain-title")))
	b.checkLabels("certificate page")
	b.shot("certificate")
	if n := run(b, "reading the chain", chromedp.Evaluate[int](`document.querySelectorAll(".tree .node").length`)); n != 2 {
		b.t.Errorf("the chain tree has %d nodes, want 2 (root, certificate)", n)
	}
	dir := b.t.TempDir()
	cert := b.download(dir, "#download-cert")
	bundle := b.download(dir, "#download-cms")
	certFile, bundleFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "cms.pem")
	if err := os.WriteFile(certFile, cert, 0o644); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(bundleFile, bundle, 0o644); err != nil {
		b.t.Fatal(err)
	}
	if out := openssltest.Run(b.t, dir, "verify", "-CAfile", bundleFile, certFile); !strings.Contains(out, "OK") {
		b.t.Errorf("openssl verify: %s", out)
	}
	ca, err := os.ReadFile(e.caFile)
	if err != nil {
		b.t.Fatal(err)
	}
	if got := pemCerts(b.t, bundle); len(got) != 1 || !got[0].Equal(pemCerts(b.t, ca)[0]) {
		b.t.Errorf("the cms bundle holds %d certificates, want the service's CA alone (root last, no intermediates)", len(got))
	}
}

func pemCerts(t *testing.T, data []byte) []*x509.Certificate {
	t.Helper()
	var out []*x509.Certificate
	for block, rest := pem.Decode(data); block != nil; block, rest = pem.Decode(rest) {
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// revoke revokes the certificate on its page with a reason.
func (b *tab) revoke() {
	b.t.Helper()
	b.do("revoking", chromedp.SetValue(chromedp.ID("reason"), "keyCompromise"), chromedp.Click(chromedp.ID("revoke")))
	b.until("the certificate is revoked", `document.getElementById("cert-status-value")?.textContent === "revoked"`)
	b.shot("revoked")
	if s := b.text("main > p"); !strings.Contains(s, "keyCompromise") {
		b.t.Errorf("the revoked certificate's page says %q, want the reason keyCompromise", s)
	}
}

// searchCertificates types a name into the filter: htmx replaces the
// results and the address as the user types.
func (b *tab) searchCertificates() {
	b.t.Helper()
	b.visit("/ui/certificates")
	b.do("typing a name", chromedp.SendKeys(chromedp.ID("name"), "cb1.pod"))
	b.until("the results narrow", `document.querySelector("#results .summary")?.textContent.trim() === "1 certificate" && location.search.includes("name=cb1.pod")`)
	b.shot("certificates-search")
}

// darkMode takes the dashboard in the dark colour scheme.
func (b *tab) darkMode() {
	b.t.Helper()
	dark := chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}})
		return err
	})
	b.do("dark mode", dark)
	b.visit("/ui/")
	if bg := run(b, "reading the background", chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`)); bg != "rgb(13, 17, 23)" {
		b.t.Errorf("dark mode background %s, want rgb(13, 17, 23)", bg)
	}
	b.shot("dashboard-dark")
	b.do("light mode", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
		return err
	}))
}

// hostileCN checks a CN of markup is shown as the text it is.
func (b *tab) hostileCN(id string) {
	b.t.Helper()
	b.visit("/ui/requests/" + id)
	b.shot("hostile-cn")
	if got := b.text("#csr-cn"); got != hostileCN {
		b.t.Errorf("the hostile CN shows as %q, want the text %q", got, hostileCN)
	}
	if n := run(b, "counting injected nodes", chromedp.Evaluate[int](`document.querySelectorAll("main script, main img").length`)); n != 0 {
		b.t.Errorf("the hostile CN made %d elements", n)
	}
}
