package localca

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/certgen"
	"github.com/confcert/confcert/internal/parallel"
)

// Request is one CSR to sign with its options (see certgen.Sign).
type Request struct {
	CSR     *x509.CertificateRequest
	Options certgen.SignOptions
}

// SignAll issues a certificate for every request, in order, like Sign, but
// durable in batches: every serial is reserved in one transaction, the
// certificates are signed on every core, then all are recorded in one
// transaction. A crash in between leaves reserved serials and never a
// certificate without its record; the certificates are returned only once
// recorded. The batch is stamped with the first request's Now. When the
// store cannot batch (castore.BatchStore), each request is signed with Sign.
func (c *CA) SignAll(ctx context.Context, reqs []Request) ([]*x509.Certificate, error) {
	bs, ok := c.store.(castore.BatchStore)
	if !ok || len(reqs) < 2 {
		return c.signEach(ctx, reqs)
	}
	at := reqs[0].Options.Now
	if at.IsZero() {
		at = time.Now()
	}
	errs := make([]error, len(reqs))
	parallel.For(len(reqs), func(i int) {
		if reqs[i].Options.Now.IsZero() {
			reqs[i].Options.Now = at
		}
		errs[i] = c.precheck(reqs[i].CSR, reqs[i].Options.Now)
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	serials, err := c.reserveSerials(ctx, bs, len(reqs), at)
	if err != nil {
		return nil, err
	}
	certs := make([]*x509.Certificate, len(reqs))
	parallel.For(len(reqs), func(i int) {
		o := reqs[i].Options
		o.Serial = serials[i]
		o.CSRVerified = true // by precheck
		certs[i], errs[i] = certgen.Sign(reqs[i].CSR, c.Cert, c.Key, o)
	})
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("CA %s: %w", c.Name, err)
	}
	if err := bs.RecordIssuedAll(ctx, c.Name, certs, at); err != nil {
		return nil, err
	}
	return certs, nil
}

func (c *CA) signEach(ctx context.Context, reqs []Request) ([]*x509.Certificate, error) {
	certs := make([]*x509.Certificate, len(reqs))
	for i, r := range reqs {
		cert, err := c.Sign(ctx, r.CSR, r.Options)
		if err != nil {
			return nil, err
		}
		certs[i] = cert
	}
	return certs, nil
}

// reserveSerials draws n serials and reserves them in one transaction,
// drawing them all again when the store says one is taken.
func (c *CA) reserveSerials(ctx context.Context, bs castore.BatchStore, n int, at time.Time) ([]*big.Int, error) {
	draw := c.NewSerial
	if draw == nil {
		draw = certgen.RandomSerial
	}
	for range maxSerialTries {
		serials := make([]*big.Int, n)
		for i := range serials {
			s, err := draw()
			if err != nil {
				return nil, fmt.Errorf("CA %s: drawing a serial: %w", c.Name, err)
			}
			serials[i] = s
		}
		if dup := firstDuplicate(serials); dup != nil {
			continue
		}
		err := bs.ReserveSerials(ctx, c.Name, serials, at)
		if err == nil {
			return serials, nil
		}
		if !errors.Is(err, castore.ErrSerialTaken) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("CA %s: every one of %d batches of serials drawn held a serial already taken", c.Name, maxSerialTries)
}

// firstDuplicate returns a serial drawn twice in the same batch, or nil.
func firstDuplicate(serials []*big.Int) *big.Int {
	seen := make(map[string]bool, len(serials))
	for _, s := range serials {
		k := string(s.Bytes())
		if seen[k] {
			return s
		}
		seen[k] = true
	}
	return nil
}
