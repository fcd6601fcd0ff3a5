package webui

import (
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/confcert/confcert/internal/caservice"
	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/certfacts"
	"github.com/confcert/confcert/internal/validity"
)

// certFilter is the search form of /ui/certificates.
type certFilter struct {
	CA       string
	Status   string
	Expiring string
	Name     string
}

// certsPage is the data of certificates.html.
type certsPage struct {
	Filter certFilter
	CAs    []string
	Certs  []certRow
}

// certRow is one certificate of the list.
type certRow struct {
	castore.Record
	SerialHex string
	Status    castore.Status
	DaysLeft  int
}

// certificates lists the certificates the caller may see, filtered by CA,
// status, days to expiry (by the service, as the API does) and a name
// (here: a part of the CN or of a SAN, any case). htmx asks for the
// results alone as the filters change.
func (u *UI) certificates(w http.ResponseWriter, r *http.Request, c *call) {
	q := r.URL.Query()
	f := certFilter{CA: q.Get("ca"), Status: q.Get("status"), Expiring: strings.TrimSpace(q.Get("expiring")), Name: strings.TrimSpace(q.Get("name"))}
	cq := caservice.CertQuery{CA: f.CA, Status: castore.Status(f.Status)}
	if f.Expiring != "" {
		n, err := strconv.Atoi(f.Expiring)
		if err != nil || n < 0 {
			u.renderError(w, r, c, http.StatusBadRequest, "expiring within "+f.Expiring+" days: want a number of days", "")
			return
		}
		cq.Expiring = n
	}
	recs, err := u.svc.Certificates(r.Context(), c.p, cq)
	if err != nil {
		u.fail(w, r, c, err)
		return
	}
	cas, err := u.caNames(r)
	if err != nil {
		u.fail(w, r, c, err)
		return
	}
	d := certsPage{Filter: f, CAs: cas, Certs: certRows(recs, f.Name, u.now())}
	v := newView(c, "certificates", "Certificates", d)
	if isHTMX(r) && r.Header.Get("HX-Target") == "results" {
		u.execute(w, r, http.StatusOK, "certificates", "results", v)
		return
	}
	u.render(w, r, http.StatusOK, "certificates", v)
}

// certRows keeps the records matching name, soonest expiry first.
func certRows(recs []castore.Record, name string, now time.Time) []certRow {
	name = strings.ToLower(name)
	var out []certRow
	for _, rec := range recs {
		if name != "" && !matchesName(rec, name) {
			continue
		}
		out = append(out, certRow{Record: rec, SerialHex: castore.SerialHex(rec.Serial), Status: rec.Status(now),
			DaysLeft: validity.DaysLeft(rec.NotAfter, now)})
	}
	slices.SortStableFunc(out, func(a, b certRow) int { return a.NotAfter.Compare(b.NotAfter) })
	return out
}

func matchesName(rec castore.Record, lower string) bool {
	if strings.Contains(strings.ToLower(rec.SubjectCN), lower) {
		return true
	}
	return slices.ContainsFunc(rec.SANs, func(s string) bool { return strings.Contains(strings.ToLower(s), lower) })
}

// download is one file the certificate page offers.
type download struct {
	Layout string
	Label  string
	Note   string
}

// downloads are every product layout of the chain engine (cli.md,
// bundle), and the certificate alone.
var downloads = []download{
	{"", "Certificate", "the certificate alone (PEM)"},
	{"chain", "chain", "intermediates upward, no root"},
	{"cms", "cms", "Meeting Server ca-bundle: intermediates upward, root last"},
	{"fullchain", "fullchain", "certificate, intermediates, root: Web Bridge 3's full chain file"},
	{"cwms-1x", "cwms-1x", "WebEx Meetings Server 1.x and 2.0: certificate first, then intermediates"},
	{"cwms-25", "cwms-25", "WebEx Meetings Server 2.5 and later: intermediates from the root side, certificate last"},
	{"meetingplace", "meetingplace", "MeetingPlace: certificate first, then intermediates"},
}

