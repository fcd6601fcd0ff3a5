package caservice

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/certgen"
	"github.com/confcert/confcert/internal/rolecheck"
)

// SubmitInput is a certificate request as a requester sends it.
type SubmitInput struct {
	CSRPEM  string
	Profile string
	Days    int // 0: the profile's maximum
	Comment string
}

// Request is a certificate request as the service shows it.
type Request struct {
	castore.Request
	// FindingList is the check's WARNING and FAILURE results.
	FindingList []Finding
}

func toRequest(r castore.Request) Request {
	out := Request{Request: r}
	_ = json.Unmarshal([]byte(r.Findings), &out.FindingList) // written by Submit: always a JSON array
	return out
}

// Submit records a request: the CSR is judged by its profile's `check`
// role on a copy of the certificate it would get, and refused with the
// findings (a *RefusedError) when any is a FAILURE, before anyone approves
// it. With approval auto the certificate is issued at once: the copy
// judged is then the one Boulder's order lints, with the serial reserved.
// Beyond the bound of requests issued at once it is refused with ErrBusy
// before anything is done (busy.go).
func (s *Service) Submit(ctx context.Context, p Principal, in SubmitInput) (Request, error) {
	start := time.Now()
	if err := p.require(PermSubmit); err != nil {
		return Request{}, err
	}
	release, err := s.enter()
	if err != nil {
		return Request{}, err
	}
	defer release()
	if err := storableText("comment", in.Comment); err != nil {
		return Request{}, err
	}
	csr, err := parseCSR(in.CSRPEM)
	if err != nil {
		return Request{}, err
	}
	prof, err := s.Profile(ctx, in.Profile)
	if err != nil {
		return Request{}, err
	}
	days, capped, err := validity(prof, in.Days)
	if err != nil {
		return Request{}, err
	}
	iss, ans, err := s.issuer(ctx, prof.CA)
	if err != nil {
		return Request{}, err
	}
	auto := prof.Approval == ApprovalAuto
	var reserve func(context.Context, *issuer, time.Time) (*big.Int, error)
	if auto {
		reserve = s.reserveSerial
	}
	pr, err := iss.prepare(ctx, csr, prof, days, s.now(), reserve)
	if err != nil {
		return Request{}, err
	}
	checked, _, err := checkCopy(prof, pr.copy, iss.lintCert, pr.lints)
	if err != nil {
		return Request{}, err
	}
	findings := gateFailures(slices.Concat(suffixFindings(prof, csr), checked, capped), pr)
	if slices.ContainsFunc(findings, func(f Finding) bool { return f.Severity == rolecheck.Failure }) {
		return Request{}, &RefusedError{Profile: prof.Name, Findings: findings}
	}
	r, err := s.newRequest(p, in, prof, iss.ca.Name, csr, days, findings)
	if err != nil {
		return Request{}, err
	}
	submitted := s.auditEntry(p, "submit", "request "+r.ID, fmt.Sprintf("profile %s, CN %q, %d days", prof.Name, r.SubjectCN, days))
	if !auto {
		if err := s.cfg.Store.CreateRequest(ctx, r, submitted); err != nil {
			return Request{}, err
		}
		s.observeStatus(StatusPending)
		return toRequest(r), nil
	}
	return s.finish(ctx, iss, ans, csr, pr, r, true, Principal{Name: "auto", Remote: p.Remote}, start, submitted)
}

// gateFailures makes a FAILURE of each finding that is an error or fatal
// lint of the copy: check reports every lint as a WARNING, but issuance's
// lint gate (prepared.lintError) would stop that certificate whoever
// approved it, so the request is refused now, with the lint, rather than
// kept pending to fail when approved (or, automatic, fail with an internal
// error after its serial was reserved).
func gateFailures(findings []Finding, pr *prepared) []Finding {
	const fix = "make a new CSR without what this lint refuses: the certificate cannot be issued with it"
	for _, l := range pr.lints {
		if l.Status != "error" && l.Status != "fatal" {
			continue
		}
		i := slices.IndexFunc(findings, func(f Finding) bool { return f.Rule == l.Name })
		if i < 0 {
			findings = append(findings, Finding{Rule: l.Name, Message: l.Message})
			i = len(findings) - 1
		}
		findings[i].Severity, findings[i].Fix = rolecheck.Failure, fix
	}
	return findings
}

