package castore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// pgMigrationLock serialises schema migrations between processes sharing one
// PostgreSQL database; the lock is released when the transaction ends. The
// number is arbitrary and fixed ("confcert" in ASCII, truncated).
const pgMigrationLock = `SELECT pg_advisory_xact_lock(6515481807893348)`

// pgMaxConns bounds the connections one store opens; callers beyond it
// wait for one (within their context). PostgreSQL refuses connections past
// its max_connections (100 by default) for every client together, and a
// burst of requests on `confcert serve` (up to --max-issuing, 1,024 by
// default, issued at once, and reads without a bound) would otherwise open
// one each and fail with 500. 16 keeps six instances within the default;
// the committer needs one, each request one at a time.
const pgMaxConns = 16

// OpenPostgres opens the store in the PostgreSQL database named by url
// (e.g. "postgres://confcert@db.example.com/confcert"), running the same SQL
// as the SQLite store. CA keys stay files in dir (mode 0600), which must
// be private to this machine's administrators.
func OpenPostgres(ctx context.Context, url, dir string) (Store, error) {
	if err := PrepareHome(dir); err != nil {
		return nil, err
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("opening PostgreSQL store: %w", err)
	}
	db.SetMaxOpenConns(pgMaxConns)
	db.SetMaxIdleConns(pgMaxConns)
	if err := migrate(ctx, db, dialectPostgres, pgMigrationLock); err != nil {
		db.Close()
		return nil, fmt.Errorf("opening PostgreSQL store: %w", err)
	}
	return &sqlStore{db: db, keys: keyDir(dir), isUnique: pgUnique, where: "the PostgreSQL store"}, nil
}

// pgUnique recognises unique_violation (SQLSTATE 23505).
func pgUnique(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}
