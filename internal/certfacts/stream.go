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
	"github.com/confcert/confcert/internal/inputfile"
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
// more). Each certificate's issuer is found in the index exactly as IssuedBy
// finds it: the first certificate of the file, in file order, that signed it.
//
// With walkFirst false (inspect --json of a large file) the file is read once, the index
// growing as the batches go by, as long as every issuer is found before the
// end of its batch (a root, or an issuer earlier in the file). The first
// certificate that might have been signed by one further on makes the rest
// of the file be walked once to its index entries (certio.ReadIndexFields,
// a small part of a parse), and then the batches go on. With walkFirst true
// the whole file is walked to the index first: the count given to
// sink.Begin is the file's (the text output's first line says it), and a
// damaged block or one that is not a certificate is found before sink is
// called.
//
// A file that holds anything but certificates gives ErrNotStreamable before
// sink is called when that is seen in the first batch or walkFirst is set;
// later, an error that says so. Any other error in a later batch comes after
// the earlier batches were handed out.
func Stream(open Opener, now time.Time, sink Sink, walkFirst bool) error {
	st := &streamer{open: open, now: now, ix: newIndex()}
	if walkFirst {
		if err := st.lookAhead(0); err != nil {
			return err
		}
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
			if st.complete && n != len(st.ix.spki) {
				return errChanged
			}
			if n == 0 {
				if err := sink.Begin(0); err != nil {
					return err
				}
			}
			return sink.End()
		}
		if errors.Is(err, certio.ErrNotCertificates) && n > 0 {
			return fmt.Errorf("after certificate %d: a PEM block that is not a certificate (a file over %d MiB is read only when it holds certificates only)",
				n, inputfile.MaxCertFile>>20)
		}
		if err != nil {
			return err
		}
		certs, err := st.batch(ders, n, s.Offset())
		if err != nil {
			return err
		}
		if n == 0 {
			if err := sink.Begin(len(st.ix.spki)); err != nil {
				return err
			}
		}
		if err := sink.Batch(certs); err != nil {
			return err
		}
		n += len(ders)
	}
}

// streamer is one streaming of a file.
type streamer struct {
	open     Opener
	now      time.Time
	ix       *index
	complete bool // ix holds every certificate of the file
}

// batch parses and describes a batch of certificates, the first being
// number base (from 0) of the file, in parallel; next is the offset of the
// text after the batch.
func (st *streamer) batch(ders [][]byte, base int, next int64) ([]*Certificate, error) {
	parsed := make([]*x509.Certificate, len(ders))
	errs := make([]error, len(ders))
	parallel.For(len(ders), func(i int) {
		parsed[i], errs[i] = x509.ParseCertificate(ders[i])
		if errs[i] != nil {
			errs[i] = fmt.Errorf("certificate %d: %w", base+i+1, errs[i])
		}
	})
	if err := errors.Join(errs...); err != nil {
		return nil, firstOf(errs)
	}
	if !st.complete {
		for _, c := range parsed {
			st.ix.add(certio.IndexFields{Subject: c.RawSubject, SubjectKeyID: c.SubjectKeyId, PublicKey: c.RawSubjectPublicKeyInfo})
		}
	}
	out := make([]*Certificate, len(ders))
	final := make([]bool, len(ders))
	parallel.For(len(ders), func(i int) {
		out[i] = Cert(parsed[i], base+i, st.now)
		final[i] = st.setIssuer(out[i], parsed[i])
	})
	if slices.Contains(final, false) {
		if err := st.lookAhead(next); err != nil {
			return nil, err
		}
		parallel.For(len(ders), func(i int) {
			if !final[i] {
				st.setIssuer(out[i], parsed[i])
			}
		})
	}
	return out, nil
}

// setIssuer sets d.IssuedByIndex from the index; it reports whether the
// answer is final (later certificates of the file cannot change it).
func (st *streamer) setIssuer(d *Certificate, c *x509.Certificate) bool {
	j, final := st.ix.issuerOf(c, d.Index, st.complete)
	if j >= 0 {
		d.IssuedByIndex = &j
	}
	return final
}

// lookAhead walks the file from offset on to the index entries of its
// certificates: the index is then complete.
func (st *streamer) lookAhead(offset int64) error {
	r, err := st.open()
	if err != nil {
		return err
	}
	defer r.Close()
	s := certio.NewStream(r)
	if offset > 0 {
		if s, err = certio.NewStreamAt(r, offset); err != nil {
			return err
		}
	}
	for {
		ders, err := s.Next(streamBatch)
		if errors.Is(err, io.EOF) {
			st.complete = true
			return nil
		}
		if err != nil {
			return err
		}
		if err := st.ix.addDER(ders); err != nil {
			return err
		}
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

func newIndex() *index {
	return &index{bySubject: map[unique.Handle[string]][]int32{}, parents: map[unique.Handle[string]]*x509.Certificate{}}
}

// addDER indexes a batch of certificates by walking each to its index
// fields.
func (ix *index) addDER(ders [][]byte) error {
	fields := make([]certio.IndexFields, len(ders))
	errs := make([]error, len(ders))
	parallel.For(len(ders), func(i int) {
		fields[i], errs[i] = certio.ReadIndexFields(ders[i])
	})
	for i, f := range fields {
		if errs[i] != nil {
			if _, err := x509.ParseCertificate(ders[i]); err != nil {
				errs[i] = err // the error ReadFile gives
			}
			return fmt.Errorf("certificate %d: %w", len(ix.spki)+1, errs[i])
		}
		ix.add(f)
	}
	return nil
}

// add indexes the next certificate of the file.
func (ix *index) add(f certio.IndexFields) {
	sub := unique.Make(string(f.Subject))
	ix.bySubject[sub] = append(ix.bySubject[sub], int32(len(ix.spki)))
	ix.ski = append(ix.ski, unique.Make(string(f.SubjectKeyID)))
	ix.spki = append(ix.spki, unique.Make(string(f.PublicKey)))
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
// distinct keys are tried. final is false when no issuer was found yet and
// certificates not yet in the index (complete false) might be one.
func (ix *index) issuerOf(c *x509.Certificate, i int, complete bool) (j int, final bool) {
	if SelfIssued(c) {
		return i, true
	}
	var tried []unique.Handle[string]
	for _, j := range ix.bySubject[unique.Make(string(c.RawIssuer))] {
		ski, key := ix.ski[j].Value(), ix.spki[j]
		if len(tried) == maxIssuerKeys || len(c.AuthorityKeyId) > 0 && len(ski) > 0 && string(c.AuthorityKeyId) != ski ||
			slices.Contains(tried, key) {
			continue
		}
		if chain.SignedBy(c, ix.parent(key)) {
			return int(j), true
		}
		tried = append(tried, key)
	}
	return -1, complete || len(tried) == maxIssuerKeys
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
// WriteJSON writes of the same file read whole. walkFirst is Stream's: the
// CLI sets it for every file small enough to be read whole, so that such a
// file is refused, when it is, before anything is written.
func StreamJSON(w io.Writer, file string, open Opener, now time.Time, walkFirst bool) error {
	return Stream(open, now, &jsonSink{w: w, file: file}, walkFirst)
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
	if err := Stream(open, now, s, true); err != nil {
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
