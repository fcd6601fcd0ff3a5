package roles

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
	var out []Result
	for _, f := range findings {
		out = append(out, Result{Rule: f.Name, Severity: Warning, Message: f.Message,
			Fix: "have the certificate re-issued; certificates from confcert sign pass this lint"})
	}
	return out, nil
}
