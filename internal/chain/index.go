package chain

import (
	"crypto"
	"crypto/md5" //nolint:gosec // checking old certificates' MD5 signatures, never making any
	"crypto/rsa"
	"crypto/x509"
	"time"
)

// entry is what the engine reads of one distinct certificate. A certificate
// of a Pile is not held: cert is nil, and the engine loads it (Pile's Loader,
// by ref) only to check its signature or to return it.
type entry struct {
	cert                  *x509.Certificate // nil in a Pile
	ref                   Ref               // where a Pile's certificate is read again
	id                    string            // the DER; in a Pile, its SHA-256
	subjectKey, issuerKey string            // the names, by nameKey
	skid, akid            string            // subject and authority key identifiers
	ca                    bool              // basic constraints say CA
	notBefore, notAfter   time.Time
	strength              Strength
	spki                  string // the public key (in a Pile: what its signatures are checked with)
	name                  string // DisplayName
}

// newEntry is the entry of a certificate held in memory.
func newEntry(c *x509.Certificate) *entry {
	return &entry{cert: c, id: string(c.Raw), subjectKey: nameKey(c.RawSubject), issuerKey: nameKey(c.RawIssuer),
		skid: string(c.SubjectKeyId), akid: string(c.AuthorityKeyId), ca: markedCA(c),
		notBefore: c.NotBefore, notAfter: c.NotAfter, strength: SignatureStrength(c)}
}

// node is one distinct certificate known to the index: from the pile, from
// the trust anchors, or both.
type node struct {
	*entry
	pos    int  // input position; anchors that are not in the pile come after
	pile   bool // the certificate came from the pile
	anchor bool // the certificate is a trust anchor

	issuersDone bool
	issuers     []*node // nodes whose key verifies this certificate's signature
	badSig      bool    // a candidate issuer matched by name failed the signature check
	selfDone    bool
	self        bool // self-signed: issuer name is its own subject and its key verifies it
}

// index finds issuers and subjects in constant time per lookup.
type index struct {
	nodes     []*node
	bySubject map[string][]*node // subject, by nameKey
	byKeyID   map[string][]*node // subject key identifier
	byIssuer  map[string][]*node // issuer, by nameKey, pile only
	byAuthKey map[string][]*node // authority key identifier, pile only

	load Loader                       // reads a Pile's certificate again; nil for certificates in memory
	keys map[string]*x509.Certificate // a Pile's public keys, parsed once each, as certificates to check signatures with
	err  error                        // the first certificate that could not be read again
}

func newIndex(pile, anchors []*x509.Certificate) *index {
	entries := make([]*entry, len(pile))
	for i, c := range pile {
		entries[i] = newEntry(c)
	}
	return newEntryIndex(entries, anchorEntries(anchors, false), nil)
}

// anchorEntries are the entries of trust anchors (held in memory), with the
// id a Pile gives them when pile is true.
func anchorEntries(anchors []*x509.Certificate, pile bool) []*entry {
	out := make([]*entry, len(anchors))
	for i, c := range anchors {
		out[i] = newEntry(c)
		if pile {
			out[i].id = pileID(c.Raw)
		}
	}
	return out
}

// newEntryIndex indexes the distinct certificates of a pile, then the trust
// anchors; an anchor that is in the pile marks its node.
func newEntryIndex(pile, anchors []*entry, load Loader) *index {
	ix := &index{
		bySubject: make(map[string][]*node, len(pile)+len(anchors)),
		byKeyID:   make(map[string][]*node, len(pile)+len(anchors)),
		byIssuer:  make(map[string][]*node, len(pile)),
		byAuthKey: make(map[string][]*node, len(pile)),
		load:      load,
	}
	byID := make(map[string]*node, len(pile)+len(anchors))
	for i, e := range pile {
		n := &node{entry: e, pos: i, pile: true}
		byID[e.id] = n
		ix.add(n)
		ix.byIssuer[n.issuerKey] = append(ix.byIssuer[n.issuerKey], n)
		if len(e.akid) > 0 {
			ix.byAuthKey[e.akid] = append(ix.byAuthKey[e.akid], n)
		}
	}
	for i, e := range anchors {
		if n, ok := byID[e.id]; ok {
			n.anchor = true
			continue
		}
		n := &node{entry: e, pos: len(pile) + i, anchor: true}
		byID[e.id] = n
		ix.add(n)
	}
	return ix
}

func (ix *index) add(n *node) {
	ix.nodes = append(ix.nodes, n)
	ix.bySubject[n.subjectKey] = append(ix.bySubject[n.subjectKey], n)
	if len(n.skid) > 0 {
		ix.byKeyID[n.skid] = append(ix.byKeyID[n.skid], n)
	}
}

