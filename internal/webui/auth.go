package webui

import (
	"errors"
	"net"
	"net/http"
	"strings"

	"github.com/confcert/confcert/internal/caservice"
)

// call is one signed-in request: who, and the session's CSRF token for
// the forms of the page.
type call struct {
	p    caservice.Principal
	sid  string
	csrf string
}

// handler is a page or action of a signed-in caller.
type handler func(w http.ResponseWriter, r *http.Request, c *call)

// page wraps a handler that needs a session: without one (or when its
// token was revoked meanwhile) the browser goes to /ui/login.
func (u *UI) page(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := u.signedIn(r)
		switch {
		case err != nil:
			u.fail(w, r, nil, err)
		case c == nil:
			toLogin(w, r)
		default:
			h(w, r, c)
		}
	})
}

// action wraps a POST: Go's cross-origin protection (Sec-Fetch-Site,
// Origin), then the session, then the session's CSRF token in the form;
// without it, 403 (spec serve.md).
func (u *UI) action(h handler) http.Handler {
	return u.protect(u.page(func(w http.ResponseWriter, r *http.Request, c *call) {
		if !sameToken(r.PostFormValue(csrfField), c.csrf) {
			u.forbidCSRF(w, r, c)
			return
		}
		h(w, r, c)
	}))
}

// protect refuses cross-origin POSTs before any form is read.
func (u *UI) protect(h http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.forbidCSRF(w, r, nil)
	}))
	return cop.Handler(h)
}

func (u *UI) forbidCSRF(w http.ResponseWriter, r *http.Request, c *call) {
	u.renderError(w, r, c, http.StatusForbidden, "this form was refused: it lacks a valid CSRF token",
		"reload the page and send the form again; forms are only accepted from this site")
}

// signedIn returns the caller of the session cookie, nil when there is no
// live session or its token no longer authenticates.
func (u *UI) signedIn(r *http.Request) (*call, error) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, nil
	}
	sess, ok := u.sessions.get(ck.Value)
	if !ok {
		return nil, nil
	}
	p, err := u.svc.Authenticate(r.Context(), sess.secret, remoteIP(r))
	if errors.Is(err, caservice.ErrUnauthenticated) {
		u.sessions.close(ck.Value)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &call{p: p, sid: ck.Value, csrf: sess.csrf}, nil
}

// toLogin sends the browser to the sign-in page: a 303, or for an htmx
// request (which would follow a 303 inside the page) its HX-Redirect.
func toLogin(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", "/ui/login")
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, "/ui/login", http.StatusSeeOther)
}

// loginPage shows the sign-in form, with a fresh double-submit CSRF token
// in a cookie and in the form.
func (u *UI) loginPage(w http.ResponseWriter, r *http.Request) {
	if c, err := u.signedIn(r); err == nil && c != nil {
		http.Redirect(w, r, "/ui/", http.StatusSeeOther)
		return
	}
	u.showLogin(w, r, http.StatusOK, "")
}

func (u *UI) showLogin(w http.ResponseWriter, r *http.Request, status int, problem string) {
	token := randomToken()
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: token, Path: "/", MaxAge: 3600,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	u.render(w, r, status, "login", view{Title: "Sign in", CSRF: token, Data: problem})
}

// login checks the form's token like the API checks a bearer token and
// opens a session; the cookie carries only the session's random ID.
func (u *UI) login(w http.ResponseWriter, r *http.Request) {
	ck, err := r.Cookie(loginCookie)
	if err != nil || !sameToken(r.PostFormValue(csrfField), ck.Value) {
		u.forbidCSRF(w, r, nil)
		return
	}
	secret := strings.TrimSpace(r.PostFormValue("token"))
	if _, err := u.svc.Authenticate(r.Context(), secret, remoteIP(r)); err != nil {
		if errors.Is(err, caservice.ErrUnauthenticated) {
			u.showLogin(w, r, http.StatusUnauthorized, "This token is unknown or revoked. Ask an admin for one: confcert serve token create.")
			return
		}
		u.fail(w, r, nil, err)
		return
	}
	id, ok := u.sessions.open(secret)
	if !ok {
		u.renderError(w, r, nil, http.StatusServiceUnavailable, "too many open sessions", "try again later")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", MaxAge: int(sessionLifetime.Seconds()),
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/ui/", http.StatusSeeOther)
}

func (u *UI) logout(w http.ResponseWriter, r *http.Request, c *call) {
	u.sessions.close(c.sid)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/ui/login", http.StatusSeeOther)
}

// remoteIP is the caller's address for the audit log: the connection's,
// never a header a client could forge (as the API does).
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
