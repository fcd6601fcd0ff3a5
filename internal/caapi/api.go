// Package caapi is the JSON API of `confcert serve` under /api/v1, the
// public CRL and OCSP endpoints, /healthz and /metrics (spec serve.md). It
// only translates: HTTP in, a call to package caservice, JSON out. The web
// pages of issue 13 are added with (*API).Mux beside these routes and call
// the same service.
package caapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/confcert/confcert/internal/caservice"
)

// MaxBody is the largest request body accepted: 1 MiB (spec serve.md).
const MaxBody = 1 << 20

// HandlerTimeout bounds every handler; a slow store answers 503 rather
// than holding the connection.
const HandlerTimeout = 30 * time.Second

// API serves the CA service over HTTP.
type API struct {
	svc     *caservice.Service
	metrics *Metrics
	log     *slog.Logger
	mux     *http.ServeMux
}

// New returns the API of svc with its routes registered.
func New(svc *caservice.Service, m *Metrics, log *slog.Logger) *API {
	a := &API{svc: svc, metrics: m, log: log, mux: http.NewServeMux()}
	a.routes()
	return a
}

// Mux is the router: more routes (the web pages under /ui/) are added to
// it with Handle or HandleFunc before the server starts. Handlers added
// this way get the body cap, the timeout and the metrics of Handler too.
func (a *API) Mux() *http.ServeMux { return a.mux }

// Handler is the whole service: the router behind the body cap, the
// per-handler timeout and request metrics.
func (a *API) Handler() http.Handler { return a.wrap(a.mux) }

func (a *API) wrap(h http.Handler) http.Handler {
	timed := http.TimeoutHandler(h, HandlerTimeout, `{"error": "the service took too long to answer", "hint": "try again; if it persists, check the store"}`)
	return a.metrics.wrap(limitBody(timed))
}

func (a *API) routes() {
	m := a.mux
	m.HandleFunc("POST /api/v1/requests", a.authed(a.submit))
	m.HandleFunc("GET /api/v1/requests", a.authed(a.listRequests))
	m.HandleFunc("GET /api/v1/requests/{id}", a.authed(a.getRequest))
	m.HandleFunc("POST /api/v1/requests/{id}/approve", a.authed(a.approve))
	m.HandleFunc("POST /api/v1/requests/{id}/reject", a.authed(a.reject))
	m.HandleFunc("GET /api/v1/certificates", a.authed(a.listCertificates))
	m.HandleFunc("GET /api/v1/certificates/{serial}", a.authed(a.getCertificate))
	m.HandleFunc("POST /api/v1/certificates/{serial}/revoke", a.authed(a.revoke))
	m.HandleFunc("GET /api/v1/profiles", a.authed(a.listProfiles))
	m.HandleFunc("GET /api/v1/audit", a.authed(a.listAudit))
	a.publicRoutes(m)
	// Every path of the spec's API table is under /api/v1, /metrics too;
	// /metrics stays at the root, where scrapers look by default.
	m.Handle("GET /metrics", a.metrics.Handler())
	m.Handle("GET /api/v1/metrics", a.metrics.Handler())
	m.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such API endpoint: "+r.Method+" "+r.URL.Path, "the endpoints are under /api/v1 (confcert help serve)")
	})
}

// publicRoutes are the endpoints anyone may call: the CA certificate, the
// CRL, OCSP and health. They are also all the revocation listener serves.
func (a *API) publicRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /api/v1/ca/{file}", a.caCertificate)
	m.HandleFunc("GET /api/v1/crl/{file}", a.crl)
	m.HandleFunc("POST /api/v1/ocsp/{ca}", a.ocspPost)
	m.HandleFunc("GET /api/v1/ocsp/{ca}/{request...}", a.ocspGet)
	m.HandleFunc("GET /healthz", a.healthz)
	m.HandleFunc("GET /api/v1/healthz", a.healthz)
}

// RevocationHandler serves only the public endpoints (CRL, OCSP, the CA
// certificate, health), for the plain-HTTP revocation listener: signed data
// and no token, so nothing there needs TLS, and CRL fetchers need no trust
// of their own to get it.
func (a *API) RevocationHandler() http.Handler {
	m := http.NewServeMux()
	a.publicRoutes(m)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "this address serves only the CRL, OCSP and the CA certificate", "the API is on the HTTPS address")
	})
	return a.wrap(m)
}

