package apply

import (
	"bytes"
	"context"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/certgen"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/plan"
)

// The tests of this file cover behaviours of spec plan.md ("Phases and
// flags", "Output directory", "The local CA") the other tests leave out.

// The local CA: created on first use as a self-signed root valid 10 years
// with the plan's CA key type, and every certificate it issues is recorded.
func TestLocalCACreatedOnFirstUse(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := testPlan()
	e.run(p)
	ca, err := StoreCAs(e.store, testNow).Find(context.Background(), "podca")
	if err != nil {
		t.Fatal(err)
	}
	c := ca.Certificate()
	if !c.IsCA || !chain.SelfSigned(c) {
		t.Errorf("podca is not a self-signed CA: IsCA %v", c.IsCA)
	}
	if got := c.NotAfter.Sub(testNow); got < 3650*24*time.Hour-48*time.Hour || got > 3653*24*time.Hour {
		t.Errorf("podca valid for %v, want 10 years", got)
	}
	if kt, _ := keys.TypeOf(c.PublicKey); kt != keys.ECDSAP256 {
		t.Errorf("podca key %s, want the plan's ecdsa-p256", kt)
	}
	issued, err := e.store.Issued(context.Background(), castore.Filter{CA: "podca"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, pc := range p.Certificates {
		if pc.Signer == "podca" {
			want[pc.CN] = true
		}
	}
	for _, is := range issued {
		delete(want, is.SubjectCN)
	}
	if len(want) > 0 {
		t.Errorf("not recorded in the store: %v (recorded %d)", want, len(issued))
	}
}

// Output directory: plan.json is the plan document as --json prints it.
func TestPlanJSONIsTheDocument(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := testPlan()
	e.run(p)
	want, err := Document(p)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(e.path(DocumentFile))
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("plan.json differs from Document (err %v)", err)
	}
}

// --check: a missing certificate, changed usages and a chain to another CA
// than the planned one are problems; --within widens the expiry window.
func TestCheckMoreProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		breakf func(e *env, p *plan.Plan)
		within time.Duration
		want   string
	}{
		{"certificate missing", func(e *env, _ *plan.Plan) { os.Remove(e.path("cms1a.crt")) }, DefaultWithin, "cms1a.crt is missing"},
		{"usage changed", func(_ *env, p *plan.Plan) { p.Certificates[0].ExtKeyUsage = []string{"serverAuth"} }, DefaultWithin, "extended key usage changed"},
		{"wrong CA", func(_ *env, p *plan.Plan) { p.Certificates[0].Signer = "dbca" }, DefaultWithin, "does not verify"},
		// The plan's key_usage is compared with what was issued (issue 9).
		{"key usage changed", func(_ *env, p *plan.Plan) { p.Certificates[0].KeyUsage = []string{"digitalSignature", "keyAgreement"} }, DefaultWithin, "key usage changed"},
		{"within", func(*env, *plan.Plan) {}, 800 * 24 * time.Hour, "expires on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.run(testPlan())
			p := testPlan()
			tt.breakf(e, p)
			rep, err := Check(context.Background(), p, e.options(testNow), tt.within)
			if err != nil {
				t.Fatal(err)
			}
			if probs := probsExcept(rep.Problems, "webbridge"); !hasProblem(probs, tt.want) {
				t.Fatalf("problems %+v, want one saying %q", probs, tt.want)
			}
		})
	}
	e := newEnv(t)
	e.run(testPlan())
	if probs := probsExcept(e.check(testPlan(), testNow), "webbridge"); len(probs) != 0 {
		t.Errorf("a fresh directory has problems: %+v", probs)
	}
}

// A changed signer re-issues that certificate alone, saying why.
func TestChangedSignerReissues(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.run(testPlan())
	p := testPlan()
	p.Certificates[5].Signer = "podca" // "lab" was self-signed
	res := e.run(p)
	c := changed(res, "lab")
	if c == nil || c.Action != ActionReissued || !strings.Contains(c.Why, "local CA podca") {
		t.Fatalf("lab change = %+v, want re-issued by podca", c)
	}
	if changed(res, "cms1a") != nil {
		t.Error("cms1a re-issued though it did not change")
	}
}

// --import of a PEM file that holds the leaf and its intermediates in any
// order, named on the command line: the certificate is placed and its chain
// bundle built. A named file without a certificate is refused.
func TestImportPEMWithIntermediates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.now = time.Now() // newTestCA's certificates are valid as of now
	e.run(testPlan())
	ca := newTestCA(t)
	root, policy, issuing := ca.certs[0], ca.certs[1], ca.certs[2]
	csr := readTestCSR(t, e.path("webbridge.csr"))
	leaf, err := certgen.Sign(csr, issuing, ca.key, certgen.SignOptions{Profile: certgen.ProfileServer, Days: 90, Now: e.now})
	if err != nil {
		t.Fatal(err)
	}
	returned := filepath.Join(t.TempDir(), "returned.pem")
	if err := os.WriteFile(returned, certio.CertificatesPEM(policy, leaf, root, issuing), 0o644); err != nil {
		t.Fatal(err)
	}
	res := e.run(testPlan(), func(o *Options) { o.Import = []string{returned} })
	if c := changed(res, "webbridge"); c == nil || c.Action != ActionImported {
		t.Fatalf("webbridge change = %+v, want imported", c)
	}
	got, _ := os.ReadFile(e.path("webbridge-bundle.crt"))
	if !bytes.Equal(got, certio.CertificatesPEM(issuing, policy, root)) {
		t.Errorf("webbridge-bundle.crt is not the intermediates upward then the root:\n%s", got)
	}
	empty := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(empty, []byte("not a certificate\n"), 0o644)
	o := e.options(e.now)
	o.Import = []string{empty}
	if _, err := Run(context.Background(), testPlan(), o); err == nil || !strings.Contains(err.Error(), "notes.txt") {
		t.Errorf("import of a file without a certificate: err = %v", err)
	}
}

func readTestCSR(t *testing.T, path string) *x509.CertificateRequest {
	t.Helper()
	f, err := certio.ReadFile(path, certio.Options{})
	if err != nil || len(f.CSRs()) == 0 {
		t.Fatalf("%s: %v", path, err)
	}
	return f.CSRs()[0]
}
