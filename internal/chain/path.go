package chain

import (
	"time"

	"github.com/confcert/confcert/internal/dname"
)

// Limits that keep path search bounded on hostile piles.
const (
	maxDepth = 16
	maxSteps = 4096
)

// path is one candidate chain from the leaf upward.
type path struct {
	nodes    []*node
	complete bool // ends at a self-signed certificate or a trust anchor
	selfRoot bool // the last node is self-signed (and is not the leaf alone)
	trusted  bool // some node is a trust anchor
	expired  int  // certificates outside their validity period at the time
	weak     int  // certificates signed with SHA-1 or MD5
}

// search enumerates paths from a leaf, stopping at self-signed certificates,
// at certificates without issuers and at cycles.
type search struct {
	ix    *index
	at    time.Time
	steps int
	best  *path
}

// bestPath returns the preferred path from leaf: trusted first, then
// complete, then ending at a self-signed root, then fewest expired, fewest weak signatures, then shortest
// (longest when incomplete), then earliest in the pile.
func (ix *index) bestPath(leaf *node, at time.Time) *path {
	s := &search{ix: ix, at: at}
	s.walk([]*node{leaf}, map[*node]bool{leaf: true})
	return s.best
}

func (s *search) walk(nodes []*node, onPath map[*node]bool) {
	s.steps++
	last := nodes[len(nodes)-1]
	if s.ix.isSelfSigned(last) || len(nodes) >= maxDepth || s.steps > maxSteps {
		s.offer(nodes)
		return
	}
	if last.anchor {
		s.offer(nodes) // a trust anchor may end the chain even when it has issuers
	}
	extended := false
	for _, p := range s.ix.issuersOf(last) {
		if onPath[p] {
			continue
		}
		extended = true
		onPath[p] = true
		s.walk(append(nodes[:len(nodes):len(nodes)], p), onPath)
		delete(onPath, p)
	}
	if !extended {
		s.offer(nodes)
	}
}

func (s *search) offer(nodes []*node) {
	p := s.score(nodes)
	if s.best == nil || p.better(s.best) {
		s.best = p
	}
}

func (s *search) score(nodes []*node) *path {
	last := nodes[len(nodes)-1]
	p := &path{nodes: nodes}
	p.selfRoot = s.ix.isSelfSigned(last)
	p.complete = p.selfRoot || last.anchor
	for _, n := range nodes {
		p.trusted = p.trusted || n.anchor
		if s.at.Before(n.notBefore) || s.at.After(n.notAfter) {
			p.expired++
		}
		if n.strength != Sound {
			p.weak++
		}
	}
	return p
}

// better reports whether p is preferred over q.
func (p *path) better(q *path) bool {
	switch {
	case p.trusted != q.trusted:
		return p.trusted
	case p.complete != q.complete:
		return p.complete
	case p.selfRoot != q.selfRoot:
		return p.selfRoot
	case p.expired != q.expired:
		return p.expired < q.expired
	case p.weak != q.weak:
		return p.weak < q.weak
	case len(p.nodes) != len(q.nodes):
		return len(p.nodes) < len(q.nodes) == p.complete
	}
	for i := range p.nodes {
		if p.nodes[i].pos != q.nodes[i].pos {
			return p.nodes[i].pos < q.nodes[i].pos
		}
	}
	return false
}

// fill copies the path into the chain, reading a Pile's certificates of
// the path again (ix.err says when one could not be).
func (p *path) fill(ix *index, c *Chain) {
	c.Leaf = ix.cert(p.nodes[0])
	c.Complete = p.complete
	c.Trusted = p.trusted
	upper := p.nodes[1:]
	if p.selfRoot && len(p.nodes) > 1 {
		c.Root = ix.cert(upper[len(upper)-1])
		upper = upper[:len(upper)-1]
	}
	for _, n := range upper {
		c.Intermediates = append(c.Intermediates, ix.cert(n))
	}
	if !p.complete {
		c.MissingFor = ix.cert(p.nodes[len(p.nodes)-1])
		if c.MissingFor != nil {
			c.MissingIssuer = dname.FormatRaw(c.MissingFor.RawIssuer)
		}
	}
}

// dropped lists the pile certificates that are not on path p: those that
// issue part of another explored path are alternatives, the rest unrelated.
func (ix *index) dropped(p *path) []Dropped {
	on := make(map[*node]bool, len(p.nodes))
	for _, n := range p.nodes {
		on[n] = true
	}
	var out []Dropped
	for _, n := range ix.nodes {
		if !n.pile || on[n] {
			continue
		}
		reason := ReasonUnrelated
		if ix.issuesExplored(n) {
			reason = ReasonAlternative
		}
		out = append(out, Dropped{Cert: n.cert, Name: n.displayName(), Reason: reason})
	}
	return out
}

// issuesExplored reports whether n was found as the issuer of a certificate
// examined during the search.
func (ix *index) issuesExplored(n *node) bool {
	for _, child := range ix.byIssuer[n.subjectKey] {
		if !child.issuersDone {
			continue
		}
		for _, p := range child.issuers {
			if p == n {
				return true
			}
		}
	}
	return false
}

// displayName is DisplayName of n's certificate, which a Pile keeps.
func (n *node) displayName() string {
	if n.cert != nil {
		return DisplayName(n.cert)
	}
	return n.name
}
