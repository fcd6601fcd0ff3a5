package caservice

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/chain"
)

// CertQuery selects certificates (GET /certificates).
type CertQuery struct {
	CA string
	// Status keeps only valid, expired or revoked certificates, when set.
	Status castore.Status
	// Expiring keeps certificates not revoked whose notAfter is within
	// that many days (expired ones included), as `ca issued --expiring`.
	Expiring int
}

// Certificates lists recorded certificates: all for approvers and
// auditors, those of the caller's own requests for everyone else.
func (s *Service) Certificates(ctx context.Context, p Principal, q CertQuery) ([]castore.Record, error) {
	f := castore.CertFilter{Filter: castore.Filter{CA: q.CA}}
	if !p.Role.May(PermReadAll) {
		if err := p.require(PermReadOwn); err != nil {
			return nil, err
		}
		f.RequestedBy = p.Name
	}
	switch q.Status {
	case "", castore.StatusValid, castore.StatusExpired, castore.StatusRevoked:
	default:
		return nil, invalid("status %q: want valid, expired or revoked", q.Status)
	}
	if q.Expiring < 0 {
		return nil, invalid("expiring must be a number of days")
	}
	now := s.now()
	if q.Expiring > 0 {
		f.NotAfterBefore = now.AddDate(0, 0, q.Expiring)
	}
	recs, err := s.cfg.Store.Certificates(ctx, f)
	if err != nil {
		return nil, err
	}
	out := recs[:0]
	for _, r := range recs {
		st := r.Status(now)
		if (q.Status == "" || st == q.Status) && (q.Expiring == 0 || st != castore.StatusRevoked) {
			out = append(out, r)
		}
	}
	return out, nil
}

// Certificate returns one certificate the caller may read, by serial
// (upper- or lower-case hex) and optionally CA.
func (s *Service) Certificate(ctx context.Context, p Principal, ca, serialHex string) (castore.Record, error) {
	if !p.Role.May(PermReadAll) && !p.Role.May(PermReadOwn) {
		return castore.Record{}, p.require(PermReadOwn)
	}
	rec, err := s.findCertificate(ctx, ca, serialHex)
	if err != nil {
		return castore.Record{}, err
	}
	if !p.Role.May(PermReadAll) && rec.RequestedBy != p.Name {
		return castore.Record{}, fmt.Errorf("certificate %s: %w", serialHex, ErrNotFound)
	}
	return rec, nil
}

// CertificateFile returns the certificate in a chain layout (chain, cms,
// fullchain, cwms-1x, cwms-25, meetingplace), built by the chain engine
// from the certificate and its CA; an empty layout is the certificate alone.
func (s *Service) CertificateFile(ctx context.Context, p Principal, ca, serialHex, layout string) ([]byte, error) {
	rec, err := s.Certificate(ctx, p, ca, serialHex)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(rec.CertDER)
	if err != nil {
		return nil, err
	}
	if layout == "" {
		return pemCerts([]*x509.Certificate{leaf}), nil
	}
	l, err := chain.ParseLayout(layout)
	if err != nil || l == chain.LayoutTrust {
		return nil, invalid("layout %q: want chain, cms, fullchain, cwms-1x, cwms-25 or meetingplace", layout)
	}
	iss, _, err := s.issuer(ctx, rec.CA)
	if err != nil {
		return nil, err
	}
	c, err := chain.Build([]*x509.Certificate{leaf, iss.ca.Cert}, chain.Options{At: s.now()})
	if err != nil {
		return nil, err
	}
	return pemCerts(chain.Arrange(c, l, true)), nil
}

// CACertificate returns a CA's certificate (for clients to trust).
func (s *Service) CACertificate(ctx context.Context, ca string) (*x509.Certificate, error) {
	iss, _, err := s.issuer(ctx, ca)
	if err != nil {
		return nil, err
	}
	return iss.ca.Cert, nil
}

func (s *Service) findCertificate(ctx context.Context, ca, serialHex string) (castore.Record, error) {
	if len(serialHex) == 0 || len(serialHex) > 42 {
		return castore.Record{}, fmt.Errorf("certificate %q: %w", serialHex, ErrNotFound)
	}
	serial, err := castore.ParseSerialHex(serialHex)
	if err != nil {
		return castore.Record{}, fmt.Errorf("certificate %q: %w", serialHex, ErrNotFound)
	}
	names := []string{ca}
	if ca == "" {
		if names, err = s.caNames(ctx); err != nil {
			return castore.Record{}, err
		}
	} else if castore.CheckName(ca) != nil {
		return castore.Record{}, fmt.Errorf("CA %q: %w", ca, ErrNotFound)
	}
	for _, n := range names {
		rec, err := s.cfg.Store.Certificate(ctx, n, serial)
		if err == nil {
			return rec, nil
		}
		if !errors.Is(err, castore.ErrNotFound) {
			return castore.Record{}, err
		}
	}
	return castore.Record{}, fmt.Errorf("certificate %s: %w", serialHex, ErrNotFound)
}

func (s *Service) caNames(ctx context.Context) ([]string, error) {
	cas, err := s.cfg.Store.CAs(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range cas {
		out = append(out, c.Name)
	}
	return out, nil
}

// Revoke revokes a certificate: its CRL is rebuilt and its OCSP answer
// re-signed before Revoke returns, so the next CRL and OCSP answers say
// revoked.
func (s *Service) Revoke(ctx context.Context, p Principal, ca, serialHex, reason string) (castore.Record, error) {
	if err := p.require(PermRevoke); err != nil {
		return castore.Record{}, err
	}
	code, err := ParseReason(reason)
	if err != nil {
		return castore.Record{}, err
	}
	rec, err := s.findCertificate(ctx, ca, serialHex)
	if err != nil {
		return castore.Record{}, err
	}
	if !rec.RevokedAt.IsZero() {
		return castore.Record{}, fmt.Errorf("%w: certificate %s is already revoked", ErrConflict, serialHex)
	}
	at := s.now().UTC().Truncate(time.Second)
	if err := s.cfg.Store.RevokeReason(ctx, rec.CA, rec.Serial, at, code); err != nil {
		if errors.Is(err, castore.ErrNotFound) {
			return castore.Record{}, fmt.Errorf("%w: certificate %s was revoked meanwhile", ErrConflict, serialHex)
		}
		return castore.Record{}, err
	}
	rec.RevokedAt, rec.Reason = at, code
	if err := s.audit(ctx, p, "revoke", "certificate "+castore.SerialHex(rec.Serial), "CA "+rec.CA+", reason "+reasonName(code)); err != nil {
		return rec, err
	}
	return rec, s.refreshRevoked(ctx, rec)
}

func reasonName(code int) string {
	for n, c := range reasonCodes {
		if c == code {
			return n
		}
	}
	return fmt.Sprint(code)
}

// ReasonName is the RFC 5280 name of a reason code, as the API takes it.
func ReasonName(code int) string { return reasonName(code) }

// PEM encodes a certificate.
func PEM(c *x509.Certificate) []byte { return pemCerts([]*x509.Certificate{c}) }
