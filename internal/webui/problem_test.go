package webui

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/caapi"
)

func newTestUI(t *testing.T) *UI {
	t.Helper()
	u, err := New(nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestFailedRenderShowsProblem: a page whose template fails (here the
// decision panel given the wrong data) answers 500 with the problem: to
// htmx in the page's #problem, as every other refusal, not raw text swapped
// into the target; else as a page.
func TestFailedRenderShowsProblem(t *testing.T) {
	u := newTestUI(t)
	for _, hx := range []bool{true, false} {
		r := httptest.NewRequest("POST", "/ui/requests/r1/approve", nil)
		if hx {
			r.Header.Set("HX-Request", "true")
		}
		w := httptest.NewRecorder()
		u.execute(w, r, http.StatusOK, "request", "decision", view{Data: 42})
		h, body := w.Header(), w.Body.String()
		retarget := h.Get("HX-Retarget") == "#problem" && h.Get("HX-Reswap") == "innerHTML"
		if w.Code != http.StatusInternalServerError || !strings.HasPrefix(h.Get("Content-Type"), "text/html") ||
			!strings.Contains(body, `<p class="problem" role="alert" id="error-message">the page could not be shown</p>`) ||
			retarget != hx || strings.HasPrefix(body, "<!doctype") == hx || h.Get("Content-Security-Policy") == "" {
			t.Errorf("htmx %v: %d %v\n%s\nwant 500, the problem fragment, retargeted to #problem only for htmx", hx, w.Code, h, body)
		}
	}
}

// TestTimeoutShowsProblem: a page still running at the pages' timeout
// answers 503 with the problem fragment as HTML, not the API's JSON.
func TestTimeoutShowsProblem(t *testing.T) {
	stuck := http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	srv := httptest.NewServer(timeout(stuck, 50*time.Millisecond))
	defer srv.Close()
	req, err := http.NewRequest("POST", srv.URL+"/ui/requests/r1/approve", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("HX-Request", "true")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	want := `<p class="problem" role="alert" id="error-message">the service took too long to answer</p>`
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.HasPrefix(string(body), want) {
		t.Errorf("%d %s\n%s\nwant 503, the problem fragment as HTML", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if pageTimeout >= caapi.HandlerTimeout {
		t.Errorf("pageTimeout %v: not below the server's handler timeout, whose answer is the API's JSON", pageTimeout)
	}
}

// TestErrorAnswersGoToProblem: the layout tells htmx to put every 4xx and
// 5xx answer in the page's #problem (innerHTML), whoever wrote it (the
// timeout's fixed answer cannot say HX-Retarget), and the page has one.
func TestErrorAnswersGoToProblem(t *testing.T) {
	u := newTestUI(t)
	w := httptest.NewRecorder()
	u.renderError(w, httptest.NewRequest("GET", "/ui/nowhere", nil), nil, http.StatusNotFound, "no such page", "")
	page := w.Body.String()
	m := regexp.MustCompile(`<meta name="htmx-config" content='([^']*)'>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no htmx-config in\n%s", page)
	}
	var cfg struct {
		ResponseHandling []struct {
			Code, Target, SwapOverride string
			Swap, Error                bool
		}
	}
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &cfg); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, h := range cfg.ResponseHandling {
		if h.Code == "[45].." {
			found = h.Swap && h.Error && h.Target == "#problem" && h.SwapOverride == "innerHTML"
		}
	}
	if !found || !strings.Contains(page, `<div id="problem"></div>`) {
		t.Errorf("errors are not put in #problem: %+v", cfg.ResponseHandling)
	}
}
