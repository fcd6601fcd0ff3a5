package caapi

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/confcert/confcert/internal/caservice"
	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/cawire"
)

func toJSON(r caservice.Request) cawire.Request {
	out := cawire.Request{ID: r.ID, Status: r.Status, Profile: r.Profile, CA: r.CA, SubjectCN: r.SubjectCN,
		SANs: r.SANs, Days: r.Days, Comment: r.Comment, RequestedBy: r.RequestedBy, RequestedAt: stamp(r.RequestedAt),
		DecidedBy: r.DecidedBy, DecidedAt: stamp(r.DecidedAt), Reason: r.Reason, Findings: r.FindingList}
	if r.Serial != "" {
		out.Serial = &r.Serial
	}
	if out.SANs == nil {
		out.SANs = []string{}
	}
	if out.Findings == nil {
		out.Findings = []cawire.Finding{}
	}
	return out
}

// stamp is RFC 3339 UTC, or "" for the zero time (as `ca issued --json`).
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

type submitBody struct {
	CSR     string `json:"csr"`
	Profile string `json:"profile"`
	Days    int    `json:"days"`
	Comment string `json:"comment"`
}

func (a *API) submit(w http.ResponseWriter, r *http.Request, p caservice.Principal) {
	var b submitBody
	if err := decode(r, &b); err != nil {
		a.fail(w, r, err)
		return
	}
	req, err := a.svc.Submit(r.Context(), p, caservice.SubmitInput{CSRPEM: b.CSR, Profile: b.Profile, Days: b.Days, Comment: b.Comment})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toJSON(req))
}

// requestStatuses are the values of GET /requests?status= (a request's
// status); another is refused, so that a typo does not read as "none".
var requestStatuses = []string{caservice.StatusPending, caservice.StatusApproved, caservice.StatusIssued,
	caservice.StatusRejected, caservice.StatusFailed}

func (a *API) listRequests(w http.ResponseWriter, r *http.Request, p caservice.Principal) {
	status := r.URL.Query().Get("status")
	if status != "" && !slices.Contains(requestStatuses, status) {
		writeError(w, http.StatusBadRequest, "status="+status+" is not a request status",
			"give status="+strings.Join(requestStatuses, ", ")+", or no status for all")
		return
	}
	rs, err := a.svc.Requests(r.Context(), p, status)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Requests []cawire.Request `json:"requests"`
	}{Requests: []cawire.Request{}}
	for _, req := range rs {
		out.Requests = append(out.Requests, toJSON(req))
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) getRequest(w http.ResponseWriter, r *http.Request, p caservice.Principal) {
	req, err := a.svc.Request(r.Context(), p, r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toJSON(req))
}

type decisionBody struct {
	Reason string `json:"reason"`
}

// decisionBody reads the optional {"reason": ...} of approve and reject.
func readDecision(r *http.Request) (decisionBody, error) {
	var b decisionBody
	if r.ContentLength == 0 {
		return b, nil
	}
	err := decode(r, &b)
	if err != nil && strings.Contains(err.Error(), "EOF") {
		return b, nil
	}
	return b, err
}

func (a *API) approve(w http.ResponseWriter, r *http.Request, p caservice.Principal) {
	b, err := readDecision(r)
	if err == nil {
		var req caservice.Request
		if req, err = a.svc.Approve(r.Context(), p, r.PathValue("id"), b.Reason); err == nil {
			writeJSON(w, http.StatusOK, toJSON(req))
			return
		}
	}
	a.fail(w, r, err)
}

func (a *API) reject(w http.ResponseWriter, r *http.Request, p caservice.Principal) {
	b, err := readDecision(r)
	if err == nil {
		var req caservice.Request
		if req, err = a.svc.Reject(r.Context(), p, r.PathValue("id"), b.Reason); err == nil {
			writeJSON(w, http.StatusOK, toJSON(req))
			return
		}
	}
	a.fail(w, r, err)
}

// certificateJSON has the fields of `ca issued --json`, and the revocation.
type certificateJSON struct {
	CA               string   `json:"ca"`
	Serial           string   `json:"serial"`
	SubjectCN        string   `json:"subject_cn"`
	SANs             []string `json:"sans"`
	NotAfter         string   `json:"not_after"`
	IssuedAt         string   `json:"issued_at"`
	Status           string   `json:"status"`
	RevokedAt        string   `json:"revoked_at,omitempty"`
	RevocationReason string   `json:"revocation_reason,omitempty"`
	RequestID        string   `json:"request_id,omitempty"`
}

func certJSON(c castore.Record, now time.Time) certificateJSON {
	out := certificateJSON{CA: c.CA, Serial: castore.SerialHex(c.Serial), SubjectCN: c.SubjectCN, SANs: c.SANs,
		NotAfter: stamp(c.NotAfter), IssuedAt: stamp(c.IssuedAt), Status: string(c.Status(now)),
		RevokedAt: stamp(c.RevokedAt), RequestID: c.RequestID}
	if !c.RevokedAt.IsZero() {
		out.RevocationReason = caservice.ReasonName(c.Reason)
	}
	if out.SANs == nil {
		out.SANs = []string{}
	}
	return out
}

