package castore

import (
	"context"
	"crypto/x509"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// CreateRequest implements Service.
func (s *sqlStore) CreateRequest(ctx context.Context, r Request) error {
	sans, err := json.Marshal(nonNil(r.SANs))
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO requests (id, profile, ca_name, status, csr_pem, subject_cn, sans, days,
		comment, findings, requested_by, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		r.ID, r.Profile, r.CA, r.Status, r.CSRPEM, r.SubjectCN, string(sans), r.Days, r.Comment, r.Findings,
		r.RequestedBy, r.RequestedAt.Unix())
	if s.isUnique(err) {
		return fmt.Errorf("request %s: %w", r.ID, ErrExists)
	}
	if err != nil {
		return fmt.Errorf("recording request %s: %w", r.ID, err)
	}
	return nil
}

const requestColumns = `id, profile, ca_name, status, csr_pem, subject_cn, sans, days, comment, findings,
	requested_by, requested_at, decided_by, decided_at, reason, serial`

// Request implements Service.
func (s *sqlStore) Request(ctx context.Context, id string) (Request, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+requestColumns+` FROM requests WHERE id = $1`, id)
	r, err := scanRequest(row.Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return Request{}, fmt.Errorf("request %s: %w", id, ErrNotFound)
	}
	return r, err
}

// Requests implements Service.
func (s *sqlStore) Requests(ctx context.Context, f RequestFilter) ([]Request, error) {
	query := `SELECT ` + requestColumns + ` FROM requests WHERE 1 = 1`
	var args []any
	if f.Status != "" {
		args = append(args, f.Status)
		query += fmt.Sprintf(" AND status = $%d", len(args))
	}
	if f.RequestedBy != "" {
		args = append(args, f.RequestedBy)
		query += fmt.Sprintf(" AND requested_by = $%d", len(args))
	}
	rows, err := s.db.QueryContext(ctx, query+" ORDER BY requested_at, id", args...)
	if err != nil {
		return nil, fmt.Errorf("listing requests: %w", err)
	}
	defer rows.Close()
	var out []Request
	for rows.Next() {
		r, err := scanRequest(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DecideRequest implements Service.
func (s *sqlStore) DecideRequest(ctx context.Context, id, from string, d Decision) error {
	res, err := s.db.ExecContext(ctx, `UPDATE requests SET status = $1, decided_by = $2, decided_at = $3, reason = $4
		WHERE id = $5 AND status = $6`, d.Status, d.By, d.At.Unix(), d.Reason, id, from)
	return oneRow(res, err, "deciding request "+id, ErrConflict)
}

// RecordIssuedFor implements Service: the certificate row and the request's
// new status are one transaction, so a crash leaves both or neither.
func (s *sqlStore) RecordIssuedFor(ctx context.Context, ca string, cert *x509.Certificate, at time.Time, requestID string) error {
	sans, err := json.Marshal(SANs(cert))
	if err != nil {
		return err
	}
	serial := SerialHex(cert.SerialNumber)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE issued SET subject_cn = $1, sans = $2, not_after = $3, issued_at = $4,
			cert_pem = $5, request_id = $6 WHERE ca_name = $7 AND serial = $8 AND cert_pem IS NULL`,
			cert.Subject.CommonName, string(sans), cert.NotAfter.Unix(), at.Unix(), string(certPEM(cert.Raw)), requestID, ca, serial)
		if err := oneRow(res, err, fmt.Sprintf("recording certificate %s of CA %s", serial, ca), ErrNotReserved); err != nil {
			return err
		}
		res, err = tx.ExecContext(ctx, `UPDATE requests SET status = 'issued', serial = $1 WHERE id = $2 AND status IN ('pending', 'approved')`,
			serial, requestID)
		return oneRow(res, err, "marking request "+requestID+" issued", ErrConflict)
	})
}

func scanRequest(scan func(dest ...any) error) (Request, error) {
	var r Request
	var sans string
	var requested int64
	var decidedBy, reason, serial sql.NullString
	var decided sql.NullInt64
	if err := scan(&r.ID, &r.Profile, &r.CA, &r.Status, &r.CSRPEM, &r.SubjectCN, &sans, &r.Days, &r.Comment, &r.Findings,
		&r.RequestedBy, &requested, &decidedBy, &decided, &reason, &serial); err != nil {
		return Request{}, err
	}
	if err := json.Unmarshal([]byte(sans), &r.SANs); err != nil {
		return Request{}, fmt.Errorf("request %s: SANs: %w", r.ID, err)
	}
	r.RequestedAt = time.Unix(requested, 0).UTC()
	r.DecidedBy, r.Reason, r.Serial = decidedBy.String, reason.String, serial.String
	if decided.Valid {
		r.DecidedAt = time.Unix(decided.Int64, 0).UTC()
	}
	return r, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
