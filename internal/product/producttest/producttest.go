// Package producttest helps the tests of the product packages: plan a
// deployment given as YAML and find what the plan holds. Imported only by
// _test.go files.
package producttest

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/plan"
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
