package chain

import "crypto/x509"

// Strength classes a certificate's signature algorithm the way clients
// judge it today.
type Strength int

// Strengths of a signature, from sound to refused everywhere.
const (
	Sound  Strength = iota
	Weak            // SHA-1: the Meeting Server still takes it (seed 002 §3 note), browsers do not
	Broken          // MD2, MD5: no current client accepts it
)

// SignatureStrength returns how clients judge c's signature algorithm.
func SignatureStrength(c *x509.Certificate) Strength {
	switch c.SignatureAlgorithm {
	case x509.MD5WithRSA, x509.MD2WithRSA:
		return Broken
	case x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1:
		return Weak
	}
	return Sound
}
