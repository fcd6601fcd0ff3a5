package chain

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"sync"
)

// maxVerified bounds the remembered answers of SignedBy; when full, they are
// forgotten all at once (a new run of checks starts from an empty memory).
const maxVerified = 4096

// verified is the process's memory of signature checks.
var verified = &signatureMemo{answers: make(map[[sha256.Size]byte]bool)}

// signatureMemo remembers whether a parent's key verifies a child's
// signature, keyed by a hash of the child's signature algorithm, body and
// signature and the parent's public key: all that the answer depends on. It is safe for concurrent use.
type signatureMemo struct {
	mu      sync.Mutex
	answers map[[sha256.Size]byte]bool
}

func (m *signatureMemo) signedBy(child, parent *x509.Certificate, verify func() bool) bool {
	if len(parent.RawSubjectPublicKeyInfo) == 0 {
		return verify() // a parent made by hand, not parsed: nothing to key on
	}
	k := signatureKey(child, parent)
	m.mu.Lock()
	ok, found := m.answers[k]
	m.mu.Unlock()
	if found {
		return ok
	}
	ok = verify()
	m.mu.Lock()
	if len(m.answers) >= maxVerified {
		clear(m.answers)
	}
	m.answers[k] = ok
	m.mu.Unlock()
	return ok
}

// signatureKey hashes what the check reads: the child's signature
// algorithm, body and signature (each length first, so that no two pairs
// share an input) and the parent's SubjectPublicKeyInfo.
func signatureKey(child, parent *x509.Certificate) [sha256.Size]byte {
	h := sha256.New()
	var n [8]byte
	for _, part := range [][]byte{{byte(child.SignatureAlgorithm)}, child.RawTBSCertificate, child.Signature, parent.RawSubjectPublicKeyInfo} {
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		h.Write(n[:])
		h.Write(part)
	}
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}
