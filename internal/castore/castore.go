// Package castore is the record of the local CAs and of every certificate they
// issue (spec plan.md, "The local CA"). The record sits behind the small Store
// interface: an embedded SQLite database in the confcert home today, and the
// same SQL on PostgreSQL for several administrators and CA instances. CA
// private keys are files with mode 0600 beside the database, never rows.
package castore

import (
	"github.com/confcert/confcert/internal/serial"
	"github.com/confcert/confcert/internal/validity"

	"context"
	"crypto/x509"
	"errors"
	"math/big"
	"time"
)

// ErrNotFound says a CA or certificate is not in the store.
var ErrNotFound = errors.New("not found")

// ErrCAExists says CreateCA lost to a CA of the same name already recorded.
var ErrCAExists = errors.New("CA already exists")

// ErrSerialTaken says ReserveSerial found the serial already reserved for
// that CA: the caller draws another serial and tries again.
var ErrSerialTaken = errors.New("serial already reserved")

// ErrNotReserved says RecordIssued was given a serial that was never reserved
// or already carries a certificate.
var ErrNotReserved = errors.New("serial not reserved or already recorded")

// Store is the record of CAs and issued certificates. Every implementation
// runs the same SQL (see schema.go); all methods are safe for concurrent use,
// also by several processes sharing one database.
type Store interface {
	// CreateCA records a new CA and keeps its private key (PEM). It returns
	// ErrCAExists when a CA of that name is already recorded, and then leaves
	// the existing CA and its key untouched.
	CreateCA(ctx context.Context, ca CA, keyPEM []byte) error
	// CA returns the named CA, or an error wrapping ErrNotFound.
	CA(ctx context.Context, name string) (CA, error)
	// CAKey returns the PEM private key of the named CA.
	CAKey(ctx context.Context, name string) ([]byte, error)
	// CAs lists every CA by name, with its counts of certificates.
	CAs(ctx context.Context) ([]CASummary, error)
	// ReserveSerial claims serial for ca before anything is signed with it;
	// a serial already claimed gives ErrSerialTaken.
	ReserveSerial(ctx context.Context, ca string, serial *big.Int, at time.Time) error
	// RecordIssued stores the certificate signed with a reserved serial.
	RecordIssued(ctx context.Context, ca string, cert *x509.Certificate, at time.Time) error
	// Revoke marks an issued certificate revoked.
	Revoke(ctx context.Context, ca string, serial *big.Int, at time.Time) error
	// Issued lists recorded certificates (reservations without a certificate
	// are left out) in the order they were issued.
	Issued(ctx context.Context, f Filter) ([]Issued, error)
	// Close releases the database.
	Close() error
}

// CA is one local certificate authority.
type CA struct {
	Name      string
	KeyType   string // as keys.Type spells it, e.g. "rsa2048"
	Cert      *x509.Certificate
	CreatedAt time.Time
}

// CASummary is a CA with its counts of certificates.
type CASummary struct {
	CA
	Issued   int // certificates recorded
	Reserved int // serials reserved with no certificate recorded
}

// Issued is one certificate a CA signed.
type Issued struct {
	CA        string
	Serial    *big.Int
	SubjectCN string
	SANs      []string
	NotAfter  time.Time
	IssuedAt  time.Time
	RevokedAt time.Time // zero unless revoked
	CertDER   []byte
}

// Filter selects issued certificates; the zero Filter selects all.
type Filter struct {
	CA             string    // only this CA's certificates, when set
	NotAfterBefore time.Time // only certificates whose notAfter is before this, when set
}

// Status is the state of an issued certificate.
type Status string

// The statuses `ca issued` shows (spec plan.md, "The local CA").
const (
	StatusValid   Status = "valid"
	StatusExpired Status = "expired"
	StatusRevoked Status = "revoked"
)

// Status says whether the certificate is valid, expired or revoked at now.
// Revoked wins over expired; a certificate is valid through its notAfter.
func (i Issued) Status(now time.Time) Status {
	switch {
	case !i.RevokedAt.IsZero():
		return StatusRevoked
	case validity.Expired(i.NotAfter, now):
		return StatusExpired
	}
	return StatusValid
}

// SerialHex spells a serial the way the store keys it: serial.Hex, as
// openssl prints it.
func SerialHex(n *big.Int) string { return serial.Hex(n) }

// ParseSerialHex reads a serial written by SerialHex (any case).
func ParseSerialHex(s string) (*big.Int, error) { return serial.ParseHex(s) }
