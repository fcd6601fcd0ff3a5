package castore

import (
	"context"
	"crypto/x509"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/big"
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

// ReserveSerials implements BatchStore.
func (s *sqlStore) ReserveSerials(ctx context.Context, ca string, serials []*big.Int, at time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO issued (ca_name, serial, reserved_at) VALUES ($1, $2, $3)`)
		if err != nil {
			return fmt.Errorf("reserving serials for CA %s: %w", ca, err)
		}
		defer st.Close()
		for _, serial := range serials {
			_, err := st.ExecContext(ctx, ca, SerialHex(serial), at.Unix())
			switch {
			case err == nil:
			case s.isUnique(err):
				return fmt.Errorf("CA %s serial %s: %w", ca, SerialHex(serial), ErrSerialTaken)
			default:
				return fmt.Errorf("reserving serial %s for CA %s: %w", SerialHex(serial), ca, err)
			}
		}
		return nil
	})
}

// RecordIssuedAll implements BatchStore.
func (s *sqlStore) RecordIssuedAll(ctx context.Context, ca string, certs []*x509.Certificate, at time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `UPDATE issued SET subject_cn = $1, sans = $2, not_after = $3, issued_at = $4, cert_pem = $5
		WHERE ca_name = $6 AND serial = $7 AND cert_pem IS NULL`)
		if err != nil {
			return fmt.Errorf("recording certificates of CA %s: %w", ca, err)
		}
		defer st.Close()
		for _, cert := range certs {
			sans, err := json.Marshal(SANs(cert))
			if err != nil {
				return err
			}
			serial := SerialHex(cert.SerialNumber)
			res, err := st.ExecContext(ctx, cert.Subject.CommonName, string(sans), cert.NotAfter.Unix(), at.Unix(),
				string(certPEM(cert.Raw)), ca, serial)
			if err := oneRow(res, err, fmt.Sprintf("recording certificate %s of CA %s", serial, ca), ErrNotReserved); err != nil {
				return err
			}
		}
		return nil
	})
}
