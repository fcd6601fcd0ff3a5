package webui

import (
	"bytes"
	"context"
	"errors"
	"html"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/confcert/confcert/internal/caservice"
)

// pageNames are the templates/*.html files that are whole pages; each is
// parsed with layout.html.
var pageNames = []string{"login", "dashboard", "requests", "request", "certificates", "certificate", "audit", "error"}

// view is what every page template gets.
type view struct {
	Title string
	// Nav names the menu entry of the page (dashboard, requests...).
	Nav  string
	Who  *caservice.Principal
	CSRF string
	May  may
	Data any
}

// may is what the signed-in role may do, to show only the controls it
// can use; the service checks again on every action.
type may struct {
	Decide, Revoke, Audit bool
}

func mayOf(p caservice.Principal) may {
	return may{Decide: p.Role.May(caservice.PermDecide), Revoke: p.Role.May(caservice.PermRevoke),
		Audit: p.Role.May(caservice.PermReadAudit)}
}

// newView fills the parts of a view every signed-in page has.
func newView(c *call, nav, title string, data any) view {
	v := view{Title: title, Nav: nav, Data: data}
	if c != nil {
		v.Who, v.CSRF, v.May = &c.p, c.csrf, mayOf(c.p)
	}
	return v
}

var funcs = template.FuncMap{
	"date":     func(t time.Time) string { return stamp(t, "2006-01-02") },
	"datetime": func(t time.Time) string { return stamp(t, "2006-01-02 15:04:05 UTC") },
	"join":     strings.Join,
	"lower":    strings.ToLower,
	"list":     func(s ...string) []string { return s },
}

func stamp(t time.Time, layout string) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(layout)
}

func parsePages() (map[string]*template.Template, error) {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.Must(base.Clone()).ParseFS(templateFS, "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		out[name] = t
	}
	return out, nil
}

// render writes a whole page.
func (u *UI) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	u.execute(w, r, status, name, "layout", v)
}

// execute writes template part of page name; a template error (a bug) is
// a 500 with nothing half-written, shown as a problem (writeProblem).
func (u *UI) execute(w http.ResponseWriter, r *http.Request, status int, name, part string, v view) {
	var buf bytes.Buffer
	if err := u.pages[name].ExecuteTemplate(&buf, part, v); err != nil {
		u.log.Error("web page failed", "page", name, "path", r.URL.Path, "err", err)
		writeProblem(w, r, http.StatusInternalServerError, "the page could not be shown", "the service's log has the details")
		return
	}
	securityHeaders(w.Header())
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes()) // the client went away: nothing more to do
}

// securityHeaders: scripts, styles and images only from this site (no
// inline script or style anywhere), no framing, no referrer, no caching of
// pages that show a signed-in user's data.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "+
		"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
}

// errorPage is the data of error.html.
type errorPage struct {
	Status  int
	Message string
	Hint    string
}

// renderError shows an error as a page, or to htmx as the problem
// fragment swapped into the page's #problem (the layout's), so that an
// action refused (busy, decided meanwhile, forbidden) says why in place.
func (u *UI) renderError(w http.ResponseWriter, r *http.Request, c *call, status int, msg, hint string) {
	v := newView(c, "", http.StatusText(status), errorPage{Status: status, Message: msg, Hint: hint})
	if isHTMX(r) {
		w.Header().Set("HX-Retarget", "#problem")
		w.Header().Set("HX-Reswap", "innerHTML")
		u.execute(w, r, status, "error", "problem", v)
		return
	}
	u.render(w, r, status, "error", v)
}

// fail maps a service error to its status code, as the API does, and
// shows it as a page.
func (u *UI) fail(w http.ResponseWriter, r *http.Request, c *call, err error) {
	var forbidden *caservice.ForbiddenError
	var refused *caservice.RefusedError
	var approved *caservice.ApprovedError
	switch {
	case errors.As(err, &approved):
		u.renderError(w, r, c, http.StatusServiceUnavailable, err.Error(), "reload the page in a few minutes to see it issued")
	case errors.Is(err, caservice.ErrBusy):
		w.Header().Set("Retry-After", strconv.Itoa(int(caservice.RetryBusy/time.Second)))
		u.renderError(w, r, c, http.StatusServiceUnavailable, err.Error(), "try again in a few seconds")
	case errors.Is(err, caservice.ErrStopping):
		u.renderError(w, r, c, http.StatusServiceUnavailable, err.Error(), "try again once the service is back")
	case errors.Is(err, caservice.ErrUnauthenticated):
		toLogin(w, r)
	case errors.As(err, &forbidden):
		u.renderError(w, r, c, http.StatusForbidden, forbidden.Reason, "")
	case errors.As(err, &refused):
		u.renderError(w, r, c, http.StatusUnprocessableEntity, refused.Error(), "make a new CSR as each FAILURE's fix says")
	case errors.Is(err, caservice.ErrInvalid):
		u.renderError(w, r, c, http.StatusBadRequest, err.Error(), "")
	case errors.Is(err, caservice.ErrNotFound):
		u.renderError(w, r, c, http.StatusNotFound, err.Error(), "")
	case errors.Is(err, caservice.ErrConflict):
		u.renderError(w, r, c, http.StatusConflict, err.Error(), "reload the page: someone decided this already")
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		u.renderError(w, r, c, http.StatusServiceUnavailable, "the service took too long to answer", "try again")
	default:
		u.log.Error("web request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		u.renderError(w, r, c, http.StatusInternalServerError, "the service could not do this", "the service's log has the details")
	}
}

// problemHTML is error.html's "problem" fragment, written without the
// templates: for a render that failed, and for the pages' timeout, which
// answers with a fixed body.
func problemHTML(msg, hint string) string {
	return `<p class="problem" role="alert" id="error-message">` + html.EscapeString(msg) + "</p>\n" +
		`<p class="hint">` + html.EscapeString(hint) + "</p>\n"
}

// writeProblem shows a problem as renderError does, without the templates:
// to htmx in the page's #problem, else as a bare page.
func writeProblem(w http.ResponseWriter, r *http.Request, status int, msg, hint string) {
	h := w.Header()
	securityHeaders(h)
	h.Set("Content-Type", "text/html; charset=utf-8")
	body := problemHTML(msg, hint)
	if isHTMX(r) {
		h.Set("HX-Retarget", "#problem")
		h.Set("HX-Reswap", "innerHTML")
	} else {
		body = "<!doctype html>\n<html lang=\"en\">\n<meta charset=\"utf-8\">\n<title>" + http.StatusText(status) +
			" · confcert CA</title>\n<link rel=\"stylesheet\" href=\"/ui/static/style.css\">\n" + body
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body) // the client went away: nothing more to do
}

func (u *UI) notFound(w http.ResponseWriter, r *http.Request, c *call) {
	u.renderError(w, r, c, http.StatusNotFound, "no such page: "+r.URL.Path, "")
}

// isHTMX reports whether htmx sent the request (for a partial answer).
func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }
