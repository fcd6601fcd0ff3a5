package certfacts

import (
	"bufio"
	"crypto/x509"
	"encoding/json"
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
// A variable only so that the tests can cross batch boundaries with a few
// certificates (export_test.go); nothing else changes it.
var streamBatch = 2048

// ErrNotStreamable says a file is not a PEM file of certificates only: the
// caller reads it whole (certio.ReadFile, File) instead.
var ErrNotStreamable = certio.ErrNotCertificates

// Opener opens the file to stream from its start; it is called twice.
type Opener func() (io.ReadCloser, error)

// Sink receives the described certificates of a stream, in file order, a
// batch at a time, once the count of certificates is known. Each turns one
// certificate into what the sink keeps of it (T: the JSON sink encodes it,
// so that neither the parsed certificate nor its description outlives the
// pass that made them).
type Sink[T any] interface {
	// Begin is called once, before the first batch, with the number of
	// certificates the file holds.
	Begin(count int) error
	// Each is called on every core, concurrently, once per certificate,
	// IssuedByIndex set, as soon as its issuer is known.
	Each(c *Certificate) (T, error)
	// Batch receives what Each made of the next certificates, in file order.
	Batch(items []T) error
	// End is called after the last batch.
	End() error
}

// Stream describes every certificate of a PEM file of certificates only, as
// of now, into sink, holding one batch at a time (streamBatch certificates)
// and a compact index of the file: for each certificate its subject, subject
// key identifier and public key (each distinct value kept once, so a
// repeated one costs 12 bytes). Each certificate's issuer is found in the
// index exactly as IssuedBy finds it: the first certificate of the file, in
// file order, that signed it.
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
func Stream[T any](open Opener, now time.Time, sink Sink[T], walkFirst bool) error {
	st := &streamer[T]{open: open, now: now, ix: newIndex(), each: sink.Each}
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
		items, err := st.batch(ders, n, s.Offset())
		if err != nil {
			return err
		}
		if n == 0 {
			if err := sink.Begin(len(st.ix.spki)); err != nil {
				return err
			}
		}
		if err := sink.Batch(items); err != nil {
			return err
		}
		n += len(ders)
	}
}

// streamer is one streaming of a file.
type streamer[T any] struct {
	open     Opener
	now      time.Time
	ix       *index
	complete bool // ix holds every certificate of the file
	each     func(*Certificate) (T, error)
}

// pending is a certificate of a batch whose issuer is not known yet: it is
// not self-issued, so its issuer is looked up in the index once the batch
// is in it.
type pending struct {
	i      int // in the batch
	parsed *x509.Certificate
	desc   *Certificate
}

// batch parses, describes and hands to each a batch of certificates, the
// first being number base (from 0) of the file, in parallel; next is the
// offset of the text after the batch. A self-issued certificate (a root:
// most of a bundle) is its own issuer, so it goes to each in the pass that
// parsed it and nothing of it is kept; the others wait for the batch to be
// in the index.
func (st *streamer[T]) batch(ders [][]byte, base int, next int64) ([]T, error) {
	items := make([]T, len(ders))
	entries := make([]entry, len(ders))
	waiting := make([]*pending, len(ders))
	errs := make([]error, len(ders))
	parallel.For(len(ders), func(i int) {
		c, err := x509.ParseCertificate(ders[i])
		if err != nil {
			errs[i] = fmt.Errorf("certificate %d: %w", base+i+1, err)
			return
		}
		if !st.complete {
			entries[i] = st.ix.lookUp(certio.IndexFields{Subject: c.RawSubject, SubjectKeyID: c.SubjectKeyId, PublicKey: c.RawSubjectPublicKeyInfo})
		}
		d := Cert(c, base+i, st.now)
		if !SelfIssued(c) {
			waiting[i] = &pending{i: i, parsed: c, desc: d}
			return
		}
		self := d.Index // not &d.Index: the text output's tree keeps the pointer, not d
		d.IssuedByIndex = &self
		items[i], errs[i] = st.each(d)
	})
	if err := errors.Join(errs...); err != nil {
		return nil, firstOf(errs)
	}
	if !st.complete {
		for _, e := range entries {
			st.ix.add(e)
		}
	}
	var rest []*pending
	for _, p := range waiting {
		if p != nil {
			rest = append(rest, p)
		}
	}
	if len(rest) == 0 {
		return items, nil
	}
	final := make([]bool, len(rest))
	parallel.For(len(rest), func(k int) {
		final[k] = st.setIssuer(rest[k].desc, rest[k].parsed)
	})
	if slices.Contains(final, false) {
		if err := st.lookAhead(next); err != nil {
			return nil, err
		}
		parallel.For(len(rest), func(k int) {
			if !final[k] {
				st.setIssuer(rest[k].desc, rest[k].parsed)
			}
		})
	}
	parallel.For(len(rest), func(k int) {
		items[rest[k].i], errs[k] = st.each(rest[k].desc)
	})
	if err := errors.Join(errs...); err != nil {
		return nil, firstOf(errs)
	}
	return items, nil
}

