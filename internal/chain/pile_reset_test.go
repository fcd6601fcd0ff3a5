package chain

import (
	"slices"
	"testing"
)

// TestPileResetDropsLinks: after Reset, Children and Verify see the
// certificates added since, not those dropped, even when as many are added
// again as were dropped (the name index is built anew).
func TestPileResetDropsLinks(t *testing.T) {
	h := newHierarchy(t)
	p := newTestPile(t, certs(h.root, h.inter2), 2, nil)
	if got := p.Children(0); !slices.Equal(got, []int{1}) {
		t.Fatalf("Children of the root: %v, want [1]", got)
	}
	p.Reset(Mark{})
	pile := certs(h.strayRoot, h.strayCA)
	if err := p.AddDER([][]byte{pile[0].Raw, pile[1].Raw}, []Ref{{Input: 0}, {Input: 1}}); err != nil {
		t.Fatal(err)
	}
	if got := p.Children(0); !slices.Equal(got, []int{1}) {
		t.Errorf("Children of the stray root after Reset: %v, want [1]", got)
	}
	if got := p.Children(1); len(got) != 0 {
		t.Errorf("Children of the stray CA after Reset: %v, want none", got)
	}
}
