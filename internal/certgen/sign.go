package certgen

import (
	"github.com/confcert/confcert/internal/usage"
	"github.com/confcert/confcert/internal/validity"

	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/confcert/confcert/internal/keys"
)

// Errors Sign returns for inputs it refuses; test them with errors.Is.
var (
	// ErrBadCSRSignature: the CSR is not signed by its own key (corrupt or forged).
	ErrBadCSRSignature = errors.New("the CSR signature is invalid")
	// ErrNotCA: the signing certificate is not a CA certificate.
	ErrNotCA = errors.New("the certificate is not a CA certificate")
	// ErrKeyMismatch: the CA private key is not the key of the CA certificate.
	ErrKeyMismatch = errors.New("the CA private key does not match the CA certificate")
	// ErrCAExpired: the CA certificate has expired, so nothing it signs can be valid.
	ErrCAExpired = errors.New("the CA certificate has expired")
	// ErrNoSubordinate: the signing CA may not sign a CA (its own
	// pathLenConstraint is 0).
	ErrNoSubordinate = errors.New("the CA may sign no subordinate CA")
	// ErrBadDays: the validity asked for is not a positive number of days.
	ErrBadDays = errors.New("validity must be at least 1 day")
)

// clockSkew backdates notBefore so that a peer whose clock is slightly behind
// does not reject a certificate issued a moment ago.
const clockSkew = 5 * time.Minute

// SelfSignedCA creates a self-signed certificate for key that can act as a CA
// for Sign: basicConstraints CA:TRUE, keyUsage keyCertSign, cRLSign and
// digitalSignature, and a subjectKeyIdentifier (seed 002 §3.1.5 "pki
// selfsigned"). It is valid for days days from now.
func SelfSignedCA(key crypto.Signer, subject pkix.Name, days int, now time.Time) (*x509.Certificate, error) {
	return SelfSigned(key, Request{Subject: subject}, days, now)
}

// SelfSigned is SelfSignedCA with subjectAltName entries as well, for a
// self-signed certificate that is both a CA and a server's own certificate
// (the MMP's "pki selfsigned" with a subjectAltName attribute).
func SelfSigned(key crypto.Signer, r Request, days int, now time.Time) (*x509.Certificate, error) {
	if key == nil {
		return nil, errors.New("no private key for the certificate")
	}
	if days < 1 {
		return nil, ErrBadDays
	}
	tmpl, err := baseTemplate(key.Public(), now, now.AddDate(0, 0, days))
	if err != nil {
		return nil, err
	}
	tmpl.Subject = r.Subject
	setSANs(tmpl, r)
	tmpl.BasicConstraintsValid = true
	tmpl.IsCA = true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature
	tmpl.AuthorityKeyId = tmpl.SubjectKeyId
	return create(tmpl, tmpl, key.Public(), key)
}

// baseTemplate fills what every certificate gets: a random serial, the
// validity window, the signature algorithm and the subjectKeyIdentifier.
func baseTemplate(pub crypto.PublicKey, now, notAfter time.Time) (*x509.Certificate, error) {
	serial, err := RandomSerial()
	if err != nil {
		return nil, err
	}
	ski, err := KeyID(pub)
	if err != nil {
		return nil, err
	}
	return &x509.Certificate{
		SerialNumber:       serial,
		NotBefore:          now.Add(-clockSkew).UTC(),
		NotAfter:           notAfter.UTC(),
		SignatureAlgorithm: signatureAlgorithm(pub),
		SubjectKeyId:       ski,
	}, nil
}

func setSANs(tmpl *x509.Certificate, r Request) {
	tmpl.DNSNames = r.DNSNames
	tmpl.IPAddresses = r.IPAddresses
	tmpl.EmailAddresses = r.EmailAddresses
	tmpl.URIs = r.URIs
}

// create signs tmpl and parses the result back, so callers always get a
// certificate exactly as a verifier will see it.
func create(tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		return nil, fmt.Errorf("create certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse the new certificate: %w", err)
	}
	return cert, nil
}

// Profile says which extended key usages a signed certificate gets.
type Profile string

// The signing profiles of "confcert sign --profile".
const (
	ProfileServer       Profile = "server"
	ProfileClient       Profile = "client"
	ProfileServerClient Profile = "server+client"
)

// ParseProfile parses a profile name; the empty string is ProfileServerClient.
func ParseProfile(s string) (Profile, error) {
	switch p := Profile(strings.ToLower(strings.TrimSpace(s))); p {
	case "":
		return ProfileServerClient, nil
	case ProfileServer, ProfileClient, ProfileServerClient:
		return p, nil
	}
	return "", fmt.Errorf("unknown profile %q (known: server, client, server+client)", s)
}

