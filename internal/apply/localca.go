package apply

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/certgen"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/localca"
)

// StoreCAs returns the local CAs of a CA store (package localca), created on
// first use as of now. A nil store finds no CA and creates none (a dry run or
// a check on a machine with no confcert home).
func StoreCAs(store castore.Store, now time.Time) Authorities {
	return storeCAs{store: store, now: now}
}

type storeCAs struct {
	store castore.Store
	now   time.Time
}

// Ensure returns the named CA, creating it on first use.
func (s storeCAs) Ensure(ctx context.Context, name, keyType string) (Authority, bool, error) {
	if s.store == nil {
		return nil, false, fmt.Errorf("CA %s: %w (no CA store)", name, ErrNoCA)
	}
	t, err := keys.ParseType(orDefault(keyType), false)
	if err != nil {
		return nil, false, fmt.Errorf("CA %s: %w", name, err)
	}
	ca, created, err := localca.EnsureCA(ctx, s.store, name, t, s.now)
	if err != nil {
		return nil, false, err
	}
	return localAuthority{ca}, created, nil
}

// Find returns the named CA, or an error when the store has none.
func (s storeCAs) Find(ctx context.Context, name string) (Authority, error) {
	if s.store == nil {
		return nil, fmt.Errorf("CA %s: %w", name, ErrNoCA)
	}
	ca, err := localca.Load(ctx, s.store, name)
	if errors.Is(err, castore.ErrNotFound) {
		return nil, fmt.Errorf("CA %s: %w", name, ErrNoCA)
	}
	if err != nil {
		return nil, err
	}
	return localAuthority{ca}, nil
}

// localAuthority signs with a CA of the store, which records every serial.
type localAuthority struct{ ca *localca.CA }

// Certificate returns the CA certificate.
func (l localAuthority) Certificate() *x509.Certificate { return l.ca.Cert }

// Sign signs csr with the local CA, reserving and recording its serial.
func (l localAuthority) Sign(ctx context.Context, csr *x509.CertificateRequest, r SignRequest) (*x509.Certificate, error) {
	return l.ca.Sign(ctx, csr, r.options())
}

// options are the certgen options of a sign request, one or in a batch.
func (r SignRequest) options() certgen.SignOptions {
	return certgen.SignOptions{ExtKeyUsage: r.ExtKeyUsage, ExtraKeyUsage: r.ExtraKeyUsage, SubordinateCA: r.SubordinateCA, Days: r.Days, Now: r.Now}
}

// SignAll signs every CSR with the local CA in one batch (localca.CA.SignAll):
// one transaction reserves the serials, one records the certificates.
func (l localAuthority) SignAll(ctx context.Context, csrs []*x509.CertificateRequest, rs []SignRequest) ([]*x509.Certificate, error) {
	reqs := make([]localca.Request, len(csrs))
	for i, csr := range csrs {
		reqs[i] = localca.Request{CSR: csr, Options: rs[i].options()}
	}
	return l.ca.SignAll(ctx, reqs)
}
