package webui

import (
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"net/http"
	"slices"
	"strings"

	"github.com/confcert/confcert/internal/caservice"
	"github.com/confcert/confcert/internal/certfacts"
)

// requestsPage is the data of requests.html.
type requestsPage struct {
	Status   string
	Statuses []string
	Requests []caservice.Request
}

// requests lists requests, pending first, then newest first; the service
// shows a requester only their own.
func (u *UI) requests(w http.ResponseWriter, r *http.Request, c *call) {
	status := r.URL.Query().Get("status")
	statuses := []string{caservice.StatusPending, caservice.StatusApproved, caservice.StatusIssued, caservice.StatusRejected, caservice.StatusFailed}
	if status != "" && !slices.Contains(statuses, status) {
		u.renderError(w, r, c, http.StatusBadRequest, "status "+status+": want pending, approved, issued, rejected or failed", "")
		return
	}
	rs, err := u.svc.Requests(r.Context(), c.p, status)
	if err != nil {
		u.fail(w, r, c, err)
		return
	}
	slices.SortStableFunc(rs, func(a, b caservice.Request) int {
		if pa, pb := a.Status == caservice.StatusPending, b.Status == caservice.StatusPending; pa != pb {
			if pa {
				return -1
			}
			return 1
		}
		return b.RequestedAt.Compare(a.RequestedAt)
	})
	u.render(w, r, http.StatusOK, "requests", newView(c, "requests", "Requests", requestsPage{Status: status, Statuses: statuses, Requests: rs}))
}

// requestPage is the data of request.html.
type requestPage struct {
	Req     caservice.Request
	CSR     *certfacts.CSR
	Asked   []string // extensions the CSR asks for (the profile's are used)
	Profile *caservice.Profile
	// CanDecide: the caller may approve or reject, and did not submit it.
	CanDecide bool
	// Own: the caller submitted it.
	Own bool
}

func (u *UI) request(w http.ResponseWriter, r *http.Request, c *call) {
	d, err := u.requestData(r, c)
	if err != nil {
		u.fail(w, r, c, err)
		return
	}
	u.render(w, r, http.StatusOK, "request", newView(c, "requests", "Request for "+d.Req.SubjectCN, d))
}

// requestData reads a request the caller may see, with its CSR decoded
// and its profile.
func (u *UI) requestData(r *http.Request, c *call) (requestPage, error) {
	req, err := u.svc.Request(r.Context(), c.p, r.PathValue("id"))
	if err != nil {
		return requestPage{}, err
	}
	d := requestPage{Req: req, Own: req.RequestedBy == c.p.Name}
	d.CanDecide = req.Status == caservice.StatusPending && c.p.Role.May(caservice.PermDecide) && !d.Own
	if block, _ := pem.Decode([]byte(req.CSRPEM)); block != nil {
		if csr, err := x509.ParseCertificateRequest(block.Bytes); err == nil {
			d.CSR = certfacts.Request(csr, 0)
			d.Asked = askedExtensions(csr)
		}
	}
	if prof, err := u.svc.Profile(r.Context(), req.Profile); err == nil {
		d.Profile = &prof
	}
	return d, nil
}

// extensionNames names the extensions a CSR commonly asks for.
var extensionNames = map[string]string{
	"2.5.29.14": "subjectKeyIdentifier",
	"2.5.29.15": "keyUsage",
	"2.5.29.17": "subjectAltName",
	"2.5.29.19": "basicConstraints",
	"2.5.29.37": "extKeyUsage",
}

// askedExtensions lists the extensions of a CSR by name (OID when
// unknown), with CA:TRUE called out.
func askedExtensions(csr *x509.CertificateRequest) []string {
	var out []string
	for _, e := range csr.Extensions {
		name, ok := extensionNames[e.Id.String()]
		if !ok {
			name = e.Id.String()
		}
		if e.Id.String() == "2.5.29.19" && asksCA(e.Value) {
			name += " (asks for CA:TRUE)"
		}
		out = append(out, name)
	}
	return out
}

func asksCA(der []byte) bool {
	var bc struct {
		IsCA bool `asn1:"optional"`
	}
	_, err := asn1.Unmarshal(der, &bc)
	return err == nil && bc.IsCA
}

// decision is approve or reject.
type decision func(r *http.Request, c *call, id, reason string) (caservice.Request, error)

func (u *UI) approve(w http.ResponseWriter, r *http.Request, c *call) {
	u.decide(w, r, c, func(r *http.Request, c *call, id, reason string) (caservice.Request, error) {
		return u.svc.Approve(r.Context(), c.p, id, reason)
	})
}

func (u *UI) reject(w http.ResponseWriter, r *http.Request, c *call) {
	u.decide(w, r, c, func(r *http.Request, c *call, id, reason string) (caservice.Request, error) {
		return u.svc.Reject(r.Context(), c.p, id, reason)
	})
}

// decide runs a decision through the service (which checks the role and
// self-approval), then shows the request again: the decision part alone
// for htmx, else a redirect to the request's page.
func (u *UI) decide(w http.ResponseWriter, r *http.Request, c *call, do decision) {
	id := r.PathValue("id")
	if _, err := do(r, c, id, strings.TrimSpace(r.PostFormValue("reason"))); err != nil {
		u.fail(w, r, c, err)
		return
	}
	if !isHTMX(r) {
		http.Redirect(w, r, "/ui/requests/"+id, http.StatusSeeOther)
		return
	}
	d, err := u.requestData(r, c)
	if err != nil {
		u.fail(w, r, c, err)
		return
	}
	u.execute(w, r, http.StatusOK, "request", "decided", newView(c, "requests", "", d))
}