func (a *API) listCertificates(w http.ResponseWriter, r *http.Request, p caservice.Principal) {
	q := r.URL.Query()
	cq := caservice.CertQuery{CA: q.Get("ca"), Status: castore.Status(q.Get("status"))}
	if e := q.Get("expiring"); e != "" {
		n, err := strconv.Atoi(e)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "expiring="+e+" is not a number of days", "give expiring=DAYS, e.g. expiring=30")
			return
		}
		cq.Expiring = n
	}
	recs, err := a.svc.Certificates(r.Context(), p, cq)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Certificates []certificateJSON `json:"certificates"`
	}{Certificates: []certificateJSON{}}
	now := time.Now()
	for _, c := range recs {
		out.Certificates = append(out.Certificates, certJSON(c, now))
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) getCertificate(w http.ResponseWriter, r *http.Request, p caservice.Principal) {
	q := r.URL.Query()
	data, err := a.svc.CertificateFile(r.Context(), p, q.Get("ca"), r.PathValue("serial"), q.Get("layout"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-pem-file")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(data)
}

type revokeBody struct {
	Reason string `json:"reason"`
}

func (a *API) revoke(w http.ResponseWriter, r *http.Request, p caservice.Principal) {
	var b revokeBody
	if err := decode(r, &b); err != nil {
		a.fail(w, r, err)
		return
	}
	rec, err := a.svc.Revoke(r.Context(), p, r.URL.Query().Get("ca"), r.PathValue("serial"), b.Reason)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, certJSON(rec, time.Now()))
}

func (a *API) listProfiles(w http.ResponseWriter, r *http.Request, _ caservice.Principal) {
	ps, err := a.svc.Profiles(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Profiles []caservice.Profile `json:"profiles"`
	}{ps})
}

type auditJSON struct {
	At     string `json:"at"`
	Actor  string `json:"actor"`
	Action string `json:"action"`
	Object string `json:"object"`
	Detail string `json:"detail,omitempty"`
	Remote string `json:"remote"`
}

func (a *API) listAudit(w http.ResponseWriter, r *http.Request, p caservice.Principal) {
	es, err := a.svc.Audit(r.Context(), p, 0)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Entries []auditJSON `json:"entries"`
	}{Entries: []auditJSON{}}
	for _, e := range es {
		out.Entries = append(out.Entries, auditJSON{At: e.At.Format(time.RFC3339Nano), Actor: e.Actor, Action: e.Action,
			Object: e.Object, Detail: e.Detail, Remote: e.Remote})
	}
	writeJSON(w, http.StatusOK, out)
}

// caCertificate serves GET /api/v1/ca/{name}.crt: the CA certificate to trust.
func (a *API) caCertificate(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutSuffix(r.PathValue("file"), ".crt")
	if !ok {
		writeError(w, http.StatusNotFound, "want /api/v1/ca/NAME.crt", "NAME is the CA's name, as confcert ca list shows it")
		return
	}
	if name == "default" { // the service's own CA, whatever its name (plan's ca_server)
		name = a.svc.DefaultCA()
	}
	cert, err := a.svc.CACertificate(r.Context(), name)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-pem-file")
	_, _ = w.Write(caservice.PEM(cert))
}

func (a *API) crl(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutSuffix(r.PathValue("file"), ".crl")
	if !ok {
		writeError(w, http.StatusNotFound, "want /api/v1/crl/NAME.crl", "NAME is the CA's name, as confcert ca list shows it")
		return
	}
	der, err := a.svc.CRL(r.Context(), name)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pkix-crl")
	_, _ = w.Write(der)
}

// ocspPost answers an RFC 6960 request in the body (Appendix A.1).
func (a *API) ocspPost(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.ocspAnswer(w, r, body)
}

// ocspGet answers GET /ocsp/{ca}/{base64 of the DER request}, URL-encoded.
func (a *API) ocspGet(w http.ResponseWriter, r *http.Request) {
	raw := r.PathValue("request")
	if un, err := url.PathUnescape(raw); err == nil {
		raw = un
	}
	der, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		der = nil // answered as a malformed request
	}
	a.ocspAnswer(w, r, der)
}

func (a *API) ocspAnswer(w http.ResponseWriter, r *http.Request, der []byte) {
	answer, err := a.svc.OCSP(r.Context(), r.PathValue("ca"), der)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.metrics.ocspAnswered()
	w.Header().Set("Content-Type", "application/ocsp-response")
	_, _ = w.Write(answer)
}

func (a *API) healthz(w http.ResponseWriter, r *http.Request) {
	if err := a.svc.Store().Ping(r.Context()); err != nil {
		a.log.Error("health check: store unreachable", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "store unreachable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
