package caservice

import (
	"context"
	"crypto/x509"
	"errors"
	"slices"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/csrtest"
	"github.com/confcert/confcert/internal/keys"
)

// newTestService opens a fresh SQLite store with a KEK and a service on it.
func newTestService(t *testing.T) *Service {
	t.Helper()
	ctx := context.Background()
	o, err := castore.OpenConfig(ctx, castore.Config{Home: t.TempDir(), Seal: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Store.Close() })
	s := New(Config{Store: o.Store, BaseURL: "https://ca.test:8443", DefaultCA: "testca", CAKeyType: keys.ECDSAP256})
	if created, err := s.EnsureCA(ctx); err != nil || !created {
		t.Fatalf("EnsureCA = %v, %v", created, err)
	}
	return s
}

type csrSpec struct {
	cn     string
	sans   []string
	caTrue bool
}

func makeCSR(t testing.TB, c csrSpec) string {
	return csrtest.PEM(t, csrtest.CSR{CN: c.cn, SANs: c.sans, CATrue: c.caTrue})
}

var (
	alice = Principal{Name: "alice", Role: RoleRequester, Remote: "127.0.0.1"}
	boss  = Principal{Name: "boss", Role: RoleApprover, Remote: "127.0.0.1"}
	audit = Principal{Name: "eve", Role: RoleAuditor, Remote: "127.0.0.1"}
	admin = Principal{Name: "root", Role: RoleAdmin, Remote: "127.0.0.1"}
)

func TestSubmitApproveIssueRevoke(t *testing.T) {
	ctx := context.Background()
	s := newTestService(t)
	csr := makeCSR(t, csrSpec{cn: "cb1.example.com", sans: []string{"cb1.example.com"}})
	r, err := s.Submit(ctx, alice, SubmitInput{CSRPEM: csr, Profile: "cms-callbridge", Days: 90})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != StatusPending || !ValidID(r.ID) {
		t.Fatalf("submitted request = %+v", r)
	}
	if _, err := s.Approve(ctx, Principal{Name: "alice", Role: RoleApprover}, r.ID, ""); !isForbidden(err) {
		t.Errorf("self-approval: %v, want forbidden", err)
	}
	if _, err := s.Approve(ctx, alice, r.ID, ""); !isForbidden(err) {
		t.Errorf("approval by a requester: %v, want forbidden", err)
	}
	got, err := s.Approve(ctx, boss, r.ID, "ok")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusIssued || got.Serial == "" {
		t.Fatalf("approved request = %+v", got)
	}
	if _, err := s.Approve(ctx, boss, r.ID, ""); !errors.Is(err, ErrConflict) {
		t.Errorf("second approval: %v, want conflict", err)
	}
	rec, err := s.Certificate(ctx, alice, "", got.Serial)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(rec.CertDER)
	if !slices.Equal(cert.CRLDistributionPoints, []string{"https://ca.test:8443/api/v1/crl/testca.crl"}) ||
		!slices.Equal(cert.OCSPServer, []string{"https://ca.test:8443/api/v1/ocsp/testca"}) {
		t.Errorf("URLs in the certificate: CDP %v OCSP %v", cert.CRLDistributionPoints, cert.OCSPServer)
	}
	if d := cert.NotAfter.Sub(cert.NotBefore); d < 89*24*time.Hour || d > 91*24*time.Hour {
		t.Errorf("validity %v, want 90 days", d)
	}
	if _, err := s.Certificate(ctx, Principal{Name: "mallory", Role: RoleRequester}, "", got.Serial); !errors.Is(err, ErrNotFound) {
		t.Errorf("another requester read the certificate: %v", err)
	}
	if _, err := s.Revoke(ctx, alice, "", got.Serial, "keyCompromise"); !isForbidden(err) {
		t.Errorf("revocation by a requester: %v", err)
	}
	if _, err := s.Revoke(ctx, boss, "", got.Serial, "keyCompromise"); err != nil {
		t.Fatal(err)
	}
	der, err := s.CRL(ctx, "testca")
	if err != nil {
		t.Fatal(err)
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil || len(crl.RevokedCertificateEntries) != 1 || crl.RevokedCertificateEntries[0].SerialNumber.Cmp(cert.SerialNumber) != 0 {
		t.Fatalf("CRL after revocation: %v %+v", err, crl)
	}
	ca, _ := s.CACertificate(ctx, "testca")
	q, _ := ocsp.CreateRequest(cert, ca, nil)
	answer, err := s.OCSP(ctx, "testca", q)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := ocsp.ParseResponseForCert(answer, cert, ca)
	if err != nil || resp.Status != ocsp.Revoked || resp.RevocationReason != ocsp.KeyCompromise {
		t.Fatalf("OCSP answer: %v %+v", err, resp)
	}
	log, err := s.Audit(ctx, audit, 0)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action)
	}
	if !slices.Equal(actions, []string{"submit", "approve", "issue", "revoke"}) {
		t.Errorf("audit log actions = %v", actions)
	}
}

func isForbidden(err error) bool {
	var f *ForbiddenError
	return errors.As(err, &f)
}

