package castore

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// AppendAudit implements Service.
func (s *sqlStore) AppendAudit(ctx context.Context, e AuditEntry) error {
	_, err := s.db.ExecContext(ctx, auditInsert, e.ID, e.At.UnixMicro(), e.Actor, e.Action, e.Object, e.Detail, e.Remote)
	if err != nil {
		return fmt.Errorf("writing the audit log: %w", err)
	}
	return nil
}

const auditInsert = `INSERT INTO audit (id, at_us, actor, action, object, detail, remote) VALUES ($1, $2, $3, $4, $5, $6, $7)`

// appendAudit adds entries inside a transaction.
func appendAudit(ctx context.Context, tx *sql.Tx, es []AuditEntry) error {
	for _, e := range es {
		if _, err := tx.ExecContext(ctx, auditInsert, e.ID, e.At.UnixMicro(), e.Actor, e.Action, e.Object, e.Detail, e.Remote); err != nil {
			return fmt.Errorf("writing the audit log: %w", err)
		}
	}
	return nil
}

// Audit implements Service.
func (s *sqlStore) Audit(ctx context.Context, limit int) ([]AuditEntry, error) {
	query := `SELECT id, at_us, actor, action, object, detail, remote FROM audit ORDER BY at_us, id`
	var args []any
	if limit > 0 {
		query += ` LIMIT $1`
		args = append(args, limit)
	}
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("reading the audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Object, &e.Detail, &e.Remote); err != nil {
			return nil, fmt.Errorf("reading the audit log: %w", err)
		}
		e.At = time.UnixMicro(at).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// PutProfile implements Service: the row is replaced in one transaction.
func (s *sqlStore) PutProfile(ctx context.Context, p StoredProfile) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM profiles WHERE name = $1`, p.Name); err != nil {
			return fmt.Errorf("replacing profile %s: %w", p.Name, err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO profiles (name, body, updated_by, updated_at) VALUES ($1, $2, $3, $4)`,
			p.Name, p.Body, p.UpdatedBy, p.UpdatedAt.Unix())
		if err != nil {
			return fmt.Errorf("storing profile %s: %w", p.Name, err)
		}
		return nil
	})
}

// Profiles implements Service.
func (s *sqlStore) Profiles(ctx context.Context) ([]StoredProfile, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, body, updated_by, updated_at FROM profiles ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("listing profiles: %w", err)
	}
	defer rows.Close()
	var out []StoredProfile
	for rows.Next() {
		var p StoredProfile
		var at int64
		if err := rows.Scan(&p.Name, &p.Body, &p.UpdatedBy, &at); err != nil {
			return nil, fmt.Errorf("listing profiles: %w", err)
		}
		p.UpdatedAt = time.Unix(at, 0).UTC()
		out = append(out, p)
	}
	return out, rows.Err()
}

// auditAppendOnly is version 5: the database itself refuses to change or
// delete an audit entry, so that a hand-made UPDATE or DELETE (a CA manager
// covering their tracks with the sqlite3 or psql shell) fails too, not only
// the store's interface, which never offered one (spec serve.md, "an
// append-only audit log"). Triggers are said differently in the two
// dialects. Dropping a trigger is still possible for whoever owns the
// database: this guards against edits, not against the database's owner.
func auditAppendOnly() Migration {
	const refuse = `the audit log is append-only: its entries are never changed or deleted`
	return Migration{Version: 5, Name: "audit log: the database refuses UPDATE and DELETE",
		SQLite: []string{
			`CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, '` + refuse + `'); END`,
			`CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, '` + refuse + `'); END`,
		},
		Postgres: []string{
			`CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '` + refuse + `'; END $$`,
			`CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only()`,
			`CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()`,
		}}
}