// ExtKeyUsage returns the extended key usages of the profile. The default,
// server+client, is the template Unified CM needs for a Call Bridge
// certificate (seed 002 §3.2 note).
func (p Profile) ExtKeyUsage() []x509.ExtKeyUsage {
	switch p {
	case ProfileServer:
		return []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	case ProfileClient:
		return []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	return []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
}

// SignOptions controls Sign.
type SignOptions struct {
	Profile     Profile
	ExtKeyUsage []x509.ExtKeyUsage // overrides Profile when set
	// ExtraKeyUsage adds key usage bits a CSR made elsewhere asks the CA to
	// keep (Unified CM: "Ensure that 'Data Encipherment' bit is not changed
	// or removed", Security Guide Release 14).
	ExtraKeyUsage x509.KeyUsage
	Days          int
	Serial        *big.Int  // nil = RandomSerial
	Now           time.Time // zero = the current time
	// CRLURLs and OCSPURLs, when set, become the certificate's CRL
	// distribution points and authorityInfoAccess OCSP responder (the CA
	// service names its own, spec serve.md).
	CRLURLs, OCSPURLs []string
	// SubordinateCA issues the certificate as a CA that signs end-entity
	// certificates only: basicConstraints CA:TRUE, pathLenConstraint 0
	// (critical), keyUsage digitalSignature and keyCertSign (no cRLSign: it
	// publishes no CRL), whatever the CSR asks; the extended key usages are
	// the options' as for any certificate.
	SubordinateCA bool
	// CSRVerified says the caller has already checked the CSR's signature
	// (the CA service checks it once on receipt, then signs the CSR twice:
	// the lint copy and the certificate), so Sign need not check it again.
	CSRVerified bool
}

// Sign issues a certificate for csr signed by ca and caKey. It copies the
// subject and subjectAltName entries from the CSR, sets keyUsage
// digitalSignature (+keyEncipherment for RSA unless the certificate is for
// client authentication only, see signedKeyUsage), the profile's extended key
// usages, subject and authority key identifiers, and a validity of o.Days
// days that never runs past the CA's own notAfter. It refuses a CSR with a
// bad signature (ErrBadCSRSignature), a certificate that is not a CA
// (ErrNotCA), a key that is not the CA's (ErrKeyMismatch) and an expired CA
// (ErrCAExpired). No extension of the CSR is copied but its names: with
// o.SubordinateCA the certificate is a CA with pathLenConstraint 0 even when
// the CSR asks another path length (ErrNoSubordinate when ca's own
// pathLenConstraint is 0).
func Sign(csr *x509.CertificateRequest, ca *x509.Certificate, caKey crypto.Signer, o SignOptions) (*x509.Certificate, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if err := checkInputs(csr, ca, caKey, o); err != nil {
		return nil, err
	}
	tmpl, err := baseTemplate(csr.PublicKey, o.Now, capNotAfter(o.Now.AddDate(0, 0, o.Days), ca))
	if err != nil {
		return nil, err
	}
	if o.Serial != nil {
		tmpl.SerialNumber = o.Serial
	}
	if tmpl.NotBefore.Before(ca.NotBefore) {
		tmpl.NotBefore = ca.NotBefore
	}
	tmpl.RawSubject = csr.RawSubject
	setSANs(tmpl, Request{DNSNames: csr.DNSNames, IPAddresses: csr.IPAddresses,
		EmailAddresses: csr.EmailAddresses, URIs: csr.URIs})
	tmpl.BasicConstraintsValid = true
	tmpl.ExtKeyUsage = o.ExtKeyUsage
	if len(tmpl.ExtKeyUsage) == 0 {
		tmpl.ExtKeyUsage = o.Profile.ExtKeyUsage()
	}
	tmpl.KeyUsage = signedKeyUsage(csr.PublicKey, tmpl.ExtKeyUsage) | o.ExtraKeyUsage
	if o.SubordinateCA {
		tmpl.IsCA, tmpl.MaxPathLen, tmpl.MaxPathLenZero = true, 0, true
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign
	}
	tmpl.CRLDistributionPoints, tmpl.OCSPServer = o.CRLURLs, o.OCSPURLs
	if tmpl.AuthorityKeyId, err = authorityKeyID(ca); err != nil {
		return nil, err
	}
	// Sign with the CA's own algorithm family: an RSA CA signs with SHA-256.
	tmpl.SignatureAlgorithm = signatureAlgorithm(ca.PublicKey)
	return create(tmpl, ca, csr.PublicKey, caKey)
}

func checkInputs(csr *x509.CertificateRequest, ca *x509.Certificate, caKey crypto.Signer, o SignOptions) error {
	if o.Days < 1 {
		return ErrBadDays
	}
	if o.Serial != nil && o.Serial.Sign() <= 0 {
		return fmt.Errorf("serial number %s is not positive", o.Serial)
	}
	if csr == nil || ca == nil || caKey == nil {
		return errors.New("sign needs a CSR, a CA certificate and its key")
	}
	if !o.CSRVerified {
		if err := csr.CheckSignature(); err != nil {
			return fmt.Errorf("%w: %w", ErrBadCSRSignature, err)
		}
	}
	if err := CheckCA(ca); err != nil {
		return err
	}
	if o.SubordinateCA && ca.MaxPathLenZero {
		return fmt.Errorf("%w: %q has pathLenConstraint 0, so a CA it signs would be invalid", ErrNoSubordinate, ca.Subject.String())
	}
	if !keys.Match(caKey, ca.PublicKey) {
		return ErrKeyMismatch
	}
	if validity.Expired(ca.NotAfter, o.Now) {
		return fmt.Errorf("%w (%s)", ErrCAExpired, ca.NotAfter.UTC().Format(time.DateOnly))
	}
	return nil
}

// CheckCA returns ErrNotCA (with the reason) unless cert may sign
// certificates: basicConstraints CA:TRUE and, when keyUsage is present,
// keyCertSign (RFC 5280 §4.2.1.9, §4.2.1.3).
func CheckCA(cert *x509.Certificate) error {
	if !cert.BasicConstraintsValid || !cert.IsCA {
		return fmt.Errorf("%w: %q has no basicConstraints CA:TRUE", ErrNotCA, cert.Subject.String())
	}
	if cert.KeyUsage != 0 && cert.KeyUsage&x509.KeyUsageCertSign == 0 {
		return fmt.Errorf("%w: %q lacks keyUsage keyCertSign", ErrNotCA, cert.Subject.String())
	}
	return nil
}

// capNotAfter keeps a certificate's end within its CA's validity.
func capNotAfter(notAfter time.Time, ca *x509.Certificate) time.Time {
	if notAfter.After(ca.NotAfter) {
		return ca.NotAfter
	}
	return notAfter
}

// authorityKeyID is the CA's subjectKeyIdentifier, or computed from its key
// when the CA certificate has none (openssl checks it only against an SKI).
func authorityKeyID(ca *x509.Certificate) ([]byte, error) {
	if len(ca.SubjectKeyId) > 0 {
		return ca.SubjectKeyId, nil
	}
	return KeyID(ca.PublicKey)
}

// signedKeyUsage is the one rule usage.Leaf for the certificate's key and
// extended key usages: a client-only certificate (the database client, seed
// 002 §3.1.5) gets digitalSignature alone.
func signedKeyUsage(pub crypto.PublicKey, eku []x509.ExtKeyUsage) x509.KeyUsage {
	_, isRSA := pub.(*rsa.PublicKey)
	return usage.Leaf(isRSA, eku)
}

// SelfSignCSR issues a self-signed end-entity certificate (not a CA) for a
// CSR made with key: the CSR's subject and subjectAltName entries, the
// options' extended key usages and validity, and the same keyUsage rule as
// Sign. It serves certificates planned with signer "self" (spec plan.md).
func SelfSignCSR(csr *x509.CertificateRequest, key crypto.Signer, o SignOptions) (*x509.Certificate, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Days < 1 {
		return nil, ErrBadDays
	}
	if csr == nil || key == nil || !keys.Match(key, csr.PublicKey) {
		return nil, ErrKeyMismatch
	}
	tmpl, err := baseTemplate(key.Public(), o.Now, o.Now.AddDate(0, 0, o.Days))
	if err != nil {
		return nil, err
	}
	tmpl.RawSubject = csr.RawSubject
	setSANs(tmpl, Request{DNSNames: csr.DNSNames, IPAddresses: csr.IPAddresses,
		EmailAddresses: csr.EmailAddresses, URIs: csr.URIs})
	tmpl.BasicConstraintsValid = true
	tmpl.ExtKeyUsage = o.ExtKeyUsage
	if len(tmpl.ExtKeyUsage) == 0 {
		tmpl.ExtKeyUsage = o.Profile.ExtKeyUsage()
	}
	tmpl.KeyUsage = signedKeyUsage(key.Public(), tmpl.ExtKeyUsage)
	return create(tmpl, tmpl, key.Public(), key)
}