// setIssuer sets d.IssuedByIndex from the index; it reports whether the
// answer is final (later certificates of the file cannot change it).
func (st *streamer[T]) setIssuer(d *Certificate, c *x509.Certificate) bool {
	j, final := st.ix.issuerOf(c, d.Index, st.complete)
	if j >= 0 {
		d.IssuedByIndex = &j
	}
	return final
}

// lookAhead walks the file from offset on to the index entries of its
// certificates: the index is then complete.
func (st *streamer[T]) lookAhead(offset int64) error {
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
// to find an issuer, and no more. Each distinct subject, key identifier and
// public key is kept once (a certificate repeated costs 12 bytes more each
// time); it is filled one certificate at a time and read, between fills, by
// every core at once.
type index struct {
	bySubject map[string]int32 // a subject (DER) → its group
	groups    [][]int32        // by group: the certificates of that subject, in file order
	ids       map[string]int32 // a key identifier or public key (DER) → its id
	values    []string         // by id
	ski, spki []int32          // by certificate: the ids of its key identifier and public key
	mu        sync.Mutex
	parents   map[int32]*x509.Certificate // by public key id: a certificate to check signatures with
}

func newIndex() *index {
	return &index{bySubject: map[string]int32{}, ids: map[string]int32{}, parents: map[int32]*x509.Certificate{}}
}

// addDER indexes a batch of certificates by walking each to its index
// fields.
func (ix *index) addDER(ders [][]byte) error {
	entries := make([]entry, len(ders))
	errs := make([]error, len(ders))
	parallel.For(len(ders), func(i int) {
		var f certio.IndexFields
		if f, errs[i] = certio.ReadIndexFields(ders[i]); errs[i] == nil {
			entries[i] = ix.lookUp(f)
		}
	})
	for i, e := range entries {
		if errs[i] != nil {
			if _, err := x509.ParseCertificate(ders[i]); err != nil {
				errs[i] = err // the error ReadFile gives
			}
			return fmt.Errorf("certificate %d: %w", len(ix.spki)+1, errs[i])
		}
		ix.add(e)
	}
	return nil
}

// entry is one certificate's index fields with what the index already
// knows of them: the group of its subject and the ids of its key identifier
// and public key, -1 for a value not in the index yet.
type entry struct {
	f              certio.IndexFields
	group, ski, pk int32
}

// lookUp finds what the index knows of f. It only reads the index, so it
// runs on every core at once, between two adds; a value seen before (a
// repeated certificate, a CA's subject) then costs add nothing but a slot.
func (ix *index) lookUp(f certio.IndexFields) entry {
	e := entry{f: f, group: -1, ski: -1, pk: -1}
	if g, ok := ix.bySubject[string(f.Subject)]; ok { // a look-up of string(b) does not allocate
		e.group = g
	}
	if id, ok := ix.ids[string(f.SubjectKeyID)]; ok {
		e.ski = id
	}
	if id, ok := ix.ids[string(f.PublicKey)]; ok {
		e.pk = id
	}
	return e
}

// add indexes the next certificate of the file, e from lookUp. Only a value
// not seen before is copied.
func (ix *index) add(e entry) {
	n := int32(len(ix.spki))
	g := e.group
	if g < 0 {
		var ok bool
		if g, ok = ix.bySubject[string(e.f.Subject)]; !ok { // not seen before the batch, but maybe in it
			g = int32(len(ix.groups))
			ix.bySubject[string(e.f.Subject)] = g
			ix.groups = append(ix.groups, nil)
		}
	}
	ix.groups[g] = append(ix.groups[g], n)
	ix.ski = append(ix.ski, ix.id(e.ski, e.f.SubjectKeyID))
	ix.spki = append(ix.spki, ix.id(e.pk, e.f.PublicKey))
}

// id returns known when it is an id (>= 0), else the id of the key
// identifier or public key b, which it makes when b is new.
func (ix *index) id(known int32, b []byte) int32 {
	if known >= 0 {
		return known
	}
	if id, ok := ix.ids[string(b)]; ok {
		return id
	}
	v := string(b)
	id := int32(len(ix.values))
	ix.ids[v] = id
	ix.values = append(ix.values, v)
	return id
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
	var tried []int32
	g, ok := ix.bySubject[string(c.RawIssuer)]
	if !ok {
		return -1, complete
	}
	for _, j := range ix.groups[g] {
		ski, key := ix.values[ix.ski[j]], ix.spki[j]
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

// parent returns a certificate holding only the public key of id spki,
// which is all a signature check reads of it, parsing each key once.
func (ix *index) parent(spki int32) *x509.Certificate {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if p, ok := ix.parents[spki]; ok {
		return p
	}
	der := []byte(ix.values[spki])
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

// jsonSink encodes each certificate as it is described (Each, on every
// core) and writes the batch's objects in order.
type jsonSink struct {
	w    io.Writer
	file string
	jw   *jsonWriter
}

func (s *jsonSink) Begin(int) error {
	jw, err := newJSONWriter(s.w, s.file, string(certio.PEM), false)
	s.jw = jw
	return err
}

func (s *jsonSink) Each(c *Certificate) ([]byte, error) { return json.Marshal(c) }

func (s *jsonSink) Batch(encoded [][]byte) error {
	s.jw.write(encoded)
	return nil
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

func (s *textSink) Each(c *Certificate) (*Certificate, error) { return c, nil }

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
