package products_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/deploy"
	"github.com/confcert/confcert/internal/plan"
)

// planOf plans a deployment given as YAML, failing the test on problems.
func planOf(t *testing.T, yaml string, o deploy.Options) *plan.Plan {
	t.Helper()
	p, err := deploy.Parse("test.yaml", []byte(yaml), o)
	if err != nil {
		t.Fatalf("unexpected problems:\n%v", err)
	}
	return p
}

// problemsOf plans a deployment that must fail and returns its problems.
func problemsOf(t *testing.T, yaml string) *deploy.Error {
	t.Helper()
	_, err := deploy.Parse("test.yaml", []byte(yaml), deploy.Options{})
	var de *deploy.Error
	if !errors.As(err, &de) {
		t.Fatalf("want *deploy.Error, got %v", err)
	}
	return de
}

func certNamed(t *testing.T, p *plan.Plan, name string) *plan.Certificate {
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

func bundleNamed(p *plan.Plan, name string) *plan.Bundle {
	for i := range p.Bundles {
		if p.Bundles[i].Name == name {
			return &p.Bundles[i]
		}
	}
	return nil
}

func installOf(t *testing.T, p *plan.Plan, node string) plan.Install {
	t.Helper()
	for _, in := range p.Install {
		if in.Node == node {
			return in
		}
	}
	t.Fatalf("no install file for %s", node)
	return plan.Install{}
}

func hasWarning(p *plan.Plan, sub string) bool {
	return slices.ContainsFunc(p.Warnings, func(w string) bool { return strings.Contains(w, sub) })
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}
