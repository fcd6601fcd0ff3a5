package chain

import "crypto/x509"

// findLeaf returns the node of the given leaf, or finds the leaf: the
// certificate that is not a CA and issued nothing else in the pile. Without
// such a certificate, the one that issued nothing and is not self-signed.
// Among several candidates, the only one with an issuer in the pile wins.
func (ix *index) findLeaf(given *x509.Certificate) (*node, error) {
	if given != nil {
		return ix.nodes[0], nil // Build puts the given leaf first
	}
	cands := ix.leafCandidates(func(n *node) bool { return !n.ca })
	if len(cands) == 0 {
		cands = ix.leafCandidates(func(n *node) bool { return !ix.isSelfSigned(n) })
	}
	if len(cands) == 0 {
		cands = ix.leafCandidates(func(*node) bool { return true })
	}
	if len(cands) > 1 {
		cands = ix.preferLinked(cands)
	}
	switch len(cands) {
	case 0:
		return ix.nodes[0], nil // every certificate issued another: a cycle
	case 1:
		return cands[0], nil
	}
	err := &AmbiguousLeafError{}
	for _, n := range cands {
		err.Candidates = append(err.Candidates, ix.cert(n))
	}
	if ix.err != nil {
		return nil, ix.err
	}
	return nil, err
}

func (ix *index) leafCandidates(keep func(*node) bool) []*node {
	var out []*node
	for _, n := range ix.nodes {
		if n.pile && keep(n) && !ix.issuedSomething(n) {
			out = append(out, n)
		}
	}
	return out
}

// preferLinked keeps the candidates whose issuer is in the pile, when that
// narrows the choice to one; otherwise it returns cands unchanged.
func (ix *index) preferLinked(cands []*node) []*node {
	var linked []*node
	for _, n := range cands {
		for _, p := range ix.issuersOf(n) {
			if p.pile {
				linked = append(linked, n)
				break
			}
		}
	}
	if len(linked) == 1 {
		return linked
	}
	return cands
}

// markedCA reports whether the certificate says it is a CA.
func markedCA(c *x509.Certificate) bool {
	return c.BasicConstraintsValid && c.IsCA
}