func TestBadCSRRefusedWithCheckFindings(t *testing.T) {
	ctx := context.Background()
	s := newTestService(t)
	csr := makeCSR(t, csrSpec{cn: "dbclient", sans: []string{"dbclient.example.com"}})
	_, err := s.Submit(ctx, alice, SubmitInput{CSRPEM: csr, Profile: "cms-dbclient"})
	var ref *RefusedError
	if !errors.As(err, &ref) {
		t.Fatalf("Submit = %v, want refused", err)
	}
	i := slices.IndexFunc(ref.Findings, func(f Finding) bool { return f.Rule == "DB-CLIENT-CN" })
	if i < 0 || ref.Findings[i].Severity != "FAILURE" || ref.Findings[i].Message == "" {
		t.Fatalf("findings = %+v, want DB-CLIENT-CN FAILURE", ref.Findings)
	}
	if rs, _ := s.Requests(ctx, boss, ""); len(rs) != 0 {
		t.Errorf("a refused CSR was recorded: %+v", rs)
	}
}

func TestCATrueCSRGetsCAFalse(t *testing.T) {
	ctx := context.Background()
	s := newTestService(t)
	if _, err := s.ApplyProfiles(ctx, admin, []byte("profiles:\n- {name: auto-cb, role: cms-callbridge, approval: auto, allowed_suffixes: [example.com]}\n")); err != nil {
		t.Fatal(err)
	}
	r, err := s.Submit(ctx, alice, SubmitInput{CSRPEM: makeCSR(t, csrSpec{cn: "cb.example.com", sans: []string{"cb.example.com"}, caTrue: true}), Profile: "auto-cb"})
	if err != nil || r.Status != StatusIssued {
		t.Fatalf("auto submit = %+v, %v", r, err)
	}
	rec, err := s.Certificate(ctx, alice, "", r.Serial)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(rec.CertDER)
	if cert.IsCA || !cert.BasicConstraintsValid {
		t.Errorf("a CSR asking for CA:TRUE got IsCA=%v (basicConstraints present %v)", cert.IsCA, cert.BasicConstraintsValid)
	}
	if !slices.Equal(cert.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}) {
		t.Errorf("EKU %v, want the profile's server+client", cert.ExtKeyUsage)
	}
	_, err = s.Submit(ctx, alice, SubmitInput{CSRPEM: makeCSR(t, csrSpec{cn: "cb.other.org", sans: []string{"cb.other.org"}}), Profile: "auto-cb"})
	var ref *RefusedError
	if !errors.As(err, &ref) || ref.Findings[0].Rule != "PROFILE-SUFFIX" {
		t.Errorf("a name outside the allowed suffixes: %v", err)
	}
}

func TestTokens(t *testing.T) {
	ctx := context.Background()
	s := newTestService(t)
	secret, err := s.CreateToken(ctx, admin, "bob", RoleApprover)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Authenticate(ctx, secret, "127.0.0.1")
	if err != nil || p.Name != "bob" || p.Role != RoleApprover {
		t.Fatalf("Authenticate = %+v, %v", p, err)
	}
	ts, _ := s.Tokens(ctx)
	if len(ts) != 1 || ts[0].Hash == secret || len(ts[0].Hash) != 64 {
		t.Errorf("stored token %+v", ts)
	}
	if _, err := s.Authenticate(ctx, secret+"x", ""); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("wrong secret: %v", err)
	}
	if err := s.RevokeToken(ctx, admin, "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, secret, ""); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("revoked token: %v", err)
	}
}

func TestRolesAddUp(t *testing.T) {
	tests := []struct {
		role Role
		perm Permission
		want bool
	}{
		{RoleRequester, PermSubmit, true},
		{RoleRequester, PermDecide, false},
		{RoleApprover, PermSubmit, true},
		{RoleApprover, PermDecide, true},
		{RoleAdmin, PermSubmit, true},
		{RoleAdmin, PermManage, true},
		{RoleAdmin, PermDecide, false},
		{RoleAuditor, PermReadAll, true},
		{RoleAuditor, PermSubmit, false},
		{RoleAuditor, PermRevoke, false},
	}
	for _, tt := range tests {
		if got := tt.role.May(tt.perm); got != tt.want {
			t.Errorf("%s may %s = %v, want %v", tt.role, tt.perm, got, tt.want)
		}
	}
}

func TestBuiltinProfilesCoverEveryRole(t *testing.T) {
	ps := Builtin()
	if len(ps) == 0 {
		t.Fatal("no built-in profiles")
	}
	for _, p := range ps {
		if p.Name != p.Role || p.Approval != ApprovalManual || p.MaxDays != DefaultMaxDays {
			t.Errorf("built-in profile %+v", p)
		}
	}
}

func TestValidIDRefusesPathTricks(t *testing.T) {
	for _, id := range []string{"../etc/passwd", "0123456789abcdef0123456789ABCDEF", "", "0123456789abcdef0123456789abcde/", "0123456789abcdef0123456789abcdef0"} {
		if ValidID(id) {
			t.Errorf("ValidID(%q) = true", id)
		}
	}
	if !ValidID(newID()) {
		t.Error("a new ID is not valid")
	}
}
