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

// BenchmarkPile measures a Pile on the same piles: indexing the DER in
// batches (AddDER: hash, parse the distinct ones, keep the compact entry),
// and Build over the index, which reads again only the certificates whose
// signatures it checks or returns. "copies" is the pile repeated 10 times,
// the shape of bench/bundle.sh's system bundles: repeats cost a hash each.
func BenchmarkPile(b *testing.B) {
	h := newHierarchy(b)
	strays := make([]*x509.Certificate, 0, 2000)
	for i := range cap(strays) {
		strays = append(strays, mk(b, spec{cn: fmt.Sprintf("Stray CA %d", i), ca: true}).Cert)
	}
	pile := append(append([]*x509.Certificate{}, strays[:1000]...), h.leaf.Cert, h.inter1.Cert, h.inter2.Cert, h.root.Cert)
	pile = append(pile, strays[1000:]...)
	var copies []*x509.Certificate
	for range 10 {
		copies = append(copies, pile...)
	}
	for _, tt := range []struct {
		name string
		pile []*x509.Certificate
	}{{"strays=2000", pile}, {"copies=10x2004", copies}} {
		b.Run("index/"+tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				newTestPile(b, tt.pile, 2048, nil)
			}
		})
		p := newTestPile(b, tt.pile, 2048, nil)
		b.Run("build/"+tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c, err := p.Build(Options{At: testNow})
				if err != nil || !c.Complete {
					b.Fatalf("Build: %v", err)
				}
			}
		})
	}
}
