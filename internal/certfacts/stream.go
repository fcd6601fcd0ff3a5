package certfacts

import (
	"bufio"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"
	"unique"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/parallel"
	"github.com/confcert/confcert/internal/ui"
)

// streamBatch is how many certificates a stream parses, describes and writes
// at a time: enough to keep every core busy, little enough to keep memory flat.
const streamBatch = 2048

// ErrNotStreamable says a file is not a PEM file of certificates only: the
// caller reads it whole (certio.ReadFile, File) instead.
var ErrNotStreamable = certio.ErrNotCertificates

// Opener opens the file to stream from its start; it is called twice.
type Opener func() (io.ReadCloser, error)

// Sink receives the described certificates of a stream, in file order, a
// batch at a time, once the count of certificates is known.
type Sink interface {
	// Begin is called once, before the first batch, with the number of
	// certificates the file holds.
	Begin(count int) error
	// Batch receives the next certificates, IssuedByIndex set.
	Batch(certs []*Certificate) error
	// End is called after the last batch.
	End() error
}

// Stream describes every certificate of a PEM file of certificates only, as
// of now, into sink, holding one batch at a time (streamBatch certificates)
// and a compact index of the file: for each certificate its subject, subject
// key identifier and public key (interned, so a repeated one costs nothing
// more). The file is read twice: the first pass walks each certificate to
// the fields of the index only (certio.ReadIndexFields), the second parses,
// describes and hands out each batch, finding each certificate's issuer in
// the index exactly as IssuedBy does. A file that holds anything but
// certificates gives ErrNotStreamable before sink is called.
func Stream(open Opener, now time.Time, sink Sink) error {
	ix, err := buildIndex(open)
	if err != nil {
		return err
	}
	if err := sink.Begin(len(ix.spki)); err != nil {
		return err
	}
	r, err := open()
	if err != nil {
		return err
	}
	defer r.Close()
	s := certio.NewStream(r)
	for n := 0; ; {
		ders, err := s.Next(streamBatch)
		if errors.Is(err, io.EOF) {
			if n != len(ix.spki) {
				return errChanged
			}
			return sink.End()
		}
		if err != nil {
			return err
		}
		if n+len(ders) > len(ix.spki) {
			return errChanged
		}
		certs, err := ix.describe(ders, n, now)
		if err != nil {
			return err
		}
		if err := sink.Batch(certs); err != nil {
			return err
		}
		n += len(ders)
	}
}

// errChanged says the file changed between the two passes.
var errChanged = errors.New("the file changed while it was read")

// index is the compact index of a file's certificates: what IssuedBy needs
// to find an issuer, and no more.
type index struct {
	bySubject map[unique.Handle[string]][]int32
	ski, spki []unique.Handle[string] // by certificate
	mu        sync.Mutex
	parents   map[unique.Handle[string]]*x509.Certificate // a public key as a certificate to check signatures with
}

// buildIndex is the first pass.
func buildIndex(open Opener) (*index, error) {
	r, err := open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	ix := &index{bySubject: map[unique.Handle[string]][]int32{}, parents: map[unique.Handle[string]]*x509.Certificate{}}
	s := certio.NewStream(r)
	for {
		ders, err := s.Next(streamBatch)
		if errors.Is(err, io.EOF) {
			return ix, nil
		}
		if err != nil {
			return nil, err
		}
		if err := ix.add(ders); err != nil {
			return nil, err
		}
	}
}

// add indexes a batch of certificates.
func (ix *index) add(ders [][]byte) error {
	fields := make([]certio.IndexFields, len(ders))
	errs := make([]error, len(ders))
	parallel.For(len(ders), func(i int) {
		fields[i], errs[i] = certio.ReadIndexFields(ders[i])
	})
	for i, f := range fields {
		n := len(ix.spki)
		if errs[i] != nil {
			if _, err := x509.ParseCertificate(ders[i]); err != nil {
				errs[i] = err // the error ReadFile gives
			}
			return fmt.Errorf("certificate %d: %w", n+1, errs[i])
		}
		sub := unique.Make(string(f.Subject))
		ix.bySubject[sub] = append(ix.bySubject[sub], int32(n))
		ix.ski = append(ix.ski, unique.Make(string(f.SubjectKeyID)))
		ix.spki = append(ix.spki, unique.Make(string(f.PublicKey)))
	}
	return nil
}

