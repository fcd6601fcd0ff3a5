package chain

import (
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
	"unique"

	"github.com/confcert/confcert/internal/parallel"
)

// Ref says where a certificate of a Pile can be read again: which input of
// the caller, and where in it. The chain engine never reads it itself; the
// Pile's Loader does.
type Ref struct {
	Input  int
	Offset int64
	Len    int64
}

// Loader reads the certificate at ref again.
type Loader func(ref Ref) (*x509.Certificate, error)

// ErrChanged says a certificate read again is not the one indexed: the file
// changed while it was read.
var ErrChanged = errors.New("the file changed while it was read")

// read reads e's certificate again and checks it is the same one.
func (l Loader) read(e *entry) (*x509.Certificate, error) {
	if l == nil {
		return nil, fmt.Errorf("certificate %q is not held and has no loader", e.name)
	}
	c, err := l(e.ref)
	if err != nil {
		return nil, err
	}
	if pileID(c.Raw) != e.id {
		return nil, ErrChanged
	}
	return c, nil
}

// pileID is how a Pile tells certificates apart: the SHA-256 of the DER.
func pileID(der []byte) string {
	sum := sha256.Sum256(der)
	return string(sum[:])
}

// Pile is a pile of certificates indexed as it is read, a batch at a time,
// without holding it: for each distinct certificate only what the chain
// engine decides with (its names, key identifiers, public key, validity,
// signature strength, display name, whether it is a CA) and where to read
// it again; for each repeat of one, four bytes. A certificate is read again
// only when one of its signatures is checked (its issuer's is checked with
// the issuer's indexed public key) or when it is returned. Build, Collect
// and LeafForKey give what the functions of the same names give on the same
// certificates held in memory; duplicates are found by the SHA-256 of the
// DER.
type Pile struct {
	load    Loader
	entries []*entry
	byID    map[string]int32
	dups    []int32 // every repeat, in input order: the entry it repeats
	count   int
}

// NewPile returns an empty pile whose certificates load reads again.
func NewPile(load Loader) *Pile {
	return &Pile{load: load, byID: map[string]int32{}}
}

// Len is the number of certificates added, repeats included.
func (p *Pile) Len() int { return p.count }

// Distinct is the number of distinct certificates added.
func (p *Pile) Distinct() int { return len(p.entries) }

// ParseError says which certificate of a batch given to AddDER does not
// parse.
type ParseError struct {
	Index int // in the batch
	Err   error
}

// Error implements error.
func (e *ParseError) Error() string { return e.Err.Error() }

// Unwrap returns x509's error.
func (e *ParseError) Unwrap() error { return e.Err }

// AddDER indexes the next certificates of the pile, in input order;
// refs[i] says where ders[i] is read again. Only certificates not seen
// before are parsed, in parallel; the first that does not parse gives a
// *ParseError, and the pile is left as it was.
func (p *Pile) AddDER(ders [][]byte, refs []Ref) error {
	ids := make([]string, len(ders))
	parallel.For(len(ders), func(i int) { ids[i] = pileID(ders[i]) })
	var fresh []int
	base, dups := len(p.entries), len(p.dups)
	for i, id := range ids {
		if j, ok := p.byID[id]; ok {
			p.dups = append(p.dups, j)
			continue
		}
		p.byID[id] = int32(base + len(fresh))
		fresh = append(fresh, i)
	}
	entries := make([]*entry, len(fresh))
	errs := make([]error, len(fresh))
	parallel.For(len(fresh), func(k int) {
		i := fresh[k]
		c, err := x509.ParseCertificate(ders[i])
		if err != nil {
			errs[k] = &ParseError{Index: i, Err: err}
			return
		}
		entries[k] = pileEntry(c, ids[i], refs[i])
	})
	for _, err := range errs {
		if err != nil {
			for _, i := range fresh {
				delete(p.byID, ids[i])
			}
			p.dups = p.dups[:dups]
			return err
		}
	}
	p.entries = append(p.entries, entries...)
	p.count += len(ders)
	return nil
}

// Mark is a state of a Pile to go back to (Reset).
type Mark struct{ entries, dups, count int }

// Mark returns the pile's state now.
func (p *Pile) Mark() Mark { return Mark{len(p.entries), len(p.dups), p.count} }

// Reset drops every certificate added since m was taken.
func (p *Pile) Reset(m Mark) {
	for _, e := range p.entries[m.entries:] {
		delete(p.byID, e.id)
	}
	p.entries, p.dups, p.count = p.entries[:m.entries], p.dups[:m.dups], m.count
}

