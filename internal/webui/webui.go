// Package webui is the web interface of `confcert serve` under /ui/ (spec
// serve.md, "Web interface"): sign-in with a token and a session cookie,
// the dashboard with its SVG timeline of expiries, pending requests with
// Approve and Reject, certificates with their chain and downloads,
// revocation and the audit log. It only translates: every page calls
// package caservice with the signed-in token's principal, so the API's
// authorization holds on every page. Templates and static files (a pinned
// htmx for partial updates) are embedded; every page works without
// JavaScript.
package webui

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/confcert/confcert/internal/caapi"
	"github.com/confcert/confcert/internal/caservice"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure the web interface.
type Options struct {
	// Log receives the errors a page cannot show (store failures).
	Log *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// UI serves the web pages over one caservice.Service.
type UI struct {
	svc      *caservice.Service
	log      *slog.Logger
	now      func() time.Time
	pages    map[string]*template.Template
	sessions *sessions
	static   http.Handler
}

// New parses the embedded templates and returns the web interface of svc.
func New(svc *caservice.Service, o Options) (*UI, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	pages, err := parsePages()
	if err != nil {
		return nil, fmt.Errorf("web interface templates: %w", err)
	}
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	return &UI{svc: svc, log: o.Log, now: o.Now, pages: pages, sessions: newSessions(o.Now),
		static: http.StripPrefix("/ui/static/", http.FileServerFS(sub))}, nil
}

// Register adds the pages of spec serve.md to mux, beside the API's
// routes: GET pages behind a session, POST actions behind a session, its
// CSRF token and Go's cross-origin protection; all of them under the
// pages' own timeout (pageTimeout).
func (u *UI) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/ui/", http.StatusSeeOther)
	})
	mux.Handle("/ui/", timeout(u.routes(), pageTimeout))
}

func (u *UI) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /ui/static/", u.staticFiles())
	mux.HandleFunc("GET /ui/login", u.loginPage)
	mux.Handle("POST /ui/login", u.protect(http.HandlerFunc(u.login)))
	mux.Handle("POST /ui/logout", u.action(u.logout))
	mux.Handle("GET /ui/{$}", u.page(u.dashboard))
	mux.Handle("GET /ui/requests", u.page(u.requests))
	mux.Handle("GET /ui/requests/{id}", u.page(u.request))
	mux.Handle("POST /ui/requests/{id}/approve", u.action(u.approve))
	mux.Handle("POST /ui/requests/{id}/reject", u.action(u.reject))
	mux.Handle("GET /ui/certificates", u.page(u.certificates))
	mux.Handle("GET /ui/certificates/{serial}", u.page(u.certificate))
	mux.Handle("GET /ui/certificates/{serial}/download", u.page(u.download))
	mux.Handle("POST /ui/certificates/{serial}/revoke", u.action(u.revoke))
	mux.Handle("GET /ui/audit", u.page(u.audit))
	mux.Handle("/ui/", u.page(u.notFound))
	return mux
}

// pageTimeout bounds every page and action a little below the server's
// handler timeout (caapi.HandlerTimeout), so that the answer of a page
// that took too long is the pages' own, a problem shown in place, rather
// than the API's JSON swapped raw into the page.
const pageTimeout = caapi.HandlerTimeout - 5*time.Second

// timeout answers a page or action still running after d with the problem
// fragment (503); the layout's htmx configuration puts every error answer
// in the page's #problem, this one included (a timeout answer's headers
// are fixed: it cannot say HX-Retarget).
func timeout(h http.Handler, d time.Duration) http.Handler {
	return http.TimeoutHandler(h, d, problemHTML("the service took too long to answer",
		"try again; if this lasts, the service's administrator can check the store"))
}

// staticFiles serves the embedded CSS, htmx and icon; they change only
// with the binary, so browsers may keep them for a day.
func (u *UI) staticFiles() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		u.static.ServeHTTP(w, r)
	})
}
