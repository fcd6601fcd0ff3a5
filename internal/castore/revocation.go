package castore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"time"
)

const recordQuery = `SELECT i.ca_name, i.serial, i.subject_cn, i.sans, i.not_after, i.issued_at, i.revoked_at, i.cert_pem,
	i.revocation_reason, i.request_id, r.requested_by
	FROM issued i LEFT JOIN requests r ON r.id = i.request_id WHERE i.cert_pem IS NOT NULL`

// Certificate implements Service.
func (s *sqlStore) Certificate(ctx context.Context, ca string, serial *big.Int) (Record, error) {
	rows, err := s.db.QueryContext(ctx, recordQuery+` AND i.ca_name = $1 AND i.serial = $2`, ca, SerialHex(serial))
	if err != nil {
		return Record{}, fmt.Errorf("reading certificate %s: %w", SerialHex(serial), err)
	}
	recs, err := scanRecords(rows)
	if err != nil {
		return Record{}, err
	}
	if len(recs) == 0 {
		return Record{}, fmt.Errorf("certificate %s of CA %s: %w", SerialHex(serial), ca, ErrNotFound)
	}
	return recs[0], nil
}

// Certificates implements Service.
func (s *sqlStore) Certificates(ctx context.Context, f CertFilter) ([]Record, error) {
	query := recordQuery
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		query += fmt.Sprintf(cond, len(args))
	}
	if f.CA != "" {
		add(" AND i.ca_name = $%d", f.CA)
	}
	if !f.NotAfterBefore.IsZero() {
		add(" AND i.not_after < $%d", f.NotAfterBefore.Unix())
	}
	if f.RequestedBy != "" {
		add(" AND r.requested_by = $%d", f.RequestedBy)
	}
	rows, err := s.db.QueryContext(ctx, query+" ORDER BY i.issued_at, i.ca_name, i.serial", args...)
	if err != nil {
		return nil, fmt.Errorf("listing certificates: %w", err)
	}
	return scanRecords(rows)
}

// Revoked implements Service.
func (s *sqlStore) Revoked(ctx context.Context, ca string) ([]Record, error) {
	rows, err := s.db.QueryContext(ctx, recordQuery+` AND i.ca_name = $1 AND i.revoked_at IS NOT NULL ORDER BY i.serial`, ca)
	if err != nil {
		return nil, fmt.Errorf("listing revoked certificates of CA %s: %w", ca, err)
	}
	return scanRecords(rows)
}

// RevokeReason implements Service.
func (s *sqlStore) RevokeReason(ctx context.Context, ca string, serial *big.Int, at time.Time, reason int) error {
	res, err := s.db.ExecContext(ctx, `UPDATE issued SET revoked_at = $1, revocation_reason = $2
		WHERE ca_name = $3 AND serial = $4 AND cert_pem IS NOT NULL AND revoked_at IS NULL`,
		at.Unix(), reason, ca, SerialHex(serial))
	return oneRow(res, err, fmt.Sprintf("revoking certificate %s of CA %s", SerialHex(serial), ca), ErrNotFound)
}

func scanRecords(rows *sql.Rows) ([]Record, error) {
	defer rows.Close()
	var out []Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func scanRecord(rows *sql.Rows) (Record, error) {
	var r Record
	var serial, sans, text string
	var notAfter, issuedAt int64
	var revoked, reason sql.NullInt64
	var reqID, by sql.NullString
	if err := rows.Scan(&r.CA, &serial, &r.SubjectCN, &sans, &notAfter, &issuedAt, &revoked, &text,
		&reason, &reqID, &by); err != nil {
		return Record{}, fmt.Errorf("reading issued certificate: %w", err)
	}
	var err error
	if r.Serial, err = ParseSerialHex(serial); err != nil {
		return Record{}, fmt.Errorf("CA %s: %w", r.CA, err)
	}
	if err := json.Unmarshal([]byte(sans), &r.SANs); err != nil {
		return Record{}, fmt.Errorf("CA %s serial %s: SANs: %w", r.CA, serial, err)
	}
	if r.CertDER, err = certDER(text); err != nil {
		return Record{}, fmt.Errorf("CA %s serial %s: %w", r.CA, serial, err)
	}
	r.NotAfter, r.IssuedAt = time.Unix(notAfter, 0).UTC(), time.Unix(issuedAt, 0).UTC()
	if revoked.Valid {
		r.RevokedAt = time.Unix(revoked.Int64, 0).UTC()
	}
	r.Reason, r.RequestID, r.RequestedBy = int(reason.Int64), reqID.String, by.String
	return r, nil
}

// SaveCRL implements Service: a CRL replaces the stored one only when its
// number is higher, so instances racing to refresh never step back. No
// transaction: a failed INSERT would abort one on PostgreSQL.
func (s *sqlStore) SaveCRL(ctx context.Context, c CRL) error {
	der := base64.StdEncoding.EncodeToString(c.DER)
	update := func() (bool, error) {
		res, err := s.db.ExecContext(ctx, `UPDATE crls SET number = $1, this_update = $2, der = $3 WHERE ca_name = $4 AND number < $5`,
			c.Number.Int64(), c.ThisUpdate.Unix(), der, c.CA, c.Number.Int64())
		if err != nil {
			return false, fmt.Errorf("storing the CRL of CA %s: %w", c.CA, err)
		}
		n, err := res.RowsAffected()
		return n == 1, err
	}
	if done, err := update(); done || err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO crls (ca_name, number, this_update, der) VALUES ($1, $2, $3, $4)`,
		c.CA, c.Number.Int64(), c.ThisUpdate.Unix(), der)
	if s.isUnique(err) {
		_, err = update() // a row appeared meanwhile: replace it only if older
	}
	if err != nil {
		return fmt.Errorf("storing the CRL of CA %s: %w", c.CA, err)
	}
	return nil
}

// LatestCRL implements Service.
func (s *sqlStore) LatestCRL(ctx context.Context, ca string) (CRL, error) {
	var number, this int64
	var der string
	err := s.db.QueryRowContext(ctx, `SELECT number, this_update, der FROM crls WHERE ca_name = $1`, ca).Scan(&number, &this, &der)
	if errors.Is(err, sql.ErrNoRows) {
		return CRL{}, fmt.Errorf("CRL of CA %s: %w", ca, ErrNotFound)
	}
	if err != nil {
		return CRL{}, fmt.Errorf("reading the CRL of CA %s: %w", ca, err)
	}
	raw, err := base64.StdEncoding.DecodeString(der)
	if err != nil {
		return CRL{}, fmt.Errorf("CRL of CA %s: %w", ca, err)
	}
	return CRL{CA: ca, Number: big.NewInt(number), ThisUpdate: time.Unix(this, 0).UTC(), DER: raw}, nil
}
