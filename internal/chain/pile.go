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
		return nil, &ChangedError{Ref: e.ref}
	}
	return c, nil
}

// ChangedError says the certificate read again at Ref is not the one
// indexed there; it is ErrChanged, and Ref.Input tells the caller which
// of its files to name.
type ChangedError struct {
	Ref Ref
}

// Error implements error.
func (e *ChangedError) Error() string { return ErrChanged.Error() }

// Is makes a ChangedError ErrChanged.
func (e *ChangedError) Is(target error) bool { return target == ErrChanged }

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

	linked    *links
	linkedLen int
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
	_, _, err := p.add(ders, refs)
	return err
}

// add is AddDER; it also returns, for each DER in order, the index of its
// distinct certificate, and the certificates it parsed, the new entries'
// in order from the first new entry.
func (p *Pile) add(ders [][]byte, refs []Ref) (entryOf []int32, parsed []*x509.Certificate, err error) {
	ids := make([]string, len(ders))
	parallel.For(len(ders), func(i int) { ids[i] = pileID(ders[i]) })
	var fresh []int
	base, dups := len(p.entries), len(p.dups)
	entryOf = make([]int32, len(ders))
	for i, id := range ids {
		if j, ok := p.byID[id]; ok {
			p.dups = append(p.dups, j)
			entryOf[i] = j
			continue
		}
		entryOf[i] = int32(base + len(fresh))
		p.byID[id] = entryOf[i]
		fresh = append(fresh, i)
	}
	entries := make([]*entry, len(fresh))
	certs := make([]*x509.Certificate, len(fresh))
	errs := make([]error, len(fresh))
	parallel.For(len(fresh), func(k int) {
		i := fresh[k]
		c, err := x509.ParseCertificate(ders[i])
		if err != nil {
			errs[k] = &ParseError{Index: i, Err: err}
			return
		}
		entries[k], certs[k] = pileEntry(c, ids[i], refs[i]), c
	})
	for _, err := range errs {
		if err != nil {
			for _, i := range fresh {
				delete(p.byID, ids[i])
			}
			p.dups = p.dups[:dups]
			return nil, nil, err
		}
	}
	p.entries = append(p.entries, entries...)
	p.count += len(ders)
	return entryOf, certs, nil
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
	p.linked = nil // built again over what is added next
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
	o, roots, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	c := &Chain{Dropped: p.duplicates()}
	entries := p.entries
	if o.Leaf != nil {
		entries = p.withLeafFirst(o.Leaf)
	}
	if len(entries) == 0 {
		return nil, ErrNoCertificates
	}
	ix := newEntryIndex(entries, anchorEntries(roots, true), p.load)
	if err := ix.choose(c, o); err != nil {
		return nil, err
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

// AddDERFunc is AddDER, then fn for each certificate of the batch, in
// order: the index of its distinct certificate in the pile (Load, Children,
// Verify take it), and the certificate parsed, or nil when it repeats one
// added before.
func (p *Pile) AddDERFunc(ders [][]byte, refs []Ref, fn func(entry int, c *x509.Certificate)) error {
	base := len(p.entries)
	entryOf, parsed, err := p.add(ders, refs)
	if err != nil {
		return err
	}
	for _, e := range entryOf {
		var c *x509.Certificate
		if k := int(e) - base; k >= 0 {
			c, parsed[k] = parsed[k], nil // a repeat later in the batch gets nil
		}
		fn(int(e), c)
	}
	return nil
}

// Load returns the distinct certificate entry, read again when not held.
func (p *Pile) Load(entry int) (*x509.Certificate, error) {
	e := p.entries[entry]
	if e.cert != nil {
		return e.cert, nil
	}
	return p.load.read(e)
}

// links indexes the pile's certificates by subject, issuer and authority
// key identifier, once the pile is complete.
type links struct {
	bySubject, byIssuer, byAuthKey map[string][]int32
}

func (p *Pile) links() *links {
	if p.linked != nil && p.linkedLen == len(p.entries) {
		return p.linked
	}
	l := &links{bySubject: map[string][]int32{}, byIssuer: map[string][]int32{}, byAuthKey: map[string][]int32{}}
	for i, e := range p.entries {
		l.bySubject[e.subjectKey] = append(l.bySubject[e.subjectKey], int32(i))
		l.byIssuer[e.issuerKey] = append(l.byIssuer[e.issuerKey], int32(i))
		if e.akid != "" {
			l.byAuthKey[e.akid] = append(l.byAuthKey[e.akid], int32(i))
		}
	}
	p.linked, p.linkedLen = l, len(p.entries)
	return l
}

// Children returns the distinct certificates, other than entry, that name
// entry as their issuer (its subject as their issuer name, as the chain
// engine compares names, or its subject key identifier as their authority
// key identifier), in pile order: the only ones entry's key can have signed
// but for a CA renamed with its key kept and no key identifiers.
func (p *Pile) Children(entry int) []int {
	l, e := p.links(), p.entries[entry]
	var out []int
	for _, j := range l.byIssuer[e.subjectKey] {
		if int(j) != entry {
			out = append(out, int(j))
		}
	}
	if e.skid != "" {
		for _, j := range l.byAuthKey[e.skid] {
			if int(j) != entry && !slices.Contains(out, int(j)) {
				out = append(out, int(j))
			}
		}
	}
	slices.Sort(out)
	return out
}

// Anchors are trust anchors prepared once for many Verify calls.
type Anchors struct {
	entries   []*entry
	bySubject map[string][]int
}

// NewAnchors prepares roots for Pile.Verify.
func NewAnchors(roots []*x509.Certificate) *Anchors {
	a := &Anchors{entries: anchorEntries(roots, true), bySubject: map[string][]int{}}
	for i, e := range a.entries {
		a.bySubject[e.subjectKey] = append(a.bySubject[e.subjectKey], i)
	}
	return a
}

// Verify is Verify of the distinct certificate i with every other
// certificate of the pile as intermediates, as if they were given in pile
// order: only those whose names can link i to a root are indexed (the
// chain engine finds issuers by name, so no other one can be on a path).
func (p *Pile) Verify(i int, anchors *Anchors, o VerifyOptions) error {
	if o.At.IsZero() {
		o.At = time.Now()
	}
	l := p.links()
	var reach []int
	seen := map[string]bool{}
	queue := []string{p.entries[i].issuerKey}
	for len(queue) > 0 {
		name := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		if seen[name] {
			continue
		}
		seen[name] = true
		for _, j := range l.bySubject[name] {
			reach = append(reach, int(j))
			queue = append(queue, p.entries[j].issuerKey)
		}
		for _, j := range anchors.bySubject[name] {
			queue = append(queue, anchors.entries[j].issuerKey)
		}
	}
	slices.Sort(reach)
	list := []*entry{p.entries[i]}
	for _, j := range reach {
		if j != i {
			list = append(list, p.entries[j])
		}
	}
	return verifyFirst(newEntryIndex(list, anchors.entries, p.load), o)
}