// finish signs a prepared certificate and records it with its request and
// audit entries in one transaction (new: the request is inserted, already
// issued). A lint failure marks an existing request failed.
func (s *Service) finish(ctx context.Context, iss *issuer, ans *answers, csr *x509.CertificateRequest, pr *prepared,
	r castore.Request, isNew bool, p Principal, start time.Time, audit ...castore.AuditEntry) (Request, error) {
	cert, err := iss.sign(csr, pr)
	if errors.Is(err, ErrLint) && !isNew {
		d := castore.Decision{Status: StatusFailed, By: p.Name, At: s.now().UTC(), Reason: err.Error()}
		_ = s.cfg.Store.DecideRequest(ctx, r.ID, r.Status, d) // the request stays as it was if this fails too
	}
	if err != nil {
		return Request{}, err
	}
	serial := castore.SerialHex(cert.SerialNumber)
	is := castore.Issuance{CA: iss.ca.Name, Cert: cert, At: pr.o.Now, Audit: append(audit,
		s.auditEntry(p, "issue", "certificate "+serial, "request "+r.ID+", CA "+iss.ca.Name))}
	r.Status, r.Serial = StatusIssued, serial
	if isNew {
		is.NewRequest = &r
	} else {
		is.RequestID = r.ID
	}
	err = s.record(ctx, is)
	if errors.Is(err, castore.ErrConflict) {
		return Request{}, fmt.Errorf("%w: request %s was decided meanwhile: %w", ErrConflict, r.ID, err)
	}
	if err != nil {
		return Request{}, err
	}
	s.observeIssued(iss.ca.Name, time.Since(start))
	s.observeStatus(StatusIssued)
	s.presign(iss, ans, cert.Raw)
	return toRequest(r), nil
}

func (s *Service) newRequest(p Principal, in SubmitInput, prof Profile, ca string, csr *x509.CertificateRequest, days int, findings []Finding) (castore.Request, error) {
	js, err := json.Marshal(nonNilFindings(findings))
	if err != nil {
		return castore.Request{}, err
	}
	return castore.Request{ID: newID(), Profile: prof.Name, CA: ca, Status: StatusPending,
		CSRPEM:    string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr.Raw})),
		SubjectCN: csr.Subject.CommonName, SANs: csrNames(csr), Days: days, Comment: in.Comment,
		Findings: string(js), RequestedBy: p.Name, RequestedAt: s.now().UTC()}, nil
}

// validity caps the days asked for at the profile's maximum, saying so.
func validity(p Profile, days int) (int, []Finding, error) {
	switch {
	case days < 0:
		return 0, nil, invalid("days must be positive")
	case days == 0:
		return p.MaxDays, nil, nil
	case days > p.MaxDays:
		return p.MaxDays, []Finding{{Rule: "PROFILE-VALIDITY", Severity: rolecheck.Warning,
			Message: fmt.Sprintf("%d days asked for; profile %s allows at most %d, which the certificate gets", days, p.Name, p.MaxDays)}}, nil
	}
	return days, nil, nil
}

// Approve approves a pending request and issues its certificate. Nobody
// approves a request they submitted (spec serve.md). Beyond the bound of
// requests issued at once it is refused with ErrBusy and the request stays
// pending (busy.go).
func (s *Service) Approve(ctx context.Context, p Principal, id, reason string) (Request, error) {
	r, err := s.decidable(ctx, p, id, reason)
	if err != nil {
		return Request{}, err
	}
	if r.RequestedBy == p.Name {
		return Request{}, &ForbiddenError{Reason: "nobody approves a request they submitted: ask another approver"}
	}
	release, err := s.enter()
	if err != nil {
		return Request{}, err
	}
	defer release()
	d := castore.Decision{Status: StatusApproved, By: p.Name, At: s.now().UTC(), Reason: reason}
	if err := s.decide(ctx, r.ID, StatusPending, d, s.auditEntry(p, "approve", "request "+r.ID, reason)); err != nil {
		return Request{}, err
	}
	r.Status, r.DecidedBy, r.DecidedAt, r.Reason = d.Status, d.By, d.At, d.Reason
	out, err := s.issueRequest(ctx, p, r)
	if errors.Is(err, ErrBusy) || errors.Is(err, ErrStopping) {
		// The queue filled after enter, or the service began shutting
		// down: the approval stands, and the background resume issues the
		// request (ResumeApproved), at the next start if need be.
		return Request{}, &ApprovedError{ID: r.ID, Err: err}
	}
	return out, err
}

