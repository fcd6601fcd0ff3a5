package castore

import (
	"cmp"
	"context"
	"crypto/x509"
	"database/sql"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"
)

// BatchStore is a Store that makes many reservations, or many records, durable
// in one transaction: one commit (one fsync of the SQLite journal) for a whole
// batch of certificates instead of two per certificate. Either every entry of
// a call is stored or none is.
type BatchStore interface {
	Store
	// ReserveSerials claims every serial for ca in one transaction. When one
	// of them is already claimed it returns ErrSerialTaken and claims none.
	ReserveSerials(ctx context.Context, ca string, serials []*big.Int, at time.Time) error
	// RecordIssuedAll stores every certificate, each signed with a reserved
	// serial of ca, in one transaction; an unreserved serial gives
	// ErrNotReserved and records none.
	RecordIssuedAll(ctx context.Context, ca string, certs []*x509.Certificate, at time.Time) error
}

var _ BatchStore = (*sqlStore)(nil)

// Reservation is one serial claimed for a CA before anything is signed
// with it.
type Reservation struct {
	CA     string
	Serial *big.Int
	At     time.Time
}

// Batch is the durable writes of several issuances in flight at once (the
// CA service's group commit): serials to reserve and certificates to
// record with their requests and audit entries, each of any CA. CommitBatch
// stores all of it in one transaction, or none of it.
type Batch struct {
	Reserve []Reservation
	Record  []Issuance
}

// ReserveSerials implements BatchStore.
func (s *sqlStore) ReserveSerials(ctx context.Context, ca string, serials []*big.Int, at time.Time) error {
	rs := make([]Reservation, len(serials))
	for i, serial := range serials {
		rs[i] = Reservation{CA: ca, Serial: serial, At: at}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.reserveAll(ctx, tx, rs) })
}

// RecordIssuedAll implements BatchStore.
func (s *sqlStore) RecordIssuedAll(ctx context.Context, ca string, certs []*x509.Certificate, at time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, cert := range certs {
			if err := s.recordIssuance(ctx, tx, Issuance{CA: ca, Cert: cert, At: at}); err != nil {
				return err
			}
		}
		return nil
	})
}

// CommitBatch implements Service: the reservations first, then the records,
// in one transaction. A taken serial gives ErrSerialTaken, an unreserved one
// ErrNotReserved, a request no longer pending or approved ErrConflict; any
// error stores nothing of the batch.
func (s *sqlStore) CommitBatch(ctx context.Context, b Batch) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.reserveAll(ctx, tx, b.Reserve); err != nil {
			return err
		}
		for _, is := range b.Record {
			if err := s.recordIssuance(ctx, tx, is); err != nil {
				return err
			}
		}
		return nil
	})
}

// reserveAll claims every serial of rs in tx, in the order of CA and
// serial whatever the order of rs: two instances on one PostgreSQL database
// whose batches claim the same serials then wait for each other in the same
// order, and the second gets ErrSerialTaken instead of a deadlock (40P01)
// that would fail its whole batch with an error of the store.
func (s *sqlStore) reserveAll(ctx context.Context, tx *sql.Tx, rs []Reservation) error {
	if len(rs) == 0 {
		return nil
	}
	rs = slices.SortedFunc(slices.Values(rs), func(a, b Reservation) int {
		return cmp.Or(strings.Compare(a.CA, b.CA), a.Serial.Cmp(b.Serial))
	})
	st, err := tx.PrepareContext(ctx, `INSERT INTO issued (ca_name, serial, reserved_at) VALUES ($1, $2, $3)`)
	if err != nil {
		return fmt.Errorf("reserving serials: %w", err)
	}
	defer st.Close()
	for _, r := range rs {
		_, err := st.ExecContext(ctx, r.CA, SerialHex(r.Serial), r.At.Unix())
		switch {
		case err == nil:
		case s.isUnique(err):
			return fmt.Errorf("CA %s serial %s: %w", r.CA, SerialHex(r.Serial), ErrSerialTaken)
		default:
			return fmt.Errorf("reserving serial %s for CA %s: %w", SerialHex(r.Serial), r.CA, err)
		}
	}
	return nil
}
