package chain

import (
	"crypto"
	"crypto/md5" //nolint:gosec // checking old certificates' MD5 signatures, never making any
	"crypto/rsa"
	"crypto/x509"
)

// node is one distinct certificate known to the index: from the pile, from
// the trust anchors, or both.
type node struct {
	cert   *x509.Certificate
	pos    int  // input position; anchors that are not in the pile come after
	pile   bool // the certificate came from the pile
	anchor bool // the certificate is a trust anchor

	subjectKey, issuerKey string // the names, by nameKey

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
		n := &node{cert: c, pos: i, pile: true, subjectKey: nameKey(c.RawSubject), issuerKey: nameKey(c.RawIssuer)}
		byRaw[string(c.Raw)] = n
		ix.add(n)
		ix.byIssuer[n.issuerKey] = append(ix.byIssuer[n.issuerKey], n)
		if len(c.AuthorityKeyId) > 0 {
			ix.byAuthKey[string(c.AuthorityKeyId)] = append(ix.byAuthKey[string(c.AuthorityKeyId)], n)
		}
	}
	for i, c := range anchors {
		if n, ok := byRaw[string(c.Raw)]; ok {
			n.anchor = true
			continue
		}
		n := &node{cert: c, pos: len(pile) + i, anchor: true, subjectKey: nameKey(c.RawSubject), issuerKey: nameKey(c.RawIssuer)}
		byRaw[string(c.Raw)] = n
		ix.add(n)
	}
	return ix
}

func (ix *index) add(n *node) {
	ix.nodes = append(ix.nodes, n)
	ix.bySubject[n.subjectKey] = append(ix.bySubject[n.subjectKey], n)
	if len(n.cert.SubjectKeyId) > 0 {
		ix.byKeyID[string(n.cert.SubjectKeyId)] = append(ix.byKeyID[string(n.cert.SubjectKeyId)], n)
	}
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
	cands := ix.bySubject[n.issuerKey]
	if len(c.AuthorityKeyId) > 0 {
		cands = append(append([]*node{}, cands...), ix.byKeyID[string(c.AuthorityKeyId)]...)
	}
	seen := make(map[*node]bool, len(cands))
	for _, p := range cands {
		if p == n || seen[p] || n.issuerKey != p.subjectKey {
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
	cands := ix.byIssuer[n.subjectKey]
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
