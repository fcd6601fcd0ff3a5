// Package localca is the local CA service: a named CA created on first use
// and recorded in the CA store, which signs CSRs with serials reserved in
// the store before signing (spec plan.md, "The local CA").
package localca

import (
	"github.com/confcert/confcert/internal/validity"

	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/certgen"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/keys"
)

// CAYears is the validity of a CA created on first use (spec plan.md, "The local CA").
const CAYears = validity.LocalCAYears

// maxSerialTries bounds the draws of a new serial when the store says a
// drawn serial is taken; with 128 random bits a second draw is already
// vanishingly rare, so running out means the generator is broken.
const maxSerialTries = 8

// CA is a local CA ready to sign.
type CA struct {
	Name    string
	KeyType keys.Type
	Cert    *x509.Certificate
	Key     crypto.Signer
	// NewSerial draws the serial of each certificate; nil means
	// certgen.RandomSerial (128 random bits). Tests inject a fixed sequence.
	NewSerial func() (*big.Int, error)

	store castore.Store
}

// EnsureCA returns the CA called name, creating it on first use: a new key of
// keyType (keys.Default when empty) and a self-signed root with the subject
// Subject gives, valid CAYears years from now. created says whether it was made now. An
// existing CA is returned as it is, whatever keyType asks for; compare
// CA.KeyType to tell. Two processes creating the same CA at once end up with
// the same one: the store lets only one creation win.
func EnsureCA(ctx context.Context, store castore.Store, name string, keyType keys.Type, now time.Time) (*CA, bool, error) {
	ca, err := Load(ctx, store, name)
	if !errors.Is(err, castore.ErrNotFound) {
		return ca, false, err
	}
	ca, err = create(ctx, store, name, keyType, now)
	if errors.Is(err, castore.ErrCAExists) {
		ca, err = Load(ctx, store, name)
		return ca, false, err
	}
	return ca, err == nil, err
}

// Load returns the recorded CA called name with its key, or an error
// wrapping castore.ErrNotFound.
func Load(ctx context.Context, store castore.Store, name string) (*CA, error) {
	rec, err := store.CA(ctx, name)
	if err != nil {
		return nil, err
	}
	pemKey, err := store.CAKey(ctx, name)
	if err != nil {
		return nil, err
	}
	key, err := parseKey(name, pemKey)
	if err != nil {
		return nil, err
	}
	if !keys.Match(key, rec.Cert.PublicKey) {
		return nil, fmt.Errorf("CA %s: %w", name, certgen.ErrKeyMismatch)
	}
	return &CA{Name: name, KeyType: keys.Type(rec.KeyType), Cert: rec.Cert, Key: key, store: store}, nil
}

func parseKey(name string, pemKey []byte) (crypto.Signer, error) {
	f, err := certio.Parse(name+".key", pemKey, certio.Options{})
	if err != nil {
		return nil, fmt.Errorf("CA %s key: %w", name, err)
	}
	if objs := f.PrivateKeys(); len(objs) == 1 && objs[0].PrivateKey != nil {
		return objs[0].PrivateKey, nil
	}
	return nil, fmt.Errorf("CA %s: %s.key does not hold exactly one readable private key", name, name)
}

func create(ctx context.Context, store castore.Store, name string, keyType keys.Type, now time.Time) (*CA, error) {
	if err := castore.CheckName(name); err != nil {
		return nil, err
	}
	if keyType == "" {
		keyType = keys.Default
	}
	key, err := keys.GenerateContext(ctx, keyType)
	if err != nil {
		return nil, fmt.Errorf("CA %s: %w", name, err)
	}
	days := int(now.AddDate(CAYears, 0, 0).Sub(now).Hours() / 24)
	subject, err := Subject(name, key.Public())
	if err != nil {
		return nil, fmt.Errorf("CA %s: %w", name, err)
	}
	cert, err := certgen.SelfSignedCA(key, subject, days, now)
	if err != nil {
		return nil, fmt.Errorf("CA %s: %w", name, err)
	}
	pemKey, err := certio.PrivateKeyPEM(key)
	if err != nil {
		return nil, fmt.Errorf("CA %s: %w", name, err)
	}
	rec := castore.CA{Name: name, KeyType: string(keyType), Cert: cert, CreatedAt: now}
	if err := store.CreateCA(ctx, rec, pemKey); err != nil {
		return nil, err
	}
	return &CA{Name: name, KeyType: keyType, Cert: cert, Key: key, store: store}, nil
}

