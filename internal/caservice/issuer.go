package caservice

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/certgen"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/lint"
	"github.com/confcert/confcert/internal/localca"
)

// issuer signs for one local CA in Boulder's order (research
// ca-service.md §1: Boulder reserves the serial and lints a certificate
// signed with a throwaway key before the real signature; step-ca and cfssl
// store only after signing). The lint issuer is a copy of the CA
// certificate (same subject, same key identifier, same validity) with a
// throwaway key made at start, so the copy's body equals the real one.
type issuer struct {
	ca       *localca.CA
	lintCert *x509.Certificate
	lintKey  crypto.Signer
	crlURL   string
	ocspURL  string
	// nameHash and keyHash identify the CA in OCSP requests.
	nameHash, keyHash []byte
}

// ErrLint says the certificate about to be signed failed a zlint error or
// fatal lint: nothing was signed, the serial stays reserved and unused.
var ErrLint = errors.New("the certificate to be issued fails a lint")

func newIssuer(ca *localca.CA, baseURL string) (*issuer, error) {
	keyType := ca.KeyType
	if keyType == "" {
		keyType = keys.Default
	}
	key, err := keys.Generate(keyType)
	if err != nil {
		return nil, fmt.Errorf("CA %s: throwaway lint key: %w", ca.Name, err)
	}
	aki := ca.Cert.SubjectKeyId
	if len(aki) == 0 {
		if aki, err = certgen.KeyID(ca.Cert.PublicKey); err != nil {
			return nil, err
		}
	}
	tmpl := &x509.Certificate{
		SerialNumber: ca.Cert.SerialNumber, RawSubject: ca.Cert.RawSubject, SubjectKeyId: aki,
		NotBefore: ca.Cert.NotBefore, NotAfter: ca.Cert.NotAfter, KeyUsage: ca.Cert.KeyUsage,
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("CA %s: lint issuer: %w", ca.Name, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	nameHash, keyHash, err := certIDHashes(ca.Cert)
	if err != nil {
		return nil, fmt.Errorf("CA %s: %w", ca.Name, err)
	}
	return &issuer{ca: ca, lintCert: cert, lintKey: key, nameHash: nameHash, keyHash: keyHash,
		crlURL: CRLURL(baseURL, ca.Name), ocspURL: OCSPURL(baseURL, ca.Name)}, nil
}

// CRLURL is where the service publishes a CA's CRL.
func CRLURL(base, ca string) string { return base + "/api/v1/crl/" + ca + ".crl" }

// OCSPURL is the CA's OCSP responder.
func OCSPURL(base, ca string) string { return base + "/api/v1/ocsp/" + ca }

// options are the signing options of a profile: its usage, the validity
// asked for within the cap, and the service's CRL and OCSP URLs. Nothing
// comes from the CSR but its subject, names and key (certgen.Sign). Every
// CSR reaching here had its signature checked once (parseCSR, IssueOwn), so
// the two signatures made from it do not check it again.
func (iss *issuer) options(p Profile, days int, serial *big.Int, now time.Time) certgen.SignOptions {
	return certgen.SignOptions{Profile: certgen.Profile(p.Usage), Days: days, Serial: serial, Now: now,
		CRLURLs: []string{iss.crlURL}, OCSPURLs: []string{iss.ocspURL}, CSRVerified: true}
}

// lintCopy signs the certificate with the throwaway key.
func (iss *issuer) lintCopy(csr *x509.CertificateRequest, o certgen.SignOptions) (*x509.Certificate, error) {
	c, err := certgen.Sign(csr, iss.lintCert, iss.lintKey, o)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return c, nil
}

// prepared is a certificate about to be signed: its options (with the
// serial) and the copy signed by the lint issuer, with the copy's lints.
type prepared struct {
	o     certgen.SignOptions
	copy  *x509.Certificate
	lints []lint.Finding
}

// skipLints are left out of the lint of a copy: see lint.RunExcept.
var skipLints = []string{"e_cert_issued_by_compromised_emudhra_ca"}

// prepare is the first half of Boulder's order: reserve the serial in the
// store (with reserve; a CSR only being judged gets a serial that is
// never used), sign a copy with the throwaway key and lint it with zlint
// through package lint (the filters of `check`), once: the same findings
// feed check's results and the issuance gate.
func (iss *issuer) prepare(ctx context.Context, csr *x509.CertificateRequest, p Profile, days int, now time.Time, reserve func(context.Context, *issuer, time.Time) (*big.Int, error)) (*prepared, error) {
	var serial *big.Int
	var err error
	if reserve != nil {
		serial, err = reserve(ctx, iss, now)
	} else {
		serial, err = certgen.RandomSerial()
	}
	if err != nil {
		return nil, err
	}
	o := iss.options(p, days, serial, now)
	c, err := iss.lintCopy(csr, o)
	if err != nil {
		return nil, err
	}
	found, err := lint.RunExcept(c, skipLints...)
	if err != nil {
		return nil, err
	}
	return &prepared{o: o, copy: c, lints: found}, nil
}

// lintError refuses a copy with an error or fatal zlint finding; warnings
// are the check's business (reported to the requester).
func (pr *prepared) lintError() error {
	for _, f := range pr.lints {
		if f.Status == "error" || f.Status == "fatal" {
			return fmt.Errorf("%w: %s: %s", ErrLint, f.Name, f.Message)
		}
	}
	return nil
}

// sign is the second half: the real signature, and the check that its
// body is the linted copy's. The caller records the certificate before
// anyone sees it (Service.record, commit.go). A crash anywhere leaves at most
// a reserved serial: no certificate leaves the service without its record.
func (iss *issuer) sign(csr *x509.CertificateRequest, pr *prepared) (*x509.Certificate, error) {
	if err := pr.lintError(); err != nil {
		return nil, err
	}
	cert, err := certgen.Sign(csr, iss.ca.Cert, iss.ca.Key, pr.o)
	if err != nil {
		return nil, fmt.Errorf("CA %s: %w", iss.ca.Name, err)
	}
	if !bytes.Equal(cert.RawTBSCertificate, pr.copy.RawTBSCertificate) {
		return nil, fmt.Errorf("CA %s: the signed certificate %s differs from the linted copy: not issued", iss.ca.Name, castore.SerialHex(pr.o.Serial))
	}
	return cert, nil
}
