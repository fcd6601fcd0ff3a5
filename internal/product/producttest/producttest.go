// Package producttest helps the tests of the product packages: plan a
// deployment given as YAML and find what the plan holds. Imported only by
// _test.go files.
package producttest

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/rolecheck"
	"github.com/confcert/confcert/internal/testpki"
)

// PlanOf plans a deployment given as YAML, failing the test on problems.
func PlanOf(t *testing.T, yaml string, o catalog.Options) *plan.Plan {
	t.Helper()
	p, err := catalog.Parse("test.yaml", []byte(yaml), o)
	if err != nil {
		t.Fatalf("unexpected problems:\n%v", err)
	}
	return p
}

// ProblemsOf plans a deployment that must fail and returns its problems.
func ProblemsOf(t *testing.T, yaml string) *catalog.Error {
	t.Helper()
	_, err := catalog.Parse("test.yaml", []byte(yaml), catalog.Options{})
	var de *catalog.Error
	if !errors.As(err, &de) {
		t.Fatalf("want *catalog.Error, got %v", err)
	}
	return de
}

// CertNamed returns the planned certificate called name, failing the test without it.
func CertNamed(t *testing.T, p *plan.Plan, name string) *plan.Certificate {
	t.Helper()
	for _, c := range p.Certificates {
		if c.Name == name {
			return c
		}
	}
	var names []string
	for _, c := range p.Certificates {
		names = append(names, c.Name)
	}
	t.Fatalf("no certificate %q in %v", name, names)
	return nil
}

// BundleNamed returns the planned bundle called name, or nil.
func BundleNamed(p *plan.Plan, name string) *plan.Bundle {
	for i := range p.Bundles {
		if p.Bundles[i].Name == name {
			return &p.Bundles[i]
		}
	}
	return nil
}

// InstallOf returns the install file of node, failing the test without it.
func InstallOf(t *testing.T, p *plan.Plan, node string) plan.Install {
	t.Helper()
	for _, in := range p.Install {
		if in.Node == node {
			return in
		}
	}
	t.Fatalf("no install file for %s", node)
	return plan.Install{}
}

// HasWarning reports whether a plan warning contains sub.
func HasWarning(p *plan.Plan, sub string) bool {
	return slices.ContainsFunc(p.Warnings, func(w string) bool { return strings.Contains(w, sub) })
}

// Equal reports a difference between two string lists as a test error.
func Equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

// UploadFile writes a chain for cn (a test root, an intermediate and the
// leaf) in layout, as a product's upload file, and returns its path.
func UploadFile(t *testing.T, l chain.Layout, cn string) string {
	t.Helper()
	root := testpki.Issue(t, testpki.CATemplate("Producttest Root"), nil)
	inter := testpki.Issue(t, testpki.CATemplate("Producttest Intermediate"), root)
	leaf := testpki.Issue(t, testpki.LeafTemplate(cn), inter)
	c, err := chain.Build([]*x509.Certificate{leaf.Cert, inter.Cert, root.Cert}, chain.Options{Leaf: leaf.Cert})
	if err != nil {
		t.Fatal(err)
	}
	var data []byte
	for _, cert := range chain.Arrange(c, l, false) {
		data = append(data, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})...)
	}
	path := filepath.Join(t.TempDir(), "upload.pem")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// CheckPlanned runs, on file, every role check the plan asks of c with the
// version the plan hands to `check`, as `confcert check --version` does,
// and returns the results by rule; an error (exit 2) stops the test.
func CheckPlanned(t *testing.T, p *plan.Plan, c *plan.Certificate, file string) map[string]rolecheck.Result {
	t.Helper()
	out := map[string]rolecheck.Result{}
	for _, rc := range c.Roles {
		v := rc.Version
		if v == "" {
			v = p.Version
		}
		req := rolecheck.Request{Role: string(rc.Role), Cert: file, Version: v, Names: rc.Names, Domain: rc.Domain}
		chk, err := catalog.Roles().Run(req, rolecheck.Options{NoLints: true, SystemRoots: noRoots})
		if err != nil {
			t.Fatalf("plan accepted version %q, but check --role %s --version %q refuses it: %v", p.Version, rc.Role, v, err)
		}
		for _, r := range chk.Results {
			out[r.Rule] = r
		}
	}
	return out
}

func noRoots() ([]*x509.Certificate, error) { return nil, nil }

// VersionsCheckAccepted plans the example file with its `version: "from"`
// line replaced by each of versions, and runs every planned role check on an
// upload file in the chain layout: every version the plan accepts, the
// plan's role checks must accept as --version (one parser for both).
func VersionsCheckAccepted(t *testing.T, example, from string, versions []string) {
	t.Helper()
	data, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			y := strings.Replace(string(data), `version: "`+from+`"`, `version: "`+v+`"`, 1)
			p := PlanOf(t, y, catalog.Options{})
			if p.Version != v {
				t.Fatalf("plan version %q, want %q", p.Version, v)
			}
			checked := 0
			for _, c := range p.Certificates {
				if len(c.Roles) == 0 {
					continue
				}
				CheckPlanned(t, p, c, UploadFile(t, chain.LayoutChain, c.CN))
				checked++
			}
			if checked == 0 {
				t.Fatal("no certificate with a role check")
			}
		})
	}
}
