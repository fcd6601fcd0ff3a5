package chain

import (
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"github.com/confcert/confcert/internal/dname"
)

// Verification failure reasons, in openssl's words as the Meeting Server
// shows them (seed 002 §4.4; cli.md verify).
const (
	ReasonNoIssuer        = "unable to get issuer certificate"
	ReasonExpired         = "certificate has expired"
	ReasonNotYetValid     = "certificate is not yet valid"
	ReasonSignature       = "certificate signature failure"
	ReasonInvalidCA       = "invalid CA certificate"
	ReasonPurpose         = "unsuitable certificate purpose"
	ReasonHostname        = "hostname mismatch"
	ReasonSelfSigned      = "self-signed certificate"
	ReasonSelfSignedChain = "self-signed certificate in certificate chain"
	// ReasonBrokenSignature is confcert's own: openssl 3 at its default level
	// still passes MD5, which no current client accepts.
	ReasonBrokenSignature = "certificate signed with a broken algorithm (MD5)"
)

// VerifyOptions tune Verify.
type VerifyOptions struct {
	// At is the verification time; zero means now.
	At time.Time
	// Purpose is "server", "client", or "any" (also the empty string).
	Purpose string
	// Host, when set, must match the leaf's names.
	Host string
}

// VerifyError says which certificate failed and why, like openssl's
// "depth=1 ... Verification error: ...".
type VerifyError struct {
	Depth   int
	Subject string
	Issuer  string
	Reason  string
}

// Error implements error, in the openssl style the MMP shows.
func (e *VerifyError) Error() string {
	return fmt.Sprintf("depth=%d subject=%s issuer=%s: %s", e.Depth, e.Subject, e.Issuer, e.Reason)
}

// Verify checks that leaf chains through intermediates to one of roots and
// that every certificate on the way is valid, in openssl's order: chain
// building, CA and purpose checks from the leaf up, hostname, then signatures
// and validity periods from the root down. It returns nil or a *VerifyError.
func Verify(leaf *x509.Certificate, intermediates, roots []*x509.Certificate, o VerifyOptions) error {
	if o.At.IsZero() {
		o.At = time.Now()
	}
	pile := append([]*x509.Certificate{leaf}, intermediates...)
	return verifyFirst(newIndex(Collect(pile).Unique, roots), o)
}

// verifyFirst is Verify of the index's first node, the leaf, through the
// others.
func verifyFirst(ix *index, o VerifyOptions) error {
	p := ix.bestPath(ix.nodes[0], o.At)
	certs := make([]*x509.Certificate, len(p.nodes))
	for i, n := range p.nodes {
		if certs[i] = ix.cert(n); certs[i] == nil {
			return ix.err
		}
	}
	if err := untrusted(p, certs); err != nil {
		return err
	}
	for _, check := range []func([]*x509.Certificate, VerifyOptions) error{checkExtensions, checkHost, checkBroken, checkTimes} {
		if err := check(certs, o); err != nil {
			return err
		}
	}
	return nil
}

func failure(certs []*x509.Certificate, depth int, reason string) *VerifyError {
	c := certs[depth]
	return &VerifyError{Depth: depth, Subject: dname.FormatRaw(c.RawSubject), Issuer: dname.FormatRaw(c.RawIssuer), Reason: reason}
}

// untrusted explains why the best path p, holding certs, does not reach a
// trust anchor.
func untrusted(p *path, certs []*x509.Certificate) error {
	if p.trusted {
		return nil
	}
	last := p.nodes[len(p.nodes)-1]
	depth := len(certs) - 1
	switch {
	case p.selfRoot && depth == 0:
		return failure(certs, depth, ReasonSelfSigned)
	case p.selfRoot:
		return failure(certs, depth, ReasonSelfSignedChain)
	case last.badSig:
		return failure(certs, depth, ReasonSignature)
	}
	return failure(certs, depth, ReasonNoIssuer)
}

