package webui

import (
	"net/http"
	"time"

	"github.com/confcert/confcert/internal/caservice"
	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/validity"
)

// dashboardPage is the data of dashboard.html.
type dashboardPage struct {
	Requests []count
	Certs    []count
	Timeline timeline
}

// count is one figure of the dashboard and the list it links to.
type count struct {
	ID, Label string
	N         int
	Href      string
}

func (u *UI) dashboard(w http.ResponseWriter, r *http.Request, c *call) {
	reqs, err := u.svc.Requests(r.Context(), c.p, "")
	if err != nil {
		u.fail(w, r, c, err)
		return
	}
	certs, err := u.svc.Certificates(r.Context(), c.p, caservice.CertQuery{})
	if err != nil {
		u.fail(w, r, c, err)
		return
	}
	cas, err := u.caNames(r)
	if err != nil {
		u.fail(w, r, c, err)
		return
	}
	now := u.now()
	d := dashboardPage{Requests: requestCounts(reqs), Certs: certCounts(certs, now),
		Timeline: newTimeline(cas, certs, now)}
	u.render(w, r, http.StatusOK, "dashboard", newView(c, "dashboard", "Dashboard", d))
}

// requestCounts counts requests by status, pending first.
func requestCounts(rs []caservice.Request) []count {
	by := map[string]int{}
	for _, r := range rs {
		by[r.Status]++
	}
	var out []count
	for _, st := range []string{caservice.StatusPending, caservice.StatusIssued, caservice.StatusRejected, caservice.StatusFailed} {
		out = append(out, count{ID: "requests-" + st, Label: st, N: by[st], Href: "/ui/requests?status=" + st})
	}
	return out
}

// certCounts counts certificates valid, expiring within 30 days (the
// warning window of validity.WarnDays, as the service's metric; valid ones
// only), expired and revoked.
func certCounts(recs []castore.Record, now time.Time) []count {
	by := map[castore.Status]int{}
	soon := 0
	for _, r := range recs {
		st := r.Status(now)
		by[st]++
		if st == castore.StatusValid && validity.ExpiresWithin(r.NotAfter, now, validity.Window(validity.WarnDays)) {
			soon++
		}
	}
	return []count{
		{ID: "certs-valid", Label: "valid", N: by[castore.StatusValid], Href: "/ui/certificates?status=valid"},
		{ID: "certs-expiring", Label: "expiring within 30 days", N: soon, Href: "/ui/certificates?status=valid&expiring=30"},
		{ID: "certs-expired", Label: "expired", N: by[castore.StatusExpired], Href: "/ui/certificates?status=expired"},
		{ID: "certs-revoked", Label: "revoked", N: by[castore.StatusRevoked], Href: "/ui/certificates?status=revoked"},
	}
}

// caNames lists the CAs of the store by name. CA names are public (the
// CRL and CA certificate URLs carry them), so every role sees them.
func (u *UI) caNames(r *http.Request) ([]string, error) {
	cas, err := u.svc.Store().CAs(r.Context())
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(cas))
	for _, c := range cas {
		out = append(out, c.Name)
	}
	return out, nil
}
