package chain

import (
	"bytes"
	"crypto/x509"

	"github.com/confcert/confcert/internal/dname"
)

// node is one distinct certificate known to the index: from the pile, from
// the trust anchors, or both.
type node struct {
	cert   *x509.Certificate
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
	bySubject map[string][]*node // raw subject
	byKeyID   map[string][]*node // subject key identifier
	byIssuer  map[string][]*node // raw issuer, pile only
	byAuthKey map[string][]*node // authority key identifier, pile only
}

func newIndex(pile, anchors []*x509.Certificate) *index {
	ix := &index{
		bySubject: make(map[string][]*node, len(pile)+len(anchors)),
		byKeyID:   make(map[string][]*node, len(pile)+len(anchors)),
		byIssuer:  make(map[string][]*node, len(pile)),
		byAuthKey: make(map[string][]*node, len(pile)),
	}
	byRaw := make(map[string]*node, len(pile)+len(anchors))
	for i, c := range pile {
		n := &node{cert: c, pos: i, pile: true}
		byRaw[string(c.Raw)] = n
		ix.add(n)
		ix.byIssuer[string(c.RawIssuer)] = append(ix.byIssuer[string(c.RawIssuer)], n)
		if len(c.AuthorityKeyId) > 0 {
			ix.byAuthKey[string(c.AuthorityKeyId)] = append(ix.byAuthKey[string(c.AuthorityKeyId)], n)
		}
	}
	for i, c := range anchors {
		if n, ok := byRaw[string(c.Raw)]; ok {
			n.anchor = true
			continue
		}
		n := &node{cert: c, pos: len(pile) + i, anchor: true}
		byRaw[string(c.Raw)] = n
		ix.add(n)
	}
	return ix
}

func (ix *index) add(n *node) {
	ix.nodes = append(ix.nodes, n)
	ix.bySubject[string(n.cert.RawSubject)] = append(ix.bySubject[string(n.cert.RawSubject)], n)
	if len(n.cert.SubjectKeyId) > 0 {
		ix.byKeyID[string(n.cert.SubjectKeyId)] = append(ix.byKeyID[string(n.cert.SubjectKeyId)], n)
	}
}

// sameName reports whether two encoded names are the same name, allowing for
// different string encodings of the same attributes.
func sameName(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	return dname.FormatRaw(a) == dname.FormatRaw(b)
}

// SignedBy reports whether parent's key verifies child's signature. SHA-1
// signatures, which x509.CheckSignatureFrom refuses, are accepted: they are
// weak, yet the signer is a fact (old CMS bundles still hold them, seed 002
// §4.4), and they are reported as warnings elsewhere.
func SignedBy(child, parent *x509.Certificate) bool {
	return parent.CheckSignature(child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature) == nil
}

// SelfSigned reports whether c issued itself: its issuer name is its own
// subject and its own key verifies its signature. This is what ends a chain
// as its root.
func SelfSigned(c *x509.Certificate) bool {
	return sameName(c.RawIssuer, c.RawSubject) && SignedBy(c, c)
}

// isSelfSigned reports whether n issued itself, remembering the answer.
func (n *node) isSelfSigned() bool {
	if !n.selfDone {
		n.selfDone = true
		n.self = SelfSigned(n.cert)
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
	c := n.cert
	cands := ix.bySubject[string(c.RawIssuer)]
	if len(c.AuthorityKeyId) > 0 {
		cands = append(append([]*node{}, cands...), ix.byKeyID[string(c.AuthorityKeyId)]...)
	}
	seen := make(map[*node]bool, len(cands))
	for _, p := range cands {
		if p == n || seen[p] || !sameName(c.RawIssuer, p.cert.RawSubject) {
			continue
		}
		seen[p] = true
		if SignedBy(c, p.cert) {
			n.issuers = append(n.issuers, p)
		} else {
			n.badSig = true
		}
	}
	return n.issuers
}

// issuedSomething reports whether n signed another certificate of the pile.
func (ix *index) issuedSomething(n *node) bool {
	cands := ix.byIssuer[string(n.cert.RawSubject)]
	if len(n.cert.SubjectKeyId) > 0 {
		cands = append(append([]*node{}, cands...), ix.byAuthKey[string(n.cert.SubjectKeyId)]...)
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