// Reject rejects a pending request.
func (s *Service) Reject(ctx context.Context, p Principal, id, reason string) (Request, error) {
	r, err := s.decidable(ctx, p, id, reason)
	if err != nil {
		return Request{}, err
	}
	d := castore.Decision{Status: StatusRejected, By: p.Name, At: s.now().UTC(), Reason: reason}
	if err := s.decide(ctx, r.ID, StatusPending, d, s.auditEntry(p, "reject", "request "+r.ID, reason)); err != nil {
		return Request{}, err
	}
	s.observeStatus(StatusRejected)
	return s.Request(ctx, p, id)
}

// decidable returns a pending request the caller may decide.
func (s *Service) decidable(ctx context.Context, p Principal, id, reason string) (castore.Request, error) {
	if err := p.require(PermDecide); err != nil {
		return castore.Request{}, err
	}
	if err := storableText("reason", reason); err != nil {
		return castore.Request{}, err
	}
	r, err := s.storedRequest(ctx, id)
	if err != nil {
		return castore.Request{}, err
	}
	if r.Status != StatusPending {
		return castore.Request{}, fmt.Errorf("%w: request %s is %s, not pending", ErrConflict, id, r.Status)
	}
	return r, nil
}

func (s *Service) decide(ctx context.Context, id, from string, d castore.Decision, audit castore.AuditEntry) error {
	err := s.cfg.Store.DecideRequest(ctx, id, from, d, audit)
	if errors.Is(err, castore.ErrConflict) {
		return fmt.Errorf("%w: request %s was decided meanwhile", ErrConflict, id)
	}
	return err
}

// issueRequest signs an approved request in Boulder's order.
func (s *Service) issueRequest(ctx context.Context, p Principal, r castore.Request) (Request, error) {
	start := time.Now()
	prof, err := s.Profile(ctx, r.Profile)
	if err != nil {
		return Request{}, err
	}
	iss, ans, err := s.issuer(ctx, r.CA)
	if err != nil {
		return Request{}, err
	}
	csr, err := parseCSR(r.CSRPEM)
	if err != nil {
		return Request{}, err
	}
	pr, err := iss.prepare(ctx, csr, prof, r.Days, s.now(), s.reserveSerial)
	if err != nil {
		return Request{}, err
	}
	return s.finish(ctx, iss, ans, csr, pr, r, false, p, start)
}

// Requests lists requests, oldest first: all for approvers and auditors,
// the caller's own for everyone else.
func (s *Service) Requests(ctx context.Context, p Principal, status string) ([]Request, error) {
	f := castore.RequestFilter{Status: status}
	if !p.Role.May(PermReadAll) {
		if err := p.require(PermReadOwn); err != nil {
			return nil, err
		}
		f.RequestedBy = p.Name
	}
	rs, err := s.cfg.Store.Requests(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]Request, 0, len(rs))
	for _, r := range rs {
		out = append(out, toRequest(r))
	}
	return out, nil
}

// Request returns one request the caller may read; another requester's
// request is ErrNotFound, so IDs reveal nothing.
func (s *Service) Request(ctx context.Context, p Principal, id string) (Request, error) {
	if err := p.require(PermReadOwn); err != nil && !p.Role.May(PermReadAll) {
		return Request{}, err
	}
	r, err := s.storedRequest(ctx, id)
	if err != nil {
		return Request{}, err
	}
	if !p.Role.May(PermReadAll) && r.RequestedBy != p.Name {
		return Request{}, fmt.Errorf("request %s: %w", id, ErrNotFound)
	}
	return toRequest(r), nil
}

