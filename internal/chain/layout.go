package chain

import (
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
)

// Layout is the content and order of a bundle file (cli.md, bundle).
type Layout string

// The layouts the products want.
const (
	// LayoutChain: intermediates from the leaf's issuer upward, no root.
	LayoutChain Layout = "chain"
	// LayoutCMS: intermediates upward, root last: the Meeting Server
	// ca-bundle.crt (seed 002 §1.2.4, §3.2, D.2).
	LayoutCMS Layout = "cms"
	// LayoutFullchain: leaf, intermediates upward, root last: the Web Bridge 3
	// full chain file (seed 002 D.2, D.3).
	LayoutFullchain Layout = "fullchain"
	// LayoutCWMS1x: server certificate at the top, then the intermediates,
	// no root (seed 001, CWMS 1.x and 2.0).
	LayoutCWMS1x Layout = "cwms-1x"
	// LayoutCWMS25: intermediates from the root side down, server certificate
	// at the bottom, no root (seed 001, CWMS 2.5 and later).
	LayoutCWMS25 Layout = "cwms-25"
	// LayoutMeetingPlace: server certificate first, then the intermediates
	// (seed 004, "the signed server certificate has to be pasted first").
	LayoutMeetingPlace Layout = "meetingplace"
	// LayoutTrust: every input certificate once, in input order (seed 003
	// cms1abc.cer, seed 002 §4.7.1).
	LayoutTrust Layout = "trust"
)

// Layouts lists every layout in the order of cli.md.
func Layouts() []Layout {
	return []Layout{LayoutChain, LayoutCMS, LayoutFullchain, LayoutCWMS1x, LayoutCWMS25, LayoutMeetingPlace, LayoutTrust}
}

// ParseLayout returns the layout named s.
func ParseLayout(s string) (Layout, error) {
	l := Layout(s)
	if slices.Contains(Layouts(), l) {
		return l, nil
	}
	names := make([]string, 0, 7)
	for _, l := range Layouts() {
		names = append(names, string(l))
	}
	return "", fmt.Errorf("unknown layout %q (want one of %s)", s, strings.Join(names, ", "))
}

// HasLeaf reports whether the layout holds the leaf certificate.
func (l Layout) HasLeaf() bool {
	switch l {
	case LayoutFullchain, LayoutCWMS1x, LayoutCWMS25, LayoutMeetingPlace:
		return true
	}
	return false
}

// HasRoot reports whether the layout holds the root certificate.
func (l Layout) HasRoot() bool {
	return l == LayoutCMS || l == LayoutFullchain
}

// Arrange returns the certificates of c in layout l. includeRoot=false drops
// the root from the layouts that hold one (fullchain --no-root). The trust
// layout returns c.Unique unchanged.
func Arrange(c *Chain, l Layout, includeRoot bool) []*x509.Certificate {
	var out []*x509.Certificate
	root := c.Root != nil && includeRoot && l.HasRoot()
	switch l {
	case LayoutTrust:
		return append(out, c.Unique...)
	case LayoutCWMS25:
		for i := len(c.Intermediates) - 1; i >= 0; i-- {
			out = append(out, c.Intermediates[i])
		}
		return append(out, c.Leaf)
	}
	if l.HasLeaf() {
		out = append(out, c.Leaf)
	}
	out = append(out, c.Intermediates...)
	if root {
		out = append(out, c.Root)
	}
	return out
}
