package chain

import (
	"crypto/x509"
	"testing"
)

// TestSignedByRemembersOnlyWhatItChecked: asked again, SignedBy gives the
// same answer; a certificate with the same body and another signature, or
// the same pair with another parent key, is a new question, not a
// remembered answer.
func TestSignedByRemembersOnlyWhatItChecked(t *testing.T) {
	h := newHierarchy(t)
	tampered := *h.leaf.Cert
	tampered.Signature = append([]byte(nil), h.leaf.Cert.Signature...)
	tampered.Signature[len(tampered.Signature)-1] ^= 1
	tests := []struct {
		name          string
		child, parent *x509.Certificate
		want          bool
	}{
		{"leaf by its issuer", h.leaf.Cert, h.inter1.Cert, true},
		{"tampered leaf by its issuer", &tampered, h.inter1.Cert, false},
		{"leaf by another CA", h.leaf.Cert, h.inter2.Cert, false},
		{"root by itself", h.root.Cert, h.root.Cert, true},
	}
	for round := range 2 {
		for _, tt := range tests {
			if got := SignedBy(tt.child, tt.parent); got != tt.want {
				t.Errorf("round %d, %s: SignedBy = %t, want %t", round, tt.name, got, tt.want)
			}
		}
	}
}
