package rolecheck

import (
	"crypto/x509"

	"github.com/confcert/confcert/internal/lint"
)

// lintResults runs the generic lints on the leaf and reports each finding as
// a WARNING named after the lint (spec roles.md: after the rules, never
// hiding one).
func lintResults(leaf *x509.Certificate) ([]Result, error) {
	findings, err := lint.Run(leaf)
	if err != nil {
		return nil, err
	}
	return LintResults(findings), nil
}

// LintResults reports lint findings as check does: each a WARNING named
// after the lint. A caller that ran the lints itself (the CA service lints
// each certificate once, for its own gate and for check's findings) passes
// them here with Options.NoLints.
func LintResults(findings []lint.Finding) []Result {
	var out []Result
	for _, f := range findings {
		out = append(out, Result{Rule: f.Name, Severity: Warning, Message: f.Message,
			Fix: "have the certificate re-issued; certificates from confcert sign pass this lint"})
	}
	return out
}

// lintOnce returns lintResults remembering each certificate's findings, for
// a plan whose certificates are judged for several roles each (zlint costs
// about 10 ms a certificate).
func lintOnce() func(*x509.Certificate) ([]Result, error) {
	done := map[string][]Result{}
	return func(c *x509.Certificate) ([]Result, error) {
		if rs, ok := done[string(c.Raw)]; ok {
			return rs, nil
		}
		rs, err := lintResults(c)
		if err == nil {
			done[string(c.Raw)] = rs
		}
		return rs, err
	}
}