// cert returns n's certificate, reading a Pile's again; nil when it cannot
// be read (ix.err says why).
func (ix *index) cert(n *node) *x509.Certificate {
	if n.cert != nil {
		return n.cert
	}
	c, err := ix.load.read(n.entry)
	if err != nil {
		if ix.err == nil {
			ix.err = err
		}
		return nil
	}
	return c
}

// signer returns a certificate holding p's public key, which is all a
// signature check reads of the issuer: p itself when in memory, else its
// key parsed once.
func (ix *index) signer(p *node) *x509.Certificate {
	if p.cert != nil {
		return p.cert
	}
	if k, ok := ix.keys[p.spki]; ok {
		return k
	}
	if ix.keys == nil {
		ix.keys = map[string]*x509.Certificate{}
	}
	k := keyHolder([]byte(p.spki))
	ix.keys[p.spki] = k
	return k
}

// keyHolder is a certificate that holds only the public key spki: enough
// for SignedBy as the issuer. A key x509 does not know verifies nothing.
func keyHolder(spki []byte) *x509.Certificate {
	pub, _ := x509.ParsePKIXPublicKey(spki)
	return &x509.Certificate{PublicKey: pub, RawSubjectPublicKeyInfo: spki}
}

// SignedBy reports whether parent's key verifies child's signature. SHA-1
// signatures, which x509.CheckSignatureFrom refuses, are accepted: they are
// weak, yet the signer is a fact (old CMS bundles still hold them, seed 002
// §4.4), and they are reported as warnings elsewhere.
//
// MD5 signatures, which crypto/x509 refuses to check at all, are checked
// here: a certificate signed with MD5 then links to its issuer and is
// reported as signed with a broken algorithm, not as missing its issuer.
//
// The answer depends only on the child's bytes and the parent's public key,
// so it is remembered (signatures.go): the rules of `check` ask the same
// question of the same pair many times, and a CA service judging requests
// asks it of its issuer's self-signature on every request.
func SignedBy(child, parent *x509.Certificate) bool {
	return verified.signedBy(child, parent, func() bool {
		if child.SignatureAlgorithm == x509.MD5WithRSA {
			return signedWithMD5(child, parent)
		}
		return parent.CheckSignature(child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature) == nil
	})
}

func signedWithMD5(child, parent *x509.Certificate) bool {
	pub, ok := parent.PublicKey.(*rsa.PublicKey)
	if !ok {
		return false
	}
	sum := md5.Sum(child.RawTBSCertificate)
	return rsa.VerifyPKCS1v15(pub, crypto.MD5, sum[:], child.Signature) == nil
}

// SelfSigned reports whether c issued itself: its issuer name is its own
// subject and its own key verifies its signature. This is what ends a chain
// as its root.
func SelfSigned(c *x509.Certificate) bool {
	return sameName(c.RawIssuer, c.RawSubject) && SignedBy(c, c)
}

// isSelfSigned reports whether n issued itself, remembering the answer. The
// names are compared first (by nameKey, which is what sameName decides), so
// a Pile's certificate is read again only when they match.
func (ix *index) isSelfSigned(n *node) bool {
	if !n.selfDone {
		n.selfDone = true
		if n.subjectKey == n.issuerKey {
			c := ix.cert(n)
			n.self = c != nil && SignedBy(c, c)
		}
	}
	return n.self
}

// issuersOf returns the certificates that signed n, other than n itself.
// Candidates come from the index (issuer name or authority key identifier),
// so no pair of unrelated certificates is ever compared.
func (ix *index) issuersOf(n *node) []*node {
	if n.issuersDone {
		return n.issuers
	}
	n.issuersDone = true
	cands := ix.bySubject[n.issuerKey]
	if len(n.akid) > 0 {
		cands = append(append([]*node{}, cands...), ix.byKeyID[n.akid]...)
	}
	var c *x509.Certificate
	seen := make(map[*node]bool, len(cands))
	for _, p := range cands {
		if p == n || seen[p] || n.issuerKey != p.subjectKey {
			continue
		}
		seen[p] = true
		if c == nil {
			if c = ix.cert(n); c == nil {
				return nil
			}
		}
		if SignedBy(c, ix.signer(p)) {
			n.issuers = append(n.issuers, p)
		} else {
			n.badSig = true
		}
	}
	return n.issuers
}

// issuedSomething reports whether n signed another certificate of the pile.
func (ix *index) issuedSomething(n *node) bool {
	cands := ix.byIssuer[n.subjectKey]
	if len(n.skid) > 0 {
		cands = append(append([]*node{}, cands...), ix.byAuthKey[n.skid]...)
	}
	for _, child := range cands {
		if child == n {
			continue
		}
		for _, p := range ix.issuersOf(child) {
			if p == n {
				return true
			}
		}
	}
	return false
}