// Add adds certificates held in memory (read whole): they stay held.
func (p *Pile) Add(certs ...*x509.Certificate) {
	for _, c := range certs {
		id := pileID(c.Raw)
		p.count++
		if j, ok := p.byID[id]; ok {
			p.dups = append(p.dups, j)
			continue
		}
		e := pileEntry(c, id, Ref{})
		e.cert = c
		p.byID[id] = int32(len(p.entries))
		p.entries = append(p.entries, e)
	}
}

// With returns a pile holding p's certificates, then certs (held): p is
// unchanged.
func (p *Pile) With(certs ...*x509.Certificate) *Pile {
	q := &Pile{load: p.load, entries: slices.Clip(p.entries), byID: maps.Clone(p.byID), dups: slices.Clip(p.dups), count: p.count}
	q.Add(certs...)
	return q
}

// pileEntry indexes a parsed certificate of a Pile; the strings many
// certificates share (names, the issuer's key identifier) are interned.
func pileEntry(c *x509.Certificate, id string, ref Ref) *entry {
	return &entry{ref: ref, id: id,
		subjectKey: intern(nameKey(c.RawSubject)), issuerKey: intern(nameKey(c.RawIssuer)),
		skid: string(c.SubjectKeyId), akid: intern(string(c.AuthorityKeyId)), ca: markedCA(c),
		notBefore: c.NotBefore, notAfter: c.NotAfter, strength: SignatureStrength(c),
		spki: string(c.RawSubjectPublicKeyInfo), name: intern(DisplayName(c))}
}

func intern(s string) string { return unique.Make(s).Value() }

// Build is Build over the pile's certificates, in the order they were
// added. Dropped certificates carry their Name; their Cert is nil unless
// they were added held. The chain's Unique is left empty. A certificate
// that cannot be read again (the file changed) is an error.
func (p *Pile) Build(o Options) (*Chain, error) {
	if o.At.IsZero() {
		o.At = time.Now()
	}
	roots := o.Roots
	if o.SystemRoots {
		sys, err := SystemRoots()
		if err != nil {
			return nil, err
		}
		roots = append(append([]*x509.Certificate{}, roots...), sys...)
	}
	c := &Chain{Dropped: p.duplicates()}
	entries := p.entries
	if o.Leaf != nil {
		entries = p.withLeafFirst(o.Leaf)
	}
	if len(entries) == 0 {
		return nil, ErrNoCertificates
	}
	ix := newEntryIndex(entries, roots, p.load)
	leaf, err := ix.findLeaf(o.Leaf)
	if err != nil {
		return nil, err
	}
	best := ix.bestPath(leaf, o.At)
	best.fill(ix, c)
	c.Dropped = append(c.Dropped, ix.dropped(best)...)
	if ix.err != nil {
		return nil, ix.err
	}
	return c, nil
}

// withLeafFirst is the pile's entries with the given leaf first, as Build
// puts it: its own copy in the pile, if any, is the leaf (and its first
// occurrence no duplicate).
func (p *Pile) withLeafFirst(leaf *x509.Certificate) []*entry {
	id := pileID(leaf.Raw)
	out := make([]*entry, 0, len(p.entries)+1)
	e := pileEntry(leaf, id, Ref{})
	e.cert = leaf
	out = append(out, e)
	for _, x := range p.entries {
		if x.id != id {
			out = append(out, x)
		}
	}
	return out
}

// duplicates lists every repeat, in input order, as Collect does.
func (p *Pile) duplicates() []Dropped {
	out := make([]Dropped, len(p.dups))
	for i, j := range p.dups {
		e := p.entries[j]
		out[i] = Dropped{Cert: e.cert, Name: e.name, Reason: ReasonDuplicate}
	}
	return out
}

// Collect is Collect over the pile: every distinct certificate once, in
// input order, each read again (they are all returned).
func (p *Pile) Collect() (*Chain, error) {
	c := &Chain{Dropped: p.duplicates(), Unique: make([]*x509.Certificate, len(p.entries))}
	for i, e := range p.entries {
		cert := e.cert
		if cert == nil {
			var err error
			if cert, err = p.load.read(e); err != nil {
				return nil, err
			}
		}
		c.Unique[i] = cert
	}
	return c, nil
}

// LeafForKey returns the only distinct certificate of the pile whose public
// key match accepts, or nil; each distinct public key is parsed once.
func (p *Pile) LeafForKey(match func(crypto.PublicKey) bool) (*x509.Certificate, error) {
	var found *entry
	judged := map[string]bool{}
	for _, e := range p.entries {
		ok, done := judged[e.spki]
		if !done {
			pub, _ := x509.ParsePKIXPublicKey([]byte(e.spki))
			ok = pub != nil && match(pub)
			judged[e.spki] = ok
		}
		if !ok {
			continue
		}
		if found != nil {
			return nil, nil
		}
		found = e
	}
	if found == nil {
		return nil, nil
	}
	if found.cert != nil {
		return found.cert, nil
	}
	return p.load.read(found)
}