// describe parses and describes a batch of certificates, the first being
// number base (from 0) of the file, in parallel.
func (ix *index) describe(ders [][]byte, base int, now time.Time) ([]*Certificate, error) {
	out := make([]*Certificate, len(ders))
	errs := make([]error, len(ders))
	parallel.For(len(ders), func(i int) {
		c, err := x509.ParseCertificate(ders[i])
		if err != nil {
			errs[i] = fmt.Errorf("certificate %d: %w", base+i+1, err)
			return
		}
		out[i] = Cert(c, base+i, now)
		if j := ix.issuerOf(c, base+i); j >= 0 {
			out[i].IssuedByIndex = &j
		}
	})
	if err := errors.Join(errs...); err != nil {
		return nil, firstOf(errs)
	}
	return out, nil
}

func firstOf(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// issuerOf is issuerOf of issuer.go over the index: the first certificate of
// the file, in file order, named as c's issuer, whose key identifier does not
// rule it out and whose key verifies c's signature; at most maxIssuerKeys
// distinct keys are tried.
func (ix *index) issuerOf(c *x509.Certificate, i int) int {
	if SelfIssued(c) {
		return i
	}
	var tried []unique.Handle[string]
	for _, j := range ix.bySubject[unique.Make(string(c.RawIssuer))] {
		ski, key := ix.ski[j].Value(), ix.spki[j]
		if len(tried) == maxIssuerKeys || len(c.AuthorityKeyId) > 0 && len(ski) > 0 && string(c.AuthorityKeyId) != ski ||
			slices.Contains(tried, key) {
			continue
		}
		if chain.SignedBy(c, ix.parent(key)) {
			return int(j)
		}
		tried = append(tried, key)
	}
	return -1
}

// parent returns a certificate holding only the public key spki, which is
// all a signature check reads of it, parsing each key once.
func (ix *index) parent(spki unique.Handle[string]) *x509.Certificate {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if p, ok := ix.parents[spki]; ok {
		return p
	}
	der := []byte(spki.Value())
	pub, _ := x509.ParsePKIXPublicKey(der) // nil for a key x509 does not know: no signature verifies
	p := &x509.Certificate{PublicKey: pub, RawSubjectPublicKeyInfo: der}
	ix.parents[spki] = p
	return p
}

// StreamJSON writes the inspect --json document of the PEM file of
// certificates that open reads (Stream), named file: byte for byte what
// WriteJSON writes of the same file read whole.
func StreamJSON(w io.Writer, file string, open Opener, now time.Time) error {
	return Stream(open, now, &jsonSink{w: w, file: file})
}

type jsonSink struct {
	w    io.Writer
	file string
	jw   *jsonWriter
	objs []Object
}

func (s *jsonSink) Begin(int) error {
	jw, err := newJSONWriter(s.w, s.file, string(certio.PEM), false)
	s.jw = jw
	return err
}

func (s *jsonSink) Batch(certs []*Certificate) error {
	s.objs = s.objs[:0]
	for _, c := range certs {
		s.objs = append(s.objs, c)
	}
	return s.jw.objects(s.objs)
}

func (s *jsonSink) End() error { return s.jw.close() }

// StreamText writes what WriteText writes of the PEM file of certificates
// that open reads (Stream), named file. The chain tree at the end needs each
// certificate's name and issuer, which are kept (names interned) while the
// certificates stream by.
func StreamText(p *ui.Printer, file string, open Opener, now time.Time) error {
	bw := bufio.NewWriterSize(p.Writer(), 64<<10)
	s := &textSink{p: p, w: &errWriter{w: bw}, file: file}
	if err := Stream(open, now, s); err != nil {
		return err
	}
	return bw.Flush()
}

type textSink struct {
	p    *ui.Printer
	w    *errWriter
	file string
	tree []Object // slim certificates: what Tree reads of each
}

func (s *textSink) Begin(count int) error {
	s.w.printf("%s: %s, %s\n", s.file, certio.PEM, plural(count, "certificate"))
	return s.w.err
}

func (s *textSink) Batch(certs []*Certificate) error {
	for _, c := range certs {
		s.w.printf("\n")
		writeObject(s.w, s.p, c)
		s.tree = append(s.tree, &Certificate{Index: c.Index, IssuedByIndex: c.IssuedByIndex, Expired: c.Expired,
			SubjectCN: unique.Make(c.SubjectCN).Value(), Subject: unique.Make(c.Subject).Value()})
	}
	return s.w.err
}

func (s *textSink) End() error {
	writeTree(s.w, s.p, Tree(&Report{File: s.file, Objects: s.tree}))
	return s.w.err
}