func (s *Service) storedRequest(ctx context.Context, id string) (castore.Request, error) {
	if !ValidID(id) {
		return castore.Request{}, fmt.Errorf("request %q: %w", id, ErrNotFound)
	}
	r, err := s.cfg.Store.Request(ctx, id)
	if errors.Is(err, castore.ErrNotFound) {
		return castore.Request{}, fmt.Errorf("request %s: %w", id, ErrNotFound)
	}
	return r, err
}

// ResumeApproved issues requests left approved but not issued by a crash
// between approval and issuance (older than grace, so as not to race an
// instance still working on one). It returns how many it issued.
func (s *Service) ResumeApproved(ctx context.Context, grace time.Duration) (int, error) {
	rs, err := s.cfg.Store.Requests(ctx, castore.RequestFilter{Status: StatusApproved})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range rs {
		if s.now().Sub(r.DecidedAt) < grace {
			continue
		}
		if _, err := s.issueRequest(ctx, Principal{Name: "resume"}, r); err == nil {
			n++
		}
	}
	return n, nil
}

func parseCSR(text string) (*x509.CertificateRequest, error) {
	block, _ := pem.Decode([]byte(text))
	if block == nil || block.Type != "CERTIFICATE REQUEST" && block.Type != "NEW CERTIFICATE REQUEST" {
		return nil, invalid("csr: want a PEM CERTIFICATE REQUEST")
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return nil, invalid("csr: %v", err)
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, invalid("csr: %v: %v", certgen.ErrBadCSRSignature, err)
	}
	if err := storableText("csr: the subject's common name", csr.Subject.CommonName); err != nil {
		return nil, err
	}
	return csr, nil
}

// storableText refuses text the stores cannot keep alike: PostgreSQL
// refuses a NUL character or invalid UTF-8 in a text column (SQLite keeps
// them), which would fail the request's write with an internal error and,
// for an automatic profile, the whole group-commit batch it was in. A NUL
// in a common name is also the null-prefix trick ("a.example.com\x00.evil").
func storableText(field, s string) error {
	if strings.ContainsRune(s, 0) || !utf8.ValidString(s) {
		return invalid("%s: a NUL character or invalid UTF-8", field)
	}
	return nil
}

// csrNames lists the CSR's subjectAltName entries as text.
func csrNames(csr *x509.CertificateRequest) []string {
	out := slices.Clone(csr.DNSNames)
	for _, ip := range csr.IPAddresses {
		out = append(out, ip.String())
	}
	out = append(out, csr.EmailAddresses...)
	for _, u := range csr.URIs {
		out = append(out, u.String())
	}
	return out
}

func nonNilFindings(f []Finding) []Finding {
	if f == nil {
		return []Finding{}
	}
	return f
}

// IssueOwn issues the service's own certificate (its HTTPS listen
// certificate) from the default CA, in the same order and with the same
// record as any other, without a request: the service is its own approver
// for the one certificate it needs to start. It is audited as actor
// "serve".
func (s *Service) IssueOwn(ctx context.Context, csr *x509.CertificateRequest, days int) (*x509.Certificate, error) {
	iss, ans, err := s.issuer(ctx, "")
	if err != nil {
		return nil, err
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, fmt.Errorf("%w: %w", certgen.ErrBadCSRSignature, err)
	}
	p := Profile{Name: "serve-tls", Role: "cms-webadmin", Usage: string(certgen.ProfileServer), MaxDays: days}
	pr, err := iss.prepare(ctx, csr, p, days, s.now(), s.reserveSerial)
	if err != nil {
		return nil, err
	}
	cert, err := iss.sign(csr, pr)
	if err != nil {
		return nil, err
	}
	audit := s.auditEntry(Principal{Name: "serve"}, "issue", "certificate "+castore.SerialHex(cert.SerialNumber),
		"the service's own HTTPS certificate, CA "+iss.ca.Name)
	if err := s.record(ctx, castore.Issuance{CA: iss.ca.Name, Cert: cert, At: pr.o.Now, Audit: []castore.AuditEntry{audit}}); err != nil {
		return nil, err
	}
	s.presign(iss, ans, cert.Raw)
	return cert, nil
}