// revokeReasons are the RFC 5280 reasons the service takes, commonest
// first.
var revokeReasons = []string{"superseded", "keyCompromise", "affiliationChanged", "cessationOfOperation",
	"privilegeWithdrawn", "cACompromise", "unspecified"}

// certPage is the data of certificate.html.
type certPage struct {
	Rec       castore.Record
	SerialHex string
	Status    castore.Status
	Reason    string
	Cert      *certfacts.Certificate
	// Chain is the tree from the root down to the certificate.
	Chain     []*certfacts.Certificate
	Downloads []download
	Reasons   []string
	CanRevoke bool
}

func (u *UI) certificate(w http.ResponseWriter, r *http.Request, c *call) {
	d, err := u.certData(r, c)
	if err != nil {
		u.fail(w, r, c, err)
		return
	}
	u.render(w, r, http.StatusOK, "certificate", newView(c, "certificates", "Certificate "+d.Rec.SubjectCN, d))
}

func (u *UI) certData(r *http.Request, c *call) (certPage, error) {
	ca, serial := r.URL.Query().Get("ca"), r.PathValue("serial")
	rec, err := u.svc.Certificate(r.Context(), c.p, ca, serial)
	if err != nil {
		return certPage{}, err
	}
	now := u.now()
	d := certPage{Rec: rec, SerialHex: castore.SerialHex(rec.Serial), Status: rec.Status(now), Downloads: downloads,
		Reasons: revokeReasons}
	d.CanRevoke = d.Status != castore.StatusRevoked && c.p.Role.May(caservice.PermRevoke)
	if !rec.RevokedAt.IsZero() {
		d.Reason = caservice.ReasonName(rec.Reason)
	}
	if leaf, err := x509.ParseCertificate(rec.CertDER); err == nil {
		d.Cert = certfacts.Cert(leaf, 0, now)
	}
	full, err := u.svc.CertificateFile(r.Context(), c.p, rec.CA, d.SerialHex, "fullchain")
	if err != nil {
		return certPage{}, err
	}
	d.Chain = chainTree(full, now)
	return d, nil
}

// chainTree reads a fullchain file (certificate first, root last) and
// returns it root first, as the tree is drawn.
func chainTree(pemData []byte, now time.Time) []*certfacts.Certificate {
	var out []*certfacts.Certificate
	for block, rest := pem.Decode(pemData); block != nil; block, rest = pem.Decode(rest) {
		if c, err := x509.ParseCertificate(block.Bytes); err == nil {
			out = append(out, certfacts.Cert(c, len(out), now))
		}
	}
	slices.Reverse(out)
	return out
}

// download serves one layout of a certificate as a file named by its
// serial (never by a name from the certificate).
func (u *UI) download(w http.ResponseWriter, r *http.Request, c *call) {
	layout := r.URL.Query().Get("layout")
	data, err := u.svc.CertificateFile(r.Context(), c.p, r.URL.Query().Get("ca"), r.PathValue("serial"), layout)
	if err != nil {
		u.fail(w, r, c, err)
		return
	}
	name := strings.Map(hexOnly, strings.ToUpper(r.PathValue("serial")))
	if layout != "" {
		name += "-" + layout
	}
	w.Header().Set("Content-Type", "application/x-pem-file")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.pem"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(data) // the client went away: nothing more to do
}

// hexOnly keeps the hex digits of a serial for a file name.
func hexOnly(r rune) rune {
	if strings.ContainsRune("0123456789ABCDEF", r) {
		return r
	}
	return -1
}

// revoke revokes through the service (which checks the role) and shows
// the certificate page again.
func (u *UI) revoke(w http.ResponseWriter, r *http.Request, c *call) {
	ca, serial := r.URL.Query().Get("ca"), r.PathValue("serial")
	rec, err := u.svc.Revoke(r.Context(), c.p, ca, serial, r.PostFormValue("reason"))
	if err != nil {
		u.fail(w, r, c, err)
		return
	}
	http.Redirect(w, r, "/ui/certificates/"+castore.SerialHex(rec.Serial)+"?ca="+url.QueryEscape(rec.CA), http.StatusSeeOther)
}
