// Package bundler turns a pile of certificates, in any order and with strays,
// into the bundle a product wants (spec cli.md, `confcert bundle`): it chooses
// the leaf, links it to its issuers (fetching missing ones from AIA URLs when
// asked), refuses a key that is not the leaf's and an incomplete chain, lays
// the certificates out, and returns a Status that says what the bundle holds,
// what was dropped and what deserves a warning, as cfssl's bundler does. It
// reads no file and prints nothing: the CLI does both.
package bundler

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/confcert/confcert/internal/aia"
	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/keys"
)

// MaxFetchRounds bounds fetching: one round per missing level of the chain.
const MaxFetchRounds = 8

// FetchDeadline bounds all the fetching of one bundle, whatever the number
// of rounds and URLs (each request also has aia.DefaultTimeout): a chain of
// slow servers can never hold `bundle --fetch` for minutes.
const FetchDeadline = 30 * time.Second

// Fetcher downloads the issuers of a certificate; aia.Fetcher is the real one.
type Fetcher interface {
	Issuers(ctx context.Context, cert *x509.Certificate) ([]aia.Fetched, error)
}

// Request is what to bundle and how.
type Request struct {
	// Layout is the order the product wants (chain.Layout values).
	Layout chain.Layout
	// Pile is every input certificate, in input order.
	Pile []*x509.Certificate
	// Indexed, when not nil, is the pile instead of Pile: indexed as it was
	// read, not held (chain.Pile). The bundle is the same.
	Indexed *chain.Pile
	// Leaf names the server certificate; nil finds it (by Key when given).
	Leaf *x509.Certificate
	// Key is the leaf's private key, when it goes into the bundle; it must
	// match the leaf.
	Key crypto.Signer
	// Roots and SystemRoots are the trust anchors (chain.Options).
	Roots       []*x509.Certificate
	SystemRoots bool
	// Fetch, when not nil, completes an incomplete chain from the AIA
	// caIssuers URLs, one level per round.
	Fetch Fetcher
	// FetchDeadline bounds all of Fetch's work; 0 means FetchDeadline.
	FetchDeadline time.Duration
	// NoRoot leaves the root out of the layouts that end with it.
	NoRoot bool
	// AllowIncomplete returns a bundle even when an issuer is missing.
	AllowIncomplete bool
	// At is the time certificates are judged at; zero means now.
	At time.Time
}

// Bundle is the result of Build.
type Bundle struct {
	// Chain is the chain found (for the trust layout: the distinct inputs).
	Chain *chain.Chain
	// Certs are the certificates of the output, in the layout's order; the
	// key, when given, goes before them.
	Certs []*x509.Certificate
	// Status says what the bundle holds and what to warn about.
	Status Status
}

// ErrKeyMismatch says the key given is not the private key of the leaf.
var ErrKeyMismatch = errors.New("the key is not the private key of the leaf certificate")

// KeyMismatchError is ErrKeyMismatch for a given leaf.
type KeyMismatchError struct {
	Leaf *x509.Certificate
}

// Error implements error.
func (e *KeyMismatchError) Error() string {
	return fmt.Sprintf("the key is not the private key of the leaf certificate %q", chain.DisplayName(e.Leaf))
}

// Is makes errors.Is(err, ErrKeyMismatch) true.
func (e *KeyMismatchError) Is(target error) bool { return target == ErrKeyMismatch }

// IncompleteError says the chain stops at a certificate whose issuer is
// missing and that is not a trust anchor or a self-signed root.
type IncompleteError struct {
	Chain *chain.Chain
	// Fetching says what --fetch tried and why it failed, when it ran.
	Fetching []string
}

// Error implements error: the certificate and the issuer's name.
func (e *IncompleteError) Error() string {
	return fmt.Sprintf("incomplete chain: the issuer of %q is missing: %s", chain.DisplayName(e.Chain.MissingFor), e.Chain.MissingIssuer)
}

// Build builds the chain of r.Pile and lays it out. Errors: chain.Build's
// (an ambiguous leaf, no system roots), *KeyMismatchError, *IncompleteError
// (unless r.AllowIncomplete), and the context's error when it ends while
// fetching.
func Build(ctx context.Context, r Request) (*Bundle, error) {
	if r.At.IsZero() {
		r.At = time.Now()
	}
	var notes []string
	c, err := buildChain(ctx, r, &notes)
	if err != nil {
		return nil, err
	}
	certs := chain.Arrange(c, r.Layout, !r.NoRoot)
	b := &Bundle{Chain: c, Certs: certs}
	b.Status = status(r, c, certs, notes)
	return b, nil
}