// Organization is the O of every local CA's subject: a certificate viewer
// shows at a glance that confcert made the CA.
const Organization = "confcert local CA"

// Subject is the subject of a new local CA: CN = the name and a suffix of 8
// hex digits from the SHA-256 of its public key, O = Organization. Two homes
// that each create "podca" (a second administrator, sudo, a new laptop) thus
// make CAs that never look identical, in confcert or on an appliance.
func Subject(name string, pub crypto.PublicKey) (pkix.Name, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return pkix.Name{}, err
	}
	sum := sha256.Sum256(der)
	return pkix.Name{
		CommonName:   fmt.Sprintf("%s %X", name, sum[:4]),
		Organization: []string{Organization},
	}, nil
}

// Sign issues a certificate for csr (see certgen.Sign for what it holds):
// it reserves a fresh serial in the store, signs with it, then records the
// certificate. A crash in between leaves a reserved serial and never a
// certificate without a record. o.Serial is ignored: the CA chooses.
func (c *CA) Sign(ctx context.Context, csr *x509.CertificateRequest, o certgen.SignOptions) (*x509.Certificate, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if err := c.precheck(csr, o.Now); err != nil {
		return nil, err
	}
	serial, err := c.reserveSerial(ctx, o.Now)
	if err != nil {
		return nil, err
	}
	o.Serial = serial
	o.CSRVerified = true // by precheck
	cert, err := certgen.Sign(csr, c.Cert, c.Key, o)
	if err != nil {
		return nil, fmt.Errorf("CA %s: %w", c.Name, err)
	}
	if err := c.store.RecordIssued(ctx, c.Name, cert, o.Now); err != nil {
		return nil, err
	}
	return cert, nil
}

// precheck refuses what certgen.Sign would refuse anyway, before a serial is
// spent on it.
func (c *CA) precheck(csr *x509.CertificateRequest, now time.Time) error {
	if csr == nil {
		return fmt.Errorf("CA %s: no CSR to sign", c.Name)
	}
	if err := csr.CheckSignature(); err != nil {
		return fmt.Errorf("%w: %w", certgen.ErrBadCSRSignature, err)
	}
	if validity.Expired(c.Cert.NotAfter, now) {
		return fmt.Errorf("CA %s: %w (%s)", c.Name, certgen.ErrCAExpired, c.Cert.NotAfter.UTC().Format(time.DateOnly))
	}
	return nil
}

// reserveSerial draws serials until the store accepts one.
func (c *CA) reserveSerial(ctx context.Context, at time.Time) (*big.Int, error) {
	return c.ReserveSerialVia(ctx, func(ctx context.Context, serial *big.Int) error {
		return c.store.ReserveSerial(ctx, c.Name, serial, at)
	})
}

// ReserveSerialVia draws serials (NewSerial) until reserve accepts one,
// drawing again while it says castore.ErrSerialTaken: the CA service
// reserves through its group commit instead of a commit of its own.
func (c *CA) ReserveSerialVia(ctx context.Context, reserve func(context.Context, *big.Int) error) (*big.Int, error) {
	draw := c.NewSerial
	if draw == nil {
		draw = certgen.RandomSerial
	}
	for range maxSerialTries {
		serial, err := draw()
		if err != nil {
			return nil, fmt.Errorf("CA %s: drawing a serial: %w", c.Name, err)
		}
		err = reserve(ctx, serial)
		if err == nil {
			return serial, nil
		}
		if !errors.Is(err, castore.ErrSerialTaken) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("CA %s: every one of %d serials drawn was already taken", c.Name, maxSerialTries)
}
