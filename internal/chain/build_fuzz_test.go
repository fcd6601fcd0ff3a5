package chain

import (
	"crypto/x509"
	"testing"

	"github.com/confcert/confcert/internal/testpki"
)

// FuzzBuild feeds Build piles drawn from a fixed set of related certificates
// (cross-signed paths, a cycle, duplicates, strays) in the order the fuzz
// input chooses, and checks that it terminates with a coherent chain.
func FuzzBuild(f *testing.F) {
	h := newHierarchy(f)
	x := newCrossSigned(f, false)
	ka, kb := testpki.Key(f), testpki.Key(f)
	a0 := mk(f, spec{cn: "CA A", ca: true, key: ka})
	b0 := mk(f, spec{cn: "CA B", ca: true, key: kb})
	aByB := mk(f, spec{cn: "CA A", ca: true, key: ka, parent: b0})
	bByA := mk(f, spec{cn: "CA B", ca: true, key: kb, parent: a0})
	set := certs(h.root, h.inter2, h.inter1, h.leaf, h.strayRoot, h.strayCA,
		x.r1, x.r2, x.r2x, x.i1, x.i2, x.leaf, a0, b0, aByB, bByA)
	f.Add([]byte{3, 2, 1, 0}, byte(0))
	f.Add([]byte{11, 10, 9, 8, 7, 6}, byte(7))
	f.Add([]byte{15, 14, 13, 12, 3}, byte(1))
	f.Fuzz(func(t *testing.T, picks []byte, rootPick byte) {
		var pile []*x509.Certificate
		for _, p := range picks {
			pile = append(pile, set[int(p)%len(set)])
		}
		roots := []*x509.Certificate{set[int(rootPick)%len(set)]}
		c, err := buildBoth(t, pile, Options{Roots: roots, At: testNow})
		if err != nil {
			return
		}
		checkCoherent(t, c, len(pile))
	})
}

// checkCoherent checks the invariants of a built chain.
func checkCoherent(t *testing.T, c *Chain, pileLen int) {
	t.Helper()
	if c.Leaf == nil {
		t.Fatal("no leaf")
	}
	if len(c.Unique)+countDuplicates(c) != pileLen {
		t.Errorf("%d unique + duplicates != pile of %d", len(c.Unique), pileLen)
	}
	if ok, bad := InSequence(c.Certificates()); !ok {
		t.Errorf("chain out of sequence at %d: %s", bad, summary(c))
	}
	if c.Complete == (c.MissingFor != nil) {
		t.Errorf("Complete=%v with MissingFor=%v", c.Complete, c.MissingFor)
	}
}

func countDuplicates(c *Chain) int {
	n := 0
	for _, d := range c.Dropped {
		if d.Reason == ReasonDuplicate {
			n++
		}
	}
	return n
}