// authed wraps a handler that needs a caller: the bearer token is checked
// first, 401 when missing, unknown or revoked.
func (a *API) authed(h func(w http.ResponseWriter, r *http.Request, p caservice.Principal)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		secret, ok := bearer(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="confcert"`)
			writeError(w, http.StatusUnauthorized, "no token: send Authorization: Bearer TOKEN", "an admin makes one with confcert serve token create")
			return
		}
		p, err := a.svc.Authenticate(r.Context(), secret, remoteIP(r))
		if err != nil {
			a.fail(w, r, err)
			return
		}
		h(w, r, p)
	}
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		return "", false
	}
	return strings.TrimSpace(secret), true
}

// remoteIP is the caller's address for the audit log: the connection's,
// never a header a client could forge.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// limitBody caps every body at MaxBody.
func limitBody(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > MaxBody {
			writeError(w, http.StatusRequestEntityTooLarge, "the body is larger than 1 MiB", "a CSR is a few kilobytes: send the CSR alone")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
		h.ServeHTTP(w, r)
	})
}

// decode reads a JSON body into v, refusing unknown fields.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return &badRequest{msg: "the body is not the JSON expected: " + err.Error()}
	}
	return nil
}

type badRequest struct{ msg string }

func (e *badRequest) Error() string { return e.msg }

// The hints of the errors whose cause the service's error already says: every
// error answer carries a hint (spec serve.md: {"error": "...", "hint": "..."}).
const (
	hintRoles    = "a requester submits and reads its own requests; an approver approves, rejects and revokes, never its own request; an admin manages profiles and CAs; an auditor reads everything (confcert help serve)"
	hintFields   = "the requests and their JSON fields are listed in confcert help serve"
	hintList     = "list what exists: GET /api/v1/requests or GET /api/v1/certificates"
	hintApproved = "do not approve it again: the service issues it within a few minutes (confcert ca requests --status issued)"
	hintBusy     = "send the request again after the seconds of Retry-After; if this lasts, the service's administrator can raise confcert serve --max-issuing or check the store"
)

// errorBody is every error's JSON (spec serve.md).
type errorBody struct {
	Error    string              `json:"error"`
	Hint     string              `json:"hint"`
	Findings []caservice.Finding `json:"findings,omitempty"`
}

func writeError(w http.ResponseWriter, status int, msg, hint string) {
	writeJSON(w, status, errorBody{Error: msg, Hint: hint})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // the client went away: nothing more to do
}

// fail maps a service error to its status code and JSON.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	var forbidden *caservice.ForbiddenError
	var refused *caservice.RefusedError
	var tooBig *http.MaxBytesError
	var bad *badRequest
	var approved *caservice.ApprovedError
	switch {
	case errors.As(err, &approved):
		// The approval is recorded; only its issuance waits: no
		// Retry-After, which promises that nothing was done.
		writeError(w, http.StatusServiceUnavailable, err.Error(), hintApproved)
	case errors.Is(err, caservice.ErrBusy):
		// Nothing was reserved, signed or stored: the request may be sent
		// again as it is, and clients do (caclient), after Retry-After.
		w.Header().Set("Retry-After", strconv.Itoa(int(caservice.RetryBusy/time.Second)))
		writeError(w, http.StatusServiceUnavailable, err.Error(), hintBusy)
	case errors.Is(err, caservice.ErrStopping):
		writeError(w, http.StatusServiceUnavailable, err.Error(), "send the request again once the service is back")
	case errors.Is(err, caservice.ErrUnauthenticated):
		w.Header().Set("WWW-Authenticate", `Bearer realm="confcert", error="invalid_token"`)
		writeError(w, http.StatusUnauthorized, "unknown or revoked token", "ask an admin for a token: confcert serve token create")
	case errors.As(err, &forbidden):
		writeError(w, http.StatusForbidden, forbidden.Reason, hintRoles)
	case errors.As(err, &refused):
		writeJSON(w, http.StatusUnprocessableEntity, errorBody{Error: refused.Error(), Findings: refused.Findings,
			Hint: "make a new CSR as each FAILURE's fix says, then submit it again"})
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, "the body is larger than 1 MiB", "send the CSR alone")
	case errors.As(err, &bad), errors.Is(err, caservice.ErrInvalid):
		writeError(w, http.StatusBadRequest, err.Error(), hintFields)
	case errors.Is(err, caservice.ErrLint):
		// A request stored before Submit refused what the lint gate stops:
		// approving it cannot issue, and it is now marked failed.
		writeError(w, http.StatusUnprocessableEntity, err.Error(), "the request is marked failed: make a new CSR without what the lint names, and submit it")
	case errors.Is(err, caservice.ErrNotFound):
		writeError(w, http.StatusNotFound, err.Error(), hintList)
	case errors.Is(err, caservice.ErrConflict):
		writeError(w, http.StatusConflict, err.Error(), "list the requests again: someone decided this one already")
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		writeError(w, http.StatusServiceUnavailable, "the service took too long to answer", "try again")
	default:
		a.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, "the service could not do this", "the service's log has the details")
	}
}
