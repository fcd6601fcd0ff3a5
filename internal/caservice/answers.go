package caservice

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha1" //nolint:gosec // OCSP CertIDs use SHA-1 (RFC 5019 §2.1.1)
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/confcert/confcert/internal/castore"
)

// presign signs the OCSP answer of a certificate just issued here.
func (s *Service) presign(iss *issuer, ans *answers, der []byte) {
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return
	}
	rec := castore.Record{Issued: castore.Issued{CA: iss.ca.Name, Serial: cert.SerialNumber, CertDER: der}}
	if a, err := iss.signOCSP(rec, s.now()); err == nil {
		ans.put(castore.SerialHex(cert.SerialNumber), a)
	}
}

// refreshRevoked rebuilds the CRL and re-signs the OCSP answer after a
// revocation.
func (s *Service) refreshRevoked(ctx context.Context, rec castore.Record) error {
	iss, ans, err := s.issuer(ctx, rec.CA)
	if err != nil {
		return err
	}
	a, err := iss.signOCSP(rec, s.now())
	if err != nil {
		return err
	}
	ans.put(castore.SerialHex(rec.Serial), a)
	crl, err := iss.buildCRL(ctx, s.cfg.Store, s.now())
	if err != nil {
		return err
	}
	ans.mu.Lock()
	ans.crl = crl
	ans.mu.Unlock()
	return nil
}

// CRL returns the CA's current CRL (DER): the newest in the store, built
// now when there is none or it is a day old.
func (s *Service) CRL(ctx context.Context, ca string) ([]byte, error) {
	iss, ans, err := s.issuer(ctx, ca)
	if err != nil {
		return nil, err
	}
	crl, err := s.cfg.Store.LatestCRL(ctx, iss.ca.Name)
	if err != nil && !errors.Is(err, castore.ErrNotFound) {
		return nil, err
	}
	if err != nil || s.now().Sub(crl.ThisUpdate) >= answerRefresh {
		if crl, err = iss.buildCRL(ctx, s.cfg.Store, s.now()); err != nil {
			return nil, err
		}
	}
	ans.mu.Lock()
	ans.crl = crl
	ans.mu.Unlock()
	return crl.DER, nil
}

// OCSP answers an RFC 6960 request from the pre-signed set: never signed
// for the request. A request for a certificate of this CA that another
// instance issued is signed once, on first sight, then served like the
// rest. Anything else (another issuer, a serial never issued, a CertID
// not hashed with SHA-1) gets the constant "unauthorized" answer, as a
// responder of pre-produced answers gives (RFC 5019 §2.2.3).
func (s *Service) OCSP(ctx context.Context, ca string, reqDER []byte) ([]byte, error) {
	req, err := ocsp.ParseRequest(reqDER)
	if err != nil {
		return ocsp.MalformedRequestErrorResponse, nil
	}
	iss, ans, err := s.issuer(ctx, ca)
	if err != nil {
		return ocsp.UnauthorizedErrorResponse, nil
	}
	if req.HashAlgorithm != crypto.SHA1 || !iss.matches(req) {
		return ocsp.UnauthorizedErrorResponse, nil
	}
	serial := castore.SerialHex(req.SerialNumber)
	if der, ok := ans.lookup(serial); ok {
		return der, nil
	}
	rec, err := s.cfg.Store.Certificate(ctx, iss.ca.Name, req.SerialNumber)
	if errors.Is(err, castore.ErrNotFound) {
		return ocsp.UnauthorizedErrorResponse, nil
	}
	if err != nil {
		return nil, err
	}
	a, err := iss.signOCSP(rec, s.now())
	if err != nil {
		return nil, err
	}
	ans.put(serial, a)
	return a.der, nil
}

// matches reports whether an OCSP request names this CA: the SHA-1
// hashes of its subject and public key (RFC 6960 §4.1.1), computed once.
func (iss *issuer) matches(req *ocsp.Request) bool {
	return bytes.Equal(req.IssuerNameHash, iss.nameHash) && bytes.Equal(req.IssuerKeyHash, iss.keyHash)
}

// certIDHashes are the SHA-1 hashes of a CA's subject and public key.
func certIDHashes(ca *x509.Certificate) (name, key []byte, err error) {
	var spki struct {
		Algorithm asn1.RawValue
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(ca.RawSubjectPublicKeyInfo, &spki); err != nil {
		return nil, nil, fmt.Errorf("reading the CA's public key: %w", err)
	}
	n := sha1.Sum(ca.RawSubject)               //nolint:gosec // RFC 5019 §2.1.1
	k := sha1.Sum(spki.PublicKey.RightAlign()) //nolint:gosec // RFC 5019 §2.1.1
	return n[:], k[:], nil
}

// RefreshAnswers signs the OCSP answers that are missing, stale (a day
// old) or out of date (revoked since, perhaps by another instance) for
// every CA loaded, and rebuilds CRLs a day old. It returns how many
// answers it signed.
func (s *Service) RefreshAnswers(ctx context.Context) (int, error) {
	names, err := s.caNames(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, name := range names {
		n, err := s.refreshCA(ctx, name)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func (s *Service) refreshCA(ctx context.Context, name string) (int, error) {
	iss, ans, err := s.issuer(ctx, name)
	if errors.Is(err, ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("CA %s: %w", name, err)
	}
	recs, err := s.cfg.Store.Certificates(ctx, castore.CertFilter{Filter: castore.Filter{CA: name}})
	if err != nil {
		return 0, err
	}
	now, n := s.now(), 0
	for _, r := range recs {
		if now.After(r.NotAfter.Add(answerLifetime)) || !ans.stale(r, now) {
			continue
		}
		a, err := iss.signOCSP(r, now)
		if err != nil {
			return n, err
		}
		ans.put(castore.SerialHex(r.Serial), a)
		n++
	}
	_, err = s.CRL(ctx, name)
	return n, err
}

// Run keeps the service's answers fresh until ctx ends: every interval it
// re-signs OCSP answers and CRLs as RefreshAnswers does and issues
// requests a crash left approved. Errors are passed to report.
func (s *Service) Run(ctx context.Context, interval time.Duration, report func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.RefreshAnswers(ctx); err != nil && ctx.Err() == nil {
			report(err)
		}
		if _, err := s.ResumeApproved(ctx, time.Minute); err != nil && ctx.Err() == nil {
			report(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