// checkExtensions checks, from the leaf up, that issuers are CAs within their
// path length and that each certificate allows the purpose.
func checkExtensions(certs []*x509.Certificate, o VerifyOptions) error {
	for depth, c := range certs {
		if depth > 0 && (!actsAsCA(c) || pathTooLong(c, depth)) {
			return failure(certs, depth, ReasonInvalidCA)
		}
		if !purposeAllowed(c, depth, o.Purpose) {
			return failure(certs, depth, ReasonPurpose)
		}
	}
	return nil
}

// actsAsCA follows openssl's X509_check_ca: basic constraints decide when
// present; otherwise a version 1 self-signed root or keyCertSign counts.
func actsAsCA(c *x509.Certificate) bool {
	if c.KeyUsage != 0 && c.KeyUsage&x509.KeyUsageCertSign == 0 {
		return false
	}
	if c.BasicConstraintsValid {
		return c.IsCA
	}
	if c.Version == 1 && sameName(c.RawIssuer, c.RawSubject) {
		return true
	}
	return c.KeyUsage&x509.KeyUsageCertSign != 0
}

// pathTooLong reports whether c, at depth, has more CAs below it than its
// path length constraint allows.
func pathTooLong(c *x509.Certificate, depth int) bool {
	if !c.BasicConstraintsValid || (c.MaxPathLen <= 0 && !c.MaxPathLenZero) {
		return false
	}
	return depth-1 > c.MaxPathLen
}

// purposeAllowed checks extended key usage (every certificate that has it)
// and key usage (the leaf) for the purpose.
func purposeAllowed(c *x509.Certificate, depth int, purpose string) bool {
	var want x509.ExtKeyUsage
	switch purpose {
	case "server":
		want = x509.ExtKeyUsageServerAuth
	case "client":
		want = x509.ExtKeyUsageClientAuth
	default:
		return true
	}
	if len(c.ExtKeyUsage) > 0 || len(c.UnknownExtKeyUsage) > 0 {
		if !hasEKU(c, want) {
			return false
		}
	}
	const tls = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageKeyAgreement
	return depth > 0 || c.KeyUsage == 0 || c.KeyUsage&tls != 0
}

func hasEKU(c *x509.Certificate, want x509.ExtKeyUsage) bool {
	for _, u := range c.ExtKeyUsage {
		if u == want || u == x509.ExtKeyUsageAny {
			return true
		}
	}
	return false
}

// checkHost matches the leaf against the host name: subject alternative
// names, or the common name when the certificate has none (as openssl does).
func checkHost(certs []*x509.Certificate, o VerifyOptions) error {
	if o.Host == "" {
		return nil
	}
	leaf := certs[0]
	if leaf.VerifyHostname(o.Host) == nil {
		return nil
	}
	noSAN := len(leaf.DNSNames) == 0 && len(leaf.IPAddresses) == 0
	if noSAN && strings.EqualFold(leaf.Subject.CommonName, strings.TrimSuffix(o.Host, ".")) {
		return nil
	}
	return failure(certs, 0, ReasonHostname)
}

// checkBroken refuses, from the root down, a certificate whose signature was
// made with a broken algorithm. The root's signature on itself is left out:
// trust in a root comes from the trust store, not from that signature.
func checkBroken(certs []*x509.Certificate, _ VerifyOptions) error {
	for depth := len(certs) - 1; depth >= 0; depth-- {
		c := certs[depth]
		if depth > 0 && depth == len(certs)-1 && SelfSigned(c) {
			continue
		}
		if SignatureStrength(c) == Broken {
			return failure(certs, depth, ReasonBrokenSignature)
		}
	}
	return nil
}

// checkTimes checks validity periods from the root down.
func checkTimes(certs []*x509.Certificate, o VerifyOptions) error {
	for depth := len(certs) - 1; depth >= 0; depth-- {
		c := certs[depth]
		if o.At.Before(c.NotBefore) {
			return failure(certs, depth, ReasonNotYetValid)
		}
		if o.At.After(c.NotAfter) {
			return failure(certs, depth, ReasonExpired)
		}
	}
	return nil
}
