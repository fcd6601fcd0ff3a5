package bundler

import (
	"github.com/confcert/confcert/internal/validity"

	"crypto/x509"
	"fmt"
	"time"

	"github.com/confcert/confcert/internal/chain"
)

// ExpiringDays is when the status starts warning about an element's expiry
// (spec cli.md: "an element expiring within 30 days").
const ExpiringDays = validity.WarnDays

// Roles of the elements of a bundle (spec cli.md, the --json report).
const (
	RoleKey          = "key"
	RoleLeaf         = "leaf"
	RoleIntermediate = "intermediate"
	RoleRoot         = "root"
)

// Status says what a bundle holds and what a user should know about it.
type Status struct {
	// Complete is true when the chain ends at a root or a trust anchor
	// (always true for the trust layout, which builds no chain).
	Complete bool
	// Trusted is true when the chain reaches one of the trust anchors.
	Trusted bool
	// Order lists the elements written, in file order: the key first when
	// one was given.
	Order []Element
	// Dropped lists the input certificates left out, and why.
	Dropped []Dropped
	// Warnings are the things worth a warning line: fetches, the root's
	// presence or absence, expiry within ExpiringDays, SHA-1 signatures.
	Warnings []string
}

// Element is one element of the bundle.
type Element struct {
	SubjectCN string `json:"subject_cn"`
	Role      string `json:"role"`
}

// Dropped is an input certificate left out of the bundle.
type Dropped struct {
	SubjectCN string `json:"subject_cn"`
	Reason    string `json:"reason"`
}

// status builds the Status of a bundle; notes come first among the warnings.
func status(r Request, c *chain.Chain, certs []*x509.Certificate, notes []string) Status {
	s := Status{Complete: r.Layout == chain.LayoutTrust || c.Complete, Trusted: c.Trusted,
		Order: []Element{}, Dropped: []Dropped{}, Warnings: append([]string{}, notes...)}
	if r.Key != nil {
		s.Order = append(s.Order, Element{SubjectCN: c.Leaf.Subject.CommonName, Role: RoleKey})
	}
	for _, cert := range certs {
		s.Order = append(s.Order, Element{SubjectCN: cert.Subject.CommonName, Role: role(c, cert)})
	}
	for _, d := range c.Dropped {
		s.Dropped = append(s.Dropped, Dropped{SubjectCN: d.Name, Reason: d.Reason})
	}
	if len(certs) == 0 {
		s.Warnings = append(s.Warnings, fmt.Sprintf("the output holds no certificate: the leaf has no intermediate CA and the %s layout leaves out the leaf and the root", r.Layout))
	}
	s.Warnings = append(s.Warnings, chainWarnings(r, c)...)
	s.Warnings = append(s.Warnings, certWarnings(certs, r.At)...)
	return s
}

// role names a certificate's place in the chain; in the trust layout, where
// no chain is built, it is read from the certificate itself.
func role(c *chain.Chain, cert *x509.Certificate) string {
	switch {
	case c.Leaf != nil && cert.Equal(c.Leaf):
		return RoleLeaf
	case c.Root != nil && cert.Equal(c.Root):
		return RoleRoot
	case c.Leaf != nil:
		return RoleIntermediate
	case !cert.IsCA:
		return RoleLeaf
	case chain.SelfSigned(cert):
		return RoleRoot
	}
	return RoleIntermediate
}

// chainWarnings says whether the root is in the file, and why not.
func chainWarnings(r Request, c *chain.Chain) []string {
	layout := r.Layout
	switch {
	case layout == chain.LayoutTrust:
		return nil
	case !c.Complete:
		return []string{(&IncompleteError{Chain: c}).Error() + " (written anyway: --allow-incomplete)"}
	case c.Root == nil && c.Leaf != nil && len(c.Intermediates) == 0 && layout.HasRoot():
		return []string{"the leaf is self-signed: there is no separate root to include"}
	case c.Root == nil && layout.HasRoot():
		return []string{"no root certificate found: the bundle ends without its root (give --roots FILE or --system-roots)"}
	case c.Root == nil:
		return nil
	case layout.HasRoot() && r.NoRoot:
		return []string{fmt.Sprintf("root %q omitted (--no-root)", chain.DisplayName(c.Root))}
	case layout.HasRoot():
		return []string{fmt.Sprintf("root %q included", chain.DisplayName(c.Root))}
	}
	return []string{fmt.Sprintf("root %q omitted: the %s layout never holds the root", chain.DisplayName(c.Root), layout)}
}

// certWarnings flags written certificates that have expired, expire within
// ExpiringDays, or are signed with SHA-1 or a broken algorithm (MD5).
func certWarnings(certs []*x509.Certificate, now time.Time) []string {
	var out []string
	for _, c := range certs {
		days := validity.DaysLeft(c.NotAfter, now)
		switch {
		case validity.Expired(c.NotAfter, now):
			out = append(out, fmt.Sprintf("%q EXPIRED on %s", chain.DisplayName(c), c.NotAfter.UTC().Format(time.DateOnly)))
		case days < ExpiringDays:
			out = append(out, fmt.Sprintf("%q expires in %d days (%s)", chain.DisplayName(c), days, c.NotAfter.UTC().Format(time.DateOnly)))
		}
		switch chain.SignatureStrength(c) {
		case chain.Broken:
			out = append(out, fmt.Sprintf("%q is signed with %s: a broken algorithm no current client accepts", chain.DisplayName(c), c.SignatureAlgorithm))
		case chain.Weak:
			out = append(out, fmt.Sprintf("%q is signed with %s (SHA-1)", chain.DisplayName(c), c.SignatureAlgorithm))
		}
	}
	return out
}
