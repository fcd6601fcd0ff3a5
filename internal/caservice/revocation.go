package caservice

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/confcert/confcert/internal/castore"
)

// How long answers stay valid and when they are renewed: a CRL says its
// next update is 2 days away and is rebuilt at least daily and on every
// revocation (spec serve.md); OCSP answers likewise last 2 days and are
// re-signed when a day old, ahead of expiry, as pre-produced responses
// must be (RFC 5019 §2.2.3, §6).
const (
	answerLifetime = 48 * time.Hour
	answerRefresh  = 24 * time.Hour
)

// Revocation reasons by the names the API takes (RFC 5280 §5.3.1).
// certificateHold and removeFromCRL are left out: a revocation here is
// final.
var reasonCodes = map[string]int{
	"unspecified":          ocsp.Unspecified,
	"keyCompromise":        ocsp.KeyCompromise,
	"cACompromise":         ocsp.CACompromise,
	"affiliationChanged":   ocsp.AffiliationChanged,
	"superseded":           ocsp.Superseded,
	"cessationOfOperation": ocsp.CessationOfOperation,
	"privilegeWithdrawn":   ocsp.PrivilegeWithdrawn,
	"aACompromise":         ocsp.AACompromise,
}

// ParseReason returns the RFC 5280 code of a reason name; "" is unspecified.
func ParseReason(name string) (int, error) {
	if name == "" {
		return ocsp.Unspecified, nil
	}
	if c, ok := reasonCodes[name]; ok {
		return c, nil
	}
	return 0, invalid("unknown revocation reason %q (keyCompromise, superseded, affiliationChanged, cessationOfOperation, privilegeWithdrawn, cACompromise, unspecified)", name)
}

// answers holds one CA's pre-signed OCSP responses, by serial, and its CRL.
type answers struct {
	mu   sync.RWMutex
	ocsp map[string]signedAnswer
	crl  castore.CRL
}

type signedAnswer struct {
	der     []byte
	revoked bool
	at      time.Time
}

func newAnswers() *answers { return &answers{ocsp: map[string]signedAnswer{}} }

// lookup returns the pre-signed answer for a serial.
func (a *answers) lookup(serial string) ([]byte, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	s, ok := a.ocsp[serial]
	return s.der, ok
}

// stale reports whether rec's answer must be (re)signed at now.
func (a *answers) stale(rec castore.Record, now time.Time) bool {
	a.mu.RLock()
	defer a.mu.RUnlock()
	s, ok := a.ocsp[castore.SerialHex(rec.Serial)]
	return !ok || s.revoked != !rec.RevokedAt.IsZero() || now.Sub(s.at) >= answerRefresh
}

func (a *answers) put(serial string, s signedAnswer) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ocsp[serial] = s
}

// signOCSP pre-signs the answer for one certificate with the CA's key
// (the CA is its own responder, RFC 6960 §4.2.2.2).
func (iss *issuer) signOCSP(rec castore.Record, now time.Time) (signedAnswer, error) {
	cert, err := x509.ParseCertificate(rec.CertDER)
	if err != nil {
		return signedAnswer{}, fmt.Errorf("certificate %s: %w", castore.SerialHex(rec.Serial), err)
	}
	t := ocsp.Response{Status: ocsp.Good, SerialNumber: cert.SerialNumber, Certificate: nil,
		ThisUpdate: now.Add(-time.Minute).UTC().Truncate(time.Second), NextUpdate: now.Add(answerLifetime).UTC().Truncate(time.Second)}
	revoked := !rec.RevokedAt.IsZero()
	if revoked {
		t.Status, t.RevokedAt, t.RevocationReason = ocsp.Revoked, rec.RevokedAt, rec.Reason
	}
	der, err := ocsp.CreateResponse(iss.ca.Cert, iss.ca.Cert, t, iss.ca.Key)
	if err != nil {
		return signedAnswer{}, fmt.Errorf("signing the OCSP answer for %s: %w", castore.SerialHex(rec.Serial), err)
	}
	return signedAnswer{der: der, revoked: revoked, at: now}, nil
}

// buildCRL signs a CRL of every revoked certificate, numbered one above
// the last stored (RFC 5280 §5.2.3), and stores it.
func (iss *issuer) buildCRL(ctx context.Context, store castore.Service, now time.Time) (castore.CRL, error) {
	revoked, err := store.Revoked(ctx, iss.ca.Name)
	if err != nil {
		return castore.CRL{}, err
	}
	number := big.NewInt(1)
	if last, err := store.LatestCRL(ctx, iss.ca.Name); err == nil {
		number.Add(last.Number, big.NewInt(1))
	} else if !errors.Is(err, castore.ErrNotFound) {
		return castore.CRL{}, err
	}
	tmpl := &x509.RevocationList{Number: number, ThisUpdate: now.UTC(), NextUpdate: now.Add(answerLifetime).UTC()}
	for _, r := range revoked {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries, x509.RevocationListEntry{
			SerialNumber: r.Serial, RevocationTime: r.RevokedAt, ReasonCode: r.Reason})
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, iss.ca.Cert, iss.ca.Key)
	if err != nil {
		return castore.CRL{}, fmt.Errorf("CA %s: signing the CRL: %w", iss.ca.Name, err)
	}
	c := castore.CRL{CA: iss.ca.Name, Number: number, ThisUpdate: now.UTC(), DER: der}
	return c, store.SaveCRL(ctx, c)
}
