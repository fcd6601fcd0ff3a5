// Package lint runs the generic certificate lints of zlint that apply to any
// certificate, public or private: those from RFC 5280 and the community
// sources. The CA/Browser Forum and root-program lints are left out: they are
// rules for public web CAs and do not bind a private CA (spec roles.md).
package lint

import (
	"crypto/x509"
	"fmt"
	"slices"
	"strings"

	zx509 "github.com/zmap/zcrypto/x509"
	"github.com/zmap/zlint/v3"
	zl "github.com/zmap/zlint/v3/lint"
)

// Finding is one lint that did not pass.
type Finding struct {
	// Name is zlint's name for the lint, e.g. "e_ext_san_missing".
	Name string
	// Status is "notice", "warn", "error" or "fatal".
	Status string
	// Message is the lint's description, followed by its details when it gives any.
	Message string
}

// Run lints cert and returns every warning, error and fatal finding, sorted
// by lint name. Notices are left out: they are advice, not faults.
func Run(cert *x509.Certificate) ([]Finding, error) {
	return RunExcept(cert)
}

// RunExcept is Run without the lints named. The CA service leaves out
// e_cert_issued_by_compromised_emudhra_ca when it lints the copy signed
// by its own throwaway key: that lint verifies every certificate's
// signature against one public CA's key (a P-384 verification, most of
// zlint's time), which a copy signed by a key made a moment ago cannot match.
func RunExcept(cert *x509.Certificate, skip ...string) ([]Finding, error) {
	zc, err := zx509.ParseCertificate(cert.Raw)
	if err != nil {
		return nil, fmt.Errorf("parse certificate for lints: %w", err)
	}
	reg, err := zl.GlobalRegistry().Filter(zl.FilterOptions{IncludeSources: zl.SourceList{zl.RFC5280, zl.Community}, ExcludeNames: skip})
	if err != nil {
		return nil, fmt.Errorf("select lints: %w", err)
	}
	var out []Finding
	for name, r := range zlint.LintCertificateEx(zc, reg).Results {
		if r.Status < zl.Warn {
			continue
		}
		out = append(out, Finding{Name: name, Status: r.Status.String(), Message: message(r)})
	}
	slices.SortFunc(out, func(a, b Finding) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func message(r *zl.LintResult) string {
	m := r.LintMetadata.Description
	if r.Details != "" {
		m += " (" + r.Details + ")"
	}
	return m
}
