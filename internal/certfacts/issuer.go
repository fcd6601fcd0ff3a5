package certfacts

import (
	"bytes"
	"crypto/x509"
	"slices"

	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/parallel"
)

// maxIssuerKeys bounds the distinct keys tried as the issuer of one
// certificate, so a hostile file of many same-named CAs stays linear.
const maxIssuerKeys = 16

// IssuedBy returns, for each certificate, the index in certs of the one whose
// key signed it (its own index when it is self-signed), or -1. Candidates are
// found through an index by subject name, never by comparing every pair, and
// the signatures are checked in parallel on every core.
func IssuedBy(certs []*x509.Certificate) []int {
	bySubject := make(map[string][]int, len(certs))
	for i, c := range certs {
		bySubject[string(c.RawSubject)] = append(bySubject[string(c.RawSubject)], i)
	}
	out := make([]int, len(certs))
	parallel.For(len(certs), func(i int) {
		out[i] = issuerOf(certs, i, bySubject[string(certs[i].RawIssuer)])
	})
	return out
}

func issuerOf(certs []*x509.Certificate, i int, candidates []int) int {
	c := certs[i]
	if SelfIssued(c) {
		return i
	}
	var tried [][]byte
	for _, j := range candidates {
		p := certs[j]
		if len(tried) == maxIssuerKeys || keyIDsDiffer(c, p) || slices.ContainsFunc(tried, func(k []byte) bool { return bytes.Equal(k, p.RawSubjectPublicKeyInfo) }) {
			continue
		}
		if chain.SignedBy(c, p) {
			return j
		}
		tried = append(tried, p.RawSubjectPublicKeyInfo)
	}
	return -1
}

// SelfIssued reports whether c names itself as its issuer (and, when both
// key identifiers are present, they agree): a root or self-signed
// certificate. The signature is not checked, as openssl's
// X509_self_signed(cert, 0) does not.
func SelfIssued(c *x509.Certificate) bool {
	return bytes.Equal(c.RawSubject, c.RawIssuer) && !keyIDsDiffer(c, c)
}

// keyIDsDiffer reports whether child's authority key identifier rules out
// parent's subject key identifier.
func keyIDsDiffer(child, parent *x509.Certificate) bool {
	return len(child.AuthorityKeyId) > 0 && len(parent.SubjectKeyId) > 0 &&
		!bytes.Equal(child.AuthorityKeyId, parent.SubjectKeyId)
}
