package chain

import "crypto/x509"

// InSequence reports whether each certificate is followed by its issuer
// (issuer name matches and the issuer's key verifies the signature). When not,
// badIndex is the index of the first certificate that is not the issuer of
// the one before it; it is -1 when ok.
func InSequence(certs []*x509.Certificate) (ok bool, badIndex int) {
	for i := 1; i < len(certs); i++ {
		child, parent := certs[i-1], certs[i]
		if !sameName(child.RawIssuer, parent.RawSubject) || !SignedBy(child, parent) {
			return false, i
		}
	}
	return true, -1
}
