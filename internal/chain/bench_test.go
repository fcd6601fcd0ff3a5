package chain

import (
	"crypto/x509"
	"fmt"
	"testing"
)

// BenchmarkBuild measures Build on a leaf hidden among unrelated CA
// certificates; time per operation should grow linearly with the pile.
func BenchmarkBuild(b *testing.B) {
	h := newHierarchy(b)
	strays := make([]*x509.Certificate, 0, 2000)
	for i := range cap(strays) {
		strays = append(strays, mk(b, spec{cn: fmt.Sprintf("Stray CA %d", i), ca: true}).Cert)
	}
	for _, n := range []int{200, 2000} {
		pile := append(append([]*x509.Certificate{}, strays[:n/2]...), h.leaf.Cert, h.inter1.Cert, h.inter2.Cert, h.root.Cert)
		pile = append(pile, strays[n/2:n]...)
		b.Run(fmt.Sprintf("strays=%d", n), func(b *testing.B) {
			for b.Loop() {
				c, err := Build(pile, Options{At: testNow})
				if err != nil || !c.Complete {
					b.Fatalf("Build: %v", err)
				}
			}
		})
	}
}
