package chain_test

import (
	"crypto/x509"
	"testing"

	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/testpki"
)

// TestBuildBySignature checks that the chain is built by signature, not by
// names alone (spec cli.md, bundle): a CA with the intermediate's name but
// another key, first in the pile, is dropped as unrelated.
func TestBuildBySignature(t *testing.T) {
	root := testpki.Issue(t, testpki.CATemplate("Sig Root"), nil)
	inter := testpki.Issue(t, testpki.CATemplate("Sig Intermediate"), root)
	impostor := testpki.Issue(t, testpki.CATemplate("Sig Intermediate"), root)
	leaf := testpki.Issue(t, testpki.LeafTemplate("sig.example.com"), inter)
	c, err := chain.Build([]*x509.Certificate{impostor.Cert, leaf.Cert, inter.Cert, root.Cert}, chain.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Complete || !c.Leaf.Equal(leaf.Cert) || len(c.Intermediates) != 1 || !c.Intermediates[0].Equal(inter.Cert) ||
		c.Root == nil || !c.Root.Equal(root.Cert) {
		t.Errorf("chain %q < %v < %v, complete %t; want the intermediate that signed the leaf",
			chain.DisplayName(c.Leaf), c.Intermediates, c.Root, c.Complete)
	}
	if len(c.Dropped) != 1 || !c.Dropped[0].Cert.Equal(impostor.Cert) || c.Dropped[0].Reason != chain.ReasonUnrelated {
		t.Errorf("dropped %v, want the impostor as %q", c.Dropped, chain.ReasonUnrelated)
	}
}

// TestSelfSignedAndSignedBy checks the one signature check every verb shares:
// a name that points at itself is not enough, the certificate's own key must
// have signed it.
func TestSelfSignedAndSignedBy(t *testing.T) {
	root := testpki.Issue(t, testpki.CATemplate("Sig Root"), nil)
	sameNameOtherKey := testpki.Issue(t, testpki.CATemplate("Sig Root"), root)
	leaf := testpki.Issue(t, testpki.LeafTemplate("sig.example.com"), root)
	tests := []struct {
		name          string
		child, parent *x509.Certificate
		want          bool
	}{
		{"root by itself", root.Cert, root.Cert, true},
		{"leaf by root", leaf.Cert, root.Cert, true},
		{"leaf by itself", leaf.Cert, leaf.Cert, false},
		{"root by leaf", root.Cert, leaf.Cert, false},
		{"same name, other key, by root", sameNameOtherKey.Cert, root.Cert, true},
		{"same name, other key, by itself", sameNameOtherKey.Cert, sameNameOtherKey.Cert, false},
	}
	for _, tt := range tests {
		if got := chain.SignedBy(tt.child, tt.parent); got != tt.want {
			t.Errorf("%s: SignedBy = %t, want %t", tt.name, got, tt.want)
		}
	}
	for _, tt := range []struct {
		name string
		cert *x509.Certificate
		want bool
	}{{"root", root.Cert, true}, {"leaf", leaf.Cert, false}, {"same name, other key", sameNameOtherKey.Cert, false}} {
		if got := chain.SelfSigned(tt.cert); got != tt.want {
			t.Errorf("%s: SelfSigned = %t, want %t", tt.name, got, tt.want)
		}
	}
}
