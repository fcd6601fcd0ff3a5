// Package lint runs the generic certificate lints of zlint that apply to any
// certificate, public or private: those from RFC 5280 and the community
// sources. The CA/Browser Forum and root-program lints are left out: they are
// rules for public web CAs and do not bind a private CA (spec roles.md).
//
// Only the two lint sources used are imported, not zlint's umbrella package:
// every lint package registers its lints (and compiles its patterns) when the
// process starts, whatever verb runs, and the umbrella brings in eight more
// sources that would never be run (docs/performance.md, issue 15 item 4).
// TestOnlyTheseSourcesAreRun proves the two packages hold every lint of the
// two sources.
package lint

import (
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"sync"

	zx509 "github.com/zmap/zcrypto/x509"
	zl "github.com/zmap/zlint/v3/lint"
	_ "github.com/zmap/zlint/v3/lints/community" // registers the Community lints
	_ "github.com/zmap/zlint/v3/lints/rfc"       // registers the RFC 5280 lints
)

// sources are the lint sources run: RFC 5280 and the community lints.
var sources = zl.SourceList{zl.RFC5280, zl.Community}

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
	reg, err := registry(skip)
	if err != nil {
		return nil, err
	}
	// What zlint.LintCertificateEx does, without importing its package (which
	// imports every lint source): run each lint with the registry's
	// configuration; Execute turns a lint's panic into a fatal result.
	var out []Finding
	for _, l := range reg.CertificateLints().Lints() {
		r := l.Execute(zc, reg.GetConfiguration())
		if r.Status < zl.Warn {
			continue
		}
		r.LintMetadata = l.LintMetadata
		out = append(out, Finding{Name: l.Name, Status: r.Status.String(), Message: message(r)})
	}
	slices.SortFunc(out, func(a, b Finding) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// registries holds the lint selections made so far, by the names left out:
// selecting from zlint's registry costs as much as running the lints, and
// the callers leave out the same few lists every time.
var registries sync.Map // strings.Join(skip, "\x00") -> zl.Registry

// registry selects the lints of check (RFC 5280 and community) but skip.
func registry(skip []string) (zl.Registry, error) {
	key := strings.Join(skip, "\x00")
	if reg, ok := registries.Load(key); ok {
		return reg.(zl.Registry), nil
	}
	reg, err := zl.GlobalRegistry().Filter(zl.FilterOptions{IncludeSources: sources, ExcludeNames: skip})
	if err != nil {
		return nil, fmt.Errorf("select lints: %w", err)
	}
	registries.Store(key, reg)
	return reg, nil
}

func message(r *zl.LintResult) string {
	m := r.LintMetadata.Description
	if r.Details != "" {
		m += " (" + r.Details + ")"
	}
	return m
}
