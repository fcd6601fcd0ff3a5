package castore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// baseSchema is version 1: the CAs and what they issued (spec plan.md, "The
// local CA"). The SQL is the common subset of SQLite and PostgreSQL: TEXT,
// INTEGER and BIGINT columns only (certificates as PEM text, SANs as a JSON
// array, times as Unix seconds), so both backends run it unchanged.
func baseSchema() Migration {
	return Migration{Version: 1, Name: "CAs and issued certificates", SQL: []string{
		`CREATE TABLE cas (
			name       TEXT NOT NULL PRIMARY KEY,
			key_type   TEXT NOT NULL,
			subject_cn TEXT NOT NULL,
			serial     TEXT NOT NULL,
			not_after  BIGINT NOT NULL,
			created_at BIGINT NOT NULL,
			cert_pem   TEXT NOT NULL
		)`,
		// A row is a reserved serial until cert_pem is set: the primary key is
		// the uniqueness constraint that makes a reservation exclusive.
		`CREATE TABLE issued (
			ca_name     TEXT NOT NULL REFERENCES cas (name),
			serial      TEXT NOT NULL,
			reserved_at BIGINT NOT NULL,
			subject_cn  TEXT,
			sans        TEXT,
			not_after   BIGINT,
			issued_at   BIGINT,
			revoked_at  BIGINT,
			cert_pem    TEXT,
			PRIMARY KEY (ca_name, serial)
		)`,
		`CREATE INDEX issued_not_after ON issued (not_after)`,
	}}
}

// migrate brings the schema to the newest version inside one transaction.
// lock, when set, is a statement run first that serialises migrations between
// processes (SQLite needs none: its write transactions already exclude).
func migrate(ctx context.Context, db *sql.DB, d dialect, lock string) error {
	var err error
	for wait := 50 * time.Millisecond; ; wait *= 2 {
		err = migrateOnce(ctx, db, d, lock)
		if err == nil || !errors.Is(Cause(err), ErrBusy) || wait > 2*time.Second {
			return err
		}
		// Processes opening a new database at once can meet SQLite's lock
		// transitions that return "busy" without waiting (switching a new
		// file to WAL, a shared lock asking to write): the transaction was
		// rolled back whole, so it is tried again.
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

func migrateOnce(ctx context.Context, db *sql.DB, d dialect, lock string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrating schema: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if lock != "" {
		if _, err := tx.ExecContext(ctx, lock); err != nil {
			return fmt.Errorf("locking schema: %w", err)
		}
	}
	if err := applyMissing(ctx, tx, d); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrating schema: %w", err)
	}
	return nil
}

func applyMissing(ctx context.Context, tx *sql.Tx, d dialect) error {
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("creating schema_version: %w", err)
	}
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&have); err != nil {
		return fmt.Errorf("reading schema_version: %w", err)
	}
	if have > len(migrations) {
		return fmt.Errorf("database schema version %d is newer than this confcert knows (%d): upgrade confcert", have, len(migrations))
	}
	for v := have + 1; v <= len(migrations); v++ {
		for _, stmt := range migrations[v-1].statements(d) {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("applying schema version %d (%s): %w", v, migrations[v-1].Name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES ($1)`, v); err != nil {
			return fmt.Errorf("recording schema version %d: %w", v, err)
		}
	}
	return nil
}