// buildChain builds (or, for trust, collects) the chain and applies the
// refusals of spec cli.md: a key that does not match and an incomplete chain.
func buildChain(ctx context.Context, r Request, notes *[]string) (*chain.Chain, error) {
	if r.Layout == chain.LayoutTrust {
		if r.Indexed != nil {
			return r.Indexed.Collect()
		}
		return chain.Collect(r.Pile), nil
	}
	opts := chain.Options{Leaf: r.Leaf, Roots: r.Roots, SystemRoots: r.SystemRoots, At: r.At}
	if opts.Leaf == nil && r.Key != nil {
		leaf, err := r.leafForKey()
		if err != nil {
			return nil, err
		}
		opts.Leaf = leaf
	}
	c, err := r.build(opts)
	if err != nil {
		return nil, err
	}
	if r.Fetch != nil && !c.Complete {
		opts.Leaf = c.Leaf
		deadline := r.FetchDeadline
		if deadline <= 0 {
			deadline = FetchDeadline
		}
		if c, err = fetchMissing(ctx, r.Fetch, c, opts, r.rebuild, notes, deadline); err != nil {
			return nil, err
		}
	}
	if r.Key != nil && !keys.Match(r.Key, c.Leaf.PublicKey) {
		return nil, &KeyMismatchError{Leaf: c.Leaf}
	}
	if !c.Complete && !r.AllowIncomplete {
		return nil, &IncompleteError{Chain: c, Fetching: *notes}
	}
	return c, nil
}

// build builds the chain of the pile, held or indexed.
func (r Request) build(opts chain.Options) (*chain.Chain, error) {
	if r.Indexed != nil {
		return r.Indexed.Build(opts)
	}
	return chain.Build(r.Pile, opts)
}

// leafForKey returns the only distinct certificate of the pile whose public
// key is the key's, or nil.
func (r Request) leafForKey() (*x509.Certificate, error) {
	if r.Indexed != nil {
		return r.Indexed.LeafForKey(func(pub crypto.PublicKey) bool { return keys.Match(r.Key, pub) })
	}
	return leafForKey(r.Pile, r.Key), nil
}

// rebuild builds the chain of the pile with fetched certificates added
// after it.
func (r Request) rebuild(fetched []*x509.Certificate, opts chain.Options) (*chain.Chain, error) {
	if r.Indexed != nil {
		return r.Indexed.With(fetched...).Build(opts)
	}
	return chain.Build(append(append([]*x509.Certificate{}, r.Pile...), fetched...), opts)
}

// leafForKey returns the only distinct certificate of the pile whose public
// key is the key's, or nil.
func leafForKey(pile []*x509.Certificate, key crypto.Signer) *x509.Certificate {
	var found *x509.Certificate
	for _, c := range pile {
		if !keys.Match(key, c.PublicKey) {
			continue
		}
		if found != nil && !found.Equal(c) {
			return nil
		}
		found = c
	}
	return found
}

// fetchMissing downloads the missing issuer, one level per round, and
// rebuilds the chain with what came back. A failed download is a note, not
// an error: the chain stays incomplete and the refusal says so.
//
// All rounds share one deadline (r.FetchDeadline, else FetchDeadline); when
// it passes the chain stays incomplete and a note says so. Only the caller's
// own context ending (Ctrl-C) is an error.
func fetchMissing(ctx context.Context, f Fetcher, c *chain.Chain, opts chain.Options,
	rebuild func([]*x509.Certificate, chain.Options) (*chain.Chain, error), notes *[]string, deadline time.Duration) (*chain.Chain, error) {
	var fetched []*x509.Certificate
	fctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	for round := 0; round < MaxFetchRounds && !c.Complete; round++ {
		got, err := f.Issuers(fctx, c.MissingFor)
		if ctx.Err() != nil {
			return nil, fmt.Errorf("fetching the issuer of %q: %w", chain.DisplayName(c.MissingFor), ctx.Err())
		}
		if fctx.Err() != nil {
			*notes = append(*notes, fmt.Sprintf("gave up fetching the issuer of %q: --fetch has %s in all, and they ran out (%v)",
				chain.DisplayName(c.MissingFor), deadline, err))
			return c, nil
		}
		if err != nil {
			*notes = append(*notes, fmt.Sprintf("could not fetch the issuer of %q: %v", chain.DisplayName(c.MissingFor), err))
			return c, nil
		}
		missing := c.MissingFor
		for _, g := range got {
			*notes = append(*notes, fmt.Sprintf("fetched %d certificate(s) from %s", len(g.Certificates), g.URL))
			fetched = append(fetched, g.Certificates...)
		}
		if c, err = rebuild(fetched, opts); err != nil {
			return nil, err
		}
		if c.MissingFor != nil && c.MissingFor.Equal(missing) {
			return c, nil // the URL did not hold the issuer
		}
	}
	return c, nil
}
