package expiry

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/inputfile"
	"github.com/confcert/confcert/internal/publicca"
)

// streamBatch is how many certificates of a large file are decoded and
// described at a time (a variable for the tests, which cross batches).
var streamBatch = 2048

// batchDone is called after each batch is described (tests measure the
// heap there).
var batchDone = func() {}

// distinct is what the rows of one distinct certificate of a streamed file
// need: its row (Index aside), and what judging it as a CA and as a
// renewal needs.
type distinct struct {
	row       Item
	notBefore time.Time
	signer    *x509.Certificate // what CheckSignatureFrom reads of it as the parent; nil when it may sign nothing
}

// streamItems describes the PEM file of certificates at path a batch at a
// time, keeping one row per certificate and, per distinct certificate, its
// row and a compact index entry (chain.Pile): the certificates themselves
// are dropped once described, and read again (by offset) only to check
// whether a CA signed another certificate of the file and whether a
// certificate chains to a public root. A file that is not PEM certificates
// only gives certio.ErrNotCertificates when that shows in its first batch;
// later, and for a damaged block, an error naming the file.
func streamItems(path string, o Options) ([]Item, error) {
	f, err := inputfile.Open(path, inputfile.MaxStreamFile)
	if err != nil {
		return nil, certio.ErrNotCertificates // the whole read names the problem
	}
	defer f.Close()
	pile := chain.NewPile(func(ref chain.Ref) (*x509.Certificate, error) {
		der, err := certio.ReadSpan(f, certio.Span{Offset: ref.Offset, Len: ref.Len})
		if err != nil {
			return nil, fmt.Errorf("%w: %v", chain.ErrChanged, err)
		}
		return x509.ParseCertificate(der)
	})
	var rows []Item
	var entryOf []int32
	var facts []distinct
	s, err := certio.NewFileStream(f)
	if err != nil {
		return nil, certio.ErrNotCertificates // the whole read names the problem
	}
	var refs []chain.Ref
	for {
		ders, err := s.Next(streamBatch)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, streamError(path, len(rows), err)
		}
		refs = refs[:0]
		for _, sp := range s.Spans() {
			refs = append(refs, chain.Ref{Offset: sp.Offset, Len: sp.Len})
		}
		err = pile.AddDERFunc(ders, refs, func(e int, c *x509.Certificate) {
			if c != nil {
				facts = append(facts, distinctOf(path, c, o))
			}
			row := facts[e].row
			row.Index = len(rows)
			rows = append(rows, row)
			entryOf = append(entryOf, int32(e))
		})
		var pe *chain.ParseError
		if errors.As(err, &pe) {
			return nil, &certio.FileError{Name: path, Err: fmt.Errorf("certificate %d: %w", len(rows)+pe.Index+1, pe.Err)}
		}
		if err != nil {
			return nil, &certio.FileError{Name: path, Err: err}
		}
		batchDone()
	}
	if err := judge(pile, facts, o); err != nil {
		return nil, &certio.FileError{Name: path, Err: err}
	}
	for i, e := range entryOf {
		rows[i].Public, rows[i].NextRenewalDue = facts[e].row.Public, facts[e].row.NextRenewalDue
	}
	return rows, nil
}

// streamError names the file in a stream's error; a block that is not a
// certificate after some were described is no longer a reason to read the
// file whole.
func streamError(path string, n int, err error) error {
	switch {
	case errors.Is(err, certio.ErrNotCertificates) && n == 0:
		return err
	case errors.Is(err, certio.ErrNotCertificates):
		err = fmt.Errorf("after certificate %d: a PEM block that is not a certificate (a file over %d MiB is read only when it holds certificates only)",
			n, maxFileSize>>20)
	}
	return &certio.FileError{Name: path, Err: err}
}

// distinctOf describes a certificate of a streamed file.
func distinctOf(path string, c *x509.Certificate, o Options) distinct {
	d := distinct{row: item(path, 0, c, o), notBefore: c.NotBefore}
	if mayCheckSignatures(c) {
		// All that CheckSignatureFrom reads of the parent.
		d.signer = &x509.Certificate{Version: c.Version, BasicConstraintsValid: c.BasicConstraintsValid, IsCA: c.IsCA,
			KeyUsage: c.KeyUsage, PublicKeyAlgorithm: c.PublicKeyAlgorithm, PublicKey: c.PublicKey}
	}
	return d
}

// mayCheckSignatures is what x509's CheckSignatureFrom requires of a parent
// before it checks any signature with its key (RFC 5280, 4.2.1.9 and
// 4.2.1.3): a certificate refused here signed nothing, and no child of it
// is read again.
func mayCheckSignatures(c *x509.Certificate) bool {
	if c.Version == 3 && !c.BasicConstraintsValid || c.BasicConstraintsValid && !c.IsCA {
		return false
	}
	if c.KeyUsage != 0 && c.KeyUsage&x509.KeyUsageCertSign == 0 {
		return false
	}
	return c.PublicKeyAlgorithm != x509.UnknownPublicKeyAlgorithm
}

// judge sets, for each distinct certificate that issued no other of the
// file, whether it chains to a public root (Public) and when its next
// renewal is due, as items does for a file read whole.
func judge(pile *chain.Pile, facts []distinct, o Options) error {
	var anchors *chain.Anchors
	window := time.Duration(o.WithinDays) * 24 * time.Hour
	for e := range facts {
		d := &facts[e]
		issued, err := issuedAnotherIn(pile, e, d.signer)
		if err != nil {
			return err
		}
		if issued {
			continue
		}
		if anchors == nil {
			anchors = o.publicAnchors()
		}
		if anchors != nil {
			d.row.Public = pile.Verify(e, anchors, chain.VerifyOptions{At: d.notBefore.Add(time.Minute)}) == nil
		}
		d.row.NextRenewalDue = publicca.NextRenewalDue(d.row.NotAfter, d.row.NotAfter.Sub(d.notBefore), window, d.row.Public)
	}
	return nil
}

// issuedAnotherIn is issuedAnother over a streamed file: whether another
// certificate of it verifies under e's key, as x509's CheckSignatureFrom
// judges. Only the certificates naming e as their issuer (chain.Pile's
// Children) are checked, each read again.
func issuedAnotherIn(pile *chain.Pile, e int, signer *x509.Certificate) (bool, error) {
	if signer == nil {
		return false, nil
	}
	for _, j := range pile.Children(e) {
		c, err := pile.Load(j)
		if err != nil {
			return false, err
		}
		if c.CheckSignatureFrom(signer) == nil {
			return true, nil
		}
	}
	return false, nil
}

// publicAnchors are the public roots prepared for Pile.Verify: once per
// Scan (Options.anchors), else now.
func (o Options) publicAnchors() *chain.Anchors {
	if o.anchors != nil {
		return o.anchors()
	}
	return publicAnchors(o)
}

// publicAnchors are the public roots, prepared; nil when there are none
// (nothing is Public then, as isPublic says).
func publicAnchors(o Options) *chain.Anchors {
	get := o.SystemRoots
	if get == nil {
		get = chain.SystemRoots
	}
	roots, err := get()
	if err != nil || len(roots) == 0 {
		return nil
	}
	return chain.NewAnchors(roots)
}
