package caservice

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/lint"
	"github.com/confcert/confcert/internal/rolecheck"
)

// Finding is one outcome of the rules a CSR is judged by: the JSON of
// `confcert check --json` results (rule, severity, message, fix), in the
// same words, because it is the same engine.
type Finding = rolecheck.Result

// The names the judged files go by, in the findings that name a file: the
// copy is judged in memory (rolecheck.Options.Files), never written out.
const (
	checkCertFile = "request.crt"
	checkCAFile   = "ca.crt"
)

// checkCopy runs the profile's `check` role on leaf, the copy of the
// certificate to be issued signed by the lint issuer, as the file the role
// judges (the profile's layout) with the lint issuer as the chain and trust
// anchor, held in memory, plus the copy's lints (run once by the caller), as check
// reports them. It returns the WARNING and FAILURE results and whether
// none is a FAILURE. The rules are the role engine's; none is restated here.
func checkCopy(p Profile, leaf, issuer *x509.Certificate, lints []lint.Finding) ([]Finding, bool, error) {
	files := map[string][]byte{checkCertFile: pemCerts(judged(p, leaf, issuer)), checkCAFile: pemCerts([]*x509.Certificate{issuer})}
	req := rolecheck.Request{Role: p.Role, Cert: checkCertFile, Trust: checkCAFile, Version: p.Version}
	if p.Layout == "" {
		req.Bundle = checkCAFile
	}
	res, err := roles().Run(req, rolecheck.Options{SystemRoots: noSystemRoots, NoLints: true, Files: files})
	if err != nil {
		return nil, false, fmt.Errorf("checking the request as %s: %w", p.Role, err)
	}
	res.Results = append(res.Results, rolecheck.LintResults(lints)...)
	var out []Finding
	for _, r := range res.Results {
		if r.Severity != rolecheck.Success {
			out = append(out, r)
		}
	}
	return out, res.OK, nil
}

// roles is the role engine of `confcert check`, built once (the catalog
// of products does not change while the process runs).
var roles = sync.OnceValue(catalog.Roles)

// noSystemRoots: a private CA's certificate is never publicly trusted, and
// the check must not depend on the machine's trust store.
func noSystemRoots() ([]*x509.Certificate, error) { return nil, nil }

// judged arranges the leaf and its issuer as the profile's layout.
func judged(p Profile, leaf, issuer *x509.Certificate) []*x509.Certificate {
	if p.Layout == "" {
		return []*x509.Certificate{leaf}
	}
	c, err := chain.Build([]*x509.Certificate{leaf, issuer}, chain.Options{})
	if err != nil {
		return []*x509.Certificate{leaf}
	}
	return chain.Arrange(c, chain.Layout(p.Layout), true)
}

func pemCerts(certs []*x509.Certificate) []byte {
	var b strings.Builder
	for _, c := range certs {
		b.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
	}
	return []byte(b.String())
}

// suffixFindings is the profile's own rule: every DNS name of the CSR
// (the CN when it is a name, and each SAN) under an allowed suffix.
func suffixFindings(p Profile, csr *x509.CertificateRequest) []Finding {
	if len(p.AllowedSuffixes) == 0 {
		return nil
	}
	names := slices.Clone(csr.DNSNames)
	if cn := csr.Subject.CommonName; strings.Contains(cn, ".") {
		names = append(names, cn)
	}
	var out []Finding
	for _, n := range names {
		if !underSuffix(strings.ToLower(n), p.AllowedSuffixes) {
			out = append(out, Finding{Rule: "PROFILE-SUFFIX", Severity: rolecheck.Failure,
				Message: fmt.Sprintf("%s is not under a name profile %s allows (%s)", n, p.Name, strings.Join(p.AllowedSuffixes, ", ")),
				Fix:     "make a new CSR with names under " + strings.Join(p.AllowedSuffixes, " or ") + ", or ask an admin for a profile that allows this name"})
		}
	}
	if len(csr.IPAddresses) > 0 {
		out = append(out, Finding{Rule: "PROFILE-SUFFIX", Severity: rolecheck.Failure,
			Message: fmt.Sprintf("IP address SANs are not allowed by profile %s, which allows names under %s", p.Name, strings.Join(p.AllowedSuffixes, ", ")),
			Fix:     "make a new CSR without IP addresses in subjectAltName"})
	}
	return out
}

func underSuffix(name string, suffixes []string) bool {
	name = strings.TrimPrefix(name, "*.")
	for _, s := range suffixes {
		if name == s || strings.HasSuffix(name, "."+s) {
			return true
		}
	}
	return false
}
