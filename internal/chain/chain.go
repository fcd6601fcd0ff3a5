// Package chain decides certificate chains: from any pile of certificates it
// finds the leaf, drops duplicates and strays, links each certificate to its
// issuer by signature and picks the best path to a root. It also arranges a
// chain in the layouts the products want and verifies chains the way openssl
// does. Every verb that needs a chain (bundle, verify, check, probe, plan)
// asks this package, so there is one place where chains are decided.
package chain

import (
	"crypto/x509"
	"errors"
	"fmt"
	"github.com/confcert/confcert/internal/termsafe"
	"slices"
	"strings"
	"time"

	"github.com/confcert/confcert/internal/dname"
)

// Reasons a certificate of the pile is left out of the chain.
const (
	// ReasonDuplicate: the same certificate appeared earlier in the pile.
	ReasonDuplicate = "duplicate"
	// ReasonUnrelated: the certificate is not an issuer of the leaf.
	ReasonUnrelated = "unrelated"
	// ReasonAlternative: the certificate issues part of the chain, but another
	// (cross-signed) path was preferred.
	ReasonAlternative = "not on the chosen path"
)

// ErrNoCertificates is returned by Build when the pile holds no certificate.
var ErrNoCertificates = errors.New("no certificate found")

// Options tune Build.
type Options struct {
	// Leaf names the end-entity certificate; nil finds it in the pile.
	Leaf *x509.Certificate
	// Roots are trust anchors: they complete the chain and decide between
	// cross-signed paths. They are never reported as dropped.
	Roots []*x509.Certificate
	// SystemRoots adds the operating system's trust store to Roots.
	SystemRoots bool
	// At is the time used to prefer unexpired paths; zero means now.
	At time.Time
}

// Dropped is a certificate of the pile left out of the chain, and why.
type Dropped struct {
	// Cert is the certificate; nil for one of a Pile, which is not held.
	Cert *x509.Certificate
	// Name is the certificate's DisplayName.
	Name   string
	Reason string
}

// Chain is the result of Build.
type Chain struct {
	// Leaf is the end-entity certificate.
	Leaf *x509.Certificate
	// Intermediates run from the leaf's issuer upward; they never hold the root.
	Intermediates []*x509.Certificate
	// Root is the self-signed certificate that ends the chain, or nil.
	Root *x509.Certificate
	// Complete is true when the chain ends at a self-signed root or a trust anchor.
	Complete bool
	// MissingFor is the certificate whose issuer was not found (nil when Complete).
	MissingFor *x509.Certificate
	// MissingIssuer is the issuer name of MissingFor (empty when Complete).
	MissingIssuer string
	// Trusted is true when the chain reaches one of the trust anchors.
	Trusted bool
	// Dropped lists the certificates of the pile that are not in the chain.
	Dropped []Dropped
	// Unique holds every distinct input certificate once, in input order.
	Unique []*x509.Certificate
}

// Certificates returns the leaf, the intermediates and the root (if any), in
// that order.
func (c *Chain) Certificates() []*x509.Certificate {
	out := append([]*x509.Certificate{c.Leaf}, c.Intermediates...)
	if c.Root != nil {
		out = append(out, c.Root)
	}
	return out
}

// AmbiguousLeafError is returned by Build when several certificates of the
// pile could be the leaf and Options.Leaf does not choose.
type AmbiguousLeafError struct {
	Candidates []*x509.Certificate
}

// Error implements error.
func (e *AmbiguousLeafError) Error() string {
	names := make([]string, len(e.Candidates))
	for i, c := range e.Candidates {
		names[i] = fmt.Sprintf("%q", DisplayName(c))
	}
	return fmt.Sprintf("%d certificates could be the leaf: %s", len(e.Candidates), strings.Join(names, ", "))
}

// Collect keeps each distinct certificate once, in input order, without
// building a chain (the trust layout). The result has no Leaf.
func Collect(certs []*x509.Certificate) *Chain {
	c := &Chain{}
	seen := make(map[string]bool, len(certs))
	for _, cert := range certs {
		if seen[string(cert.Raw)] {
			c.Dropped = append(c.Dropped, Dropped{Cert: cert, Name: DisplayName(cert), Reason: ReasonDuplicate})
			continue
		}
		seen[string(cert.Raw)] = true
		c.Unique = append(c.Unique, cert)
	}
	return c
}

// withDefaults fills in the time (now) and returns the trust anchors: the
// given roots and, with SystemRoots, the system's.
func (o Options) withDefaults() (Options, []*x509.Certificate, error) {
	if o.At.IsZero() {
		o.At = time.Now()
	}
	roots := o.Roots
	if o.SystemRoots {
		sys, err := SystemRoots()
		if err != nil {
			return o, nil, err
		}
		roots = append(append([]*x509.Certificate{}, roots...), sys...)
	}
	return o, roots, nil
}

// Build finds the leaf in certs (or takes o.Leaf), links it to its issuers by
// signature and returns the best chain. Cost is linear in the pile: issuers
// are found through an index by subject name and key identifier, and
// signatures are only checked along candidate paths.
func Build(certs []*x509.Certificate, o Options) (*Chain, error) {
	o, roots, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	input := certs
	if o.Leaf != nil {
		input = append([]*x509.Certificate{o.Leaf}, certs...)
	}
	c := Collect(input)
	if o.Leaf != nil {
		c.Dropped = withoutFirst(c.Dropped, o.Leaf)
	}
	if len(c.Unique) == 0 {
		return nil, ErrNoCertificates
	}
	if err := newIndex(c.Unique, roots).choose(c, o); err != nil {
		return nil, err
	}
	return c, nil
}

// choose finds the leaf (o.Leaf, or the pile's), takes the best path from
// it at o.At into c and adds what the path leaves out to c.Dropped. A
// certificate that could not be read again (a pile's file changed) is an
// error.
func (ix *index) choose(c *Chain, o Options) error {
	leaf, err := ix.findLeaf(o.Leaf)
	if err != nil {
		return err
	}
	best := ix.bestPath(leaf, o.At)
	best.fill(ix, c)
	c.Dropped = append(c.Dropped, ix.dropped(best)...)
	return ix.err
}

// withoutFirst removes the first duplicate entry of leaf: the given leaf's
// own copy in the pile is not a duplicate to report.
func withoutFirst(ds []Dropped, leaf *x509.Certificate) []Dropped {
	i := slices.IndexFunc(ds, func(d Dropped) bool { return d.Reason == ReasonDuplicate && d.Cert.Equal(leaf) })
	if i < 0 {
		return ds
	}
	return slices.Delete(ds, i, i+1)
}

// DisplayName is the certificate's common name, or its whole subject when it
// has none, with control characters escaped for a terminal (termsafe).
func DisplayName(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return termsafe.String(c.Subject.CommonName)
	}
	return dname.FormatRaw(c.RawSubject)
}
