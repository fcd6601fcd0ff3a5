package castore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// CreateRequest implements Service: the request and its audit entries are
// one transaction (one commit).
func (s *sqlStore) CreateRequest(ctx context.Context, r Request, audit ...AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := insertRequest(ctx, tx, r, s.isUnique); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
}

func insertRequest(ctx context.Context, tx *sql.Tx, r Request, isUnique func(error) bool) error {
	sans, err := json.Marshal(nonNil(r.SANs))
	if err != nil {
		return err
	}
	var serial any
	if r.Serial != "" {
		serial = r.Serial
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO requests (id, profile, ca_name, status, csr_pem, subject_cn, sans, days,
		comment, findings, requested_by, requested_at, serial) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		r.ID, r.Profile, r.CA, r.Status, r.CSRPEM, r.SubjectCN, string(sans), r.Days, r.Comment, r.Findings,
		r.RequestedBy, r.RequestedAt.Unix(), serial)
	if isUnique(err) {
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

// DecideRequest implements Service: the decision and its audit entries are
// one transaction.
func (s *sqlStore) DecideRequest(ctx context.Context, id, from string, d Decision, audit ...AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE requests SET status = $1, decided_by = $2, decided_at = $3, reason = $4
			WHERE id = $5 AND status = $6`, d.Status, d.By, d.At.Unix(), d.Reason, id, from)
		if err := oneRow(res, err, "deciding request "+id, ErrConflict); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
}

// RecordIssuance implements Service: the certificate, its request (a new
// one inserted already issued, or an existing one marked issued) and the
// audit entries are one transaction, so a crash leaves all or none.
func (s *sqlStore) RecordIssuance(ctx context.Context, is Issuance) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.recordIssuance(ctx, tx, is) })
}

// recordIssuance writes one issuance in tx: RecordIssuance, RecordIssuedAll
// and CommitBatch share it.
func (s *sqlStore) recordIssuance(ctx context.Context, tx *sql.Tx, is Issuance) error {
	sans, err := json.Marshal(SANs(is.Cert))
	if err != nil {
		return err
	}
	serial := SerialHex(is.Cert.SerialNumber)
	reqID := is.RequestID
	if is.NewRequest != nil {
		reqID = is.NewRequest.ID
		if err := insertRequest(ctx, tx, *is.NewRequest, s.isUnique); err != nil {
			return err
		}
	}
	res, err := tx.ExecContext(ctx, `UPDATE issued SET subject_cn = $1, sans = $2, not_after = $3, issued_at = $4,
		cert_pem = $5, request_id = $6 WHERE ca_name = $7 AND serial = $8 AND cert_pem IS NULL`,
		is.Cert.Subject.CommonName, string(sans), is.Cert.NotAfter.Unix(), is.At.Unix(), string(certPEM(is.Cert.Raw)),
		nullable(reqID), is.CA, serial)
	if err := oneRow(res, err, fmt.Sprintf("recording certificate %s of CA %s", serial, is.CA), ErrNotReserved); err != nil {
		return err
	}
	if is.RequestID != "" {
		res, err = tx.ExecContext(ctx, `UPDATE requests SET status = 'issued', serial = $1 WHERE id = $2 AND status IN ('pending', 'approved')`,
			serial, is.RequestID)
		if err := oneRow(res, err, "marking request "+is.RequestID+" issued", ErrConflict); err != nil {
			return err
		}
	}
	return appendAudit(ctx, tx, is.Audit)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
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
