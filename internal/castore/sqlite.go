package castore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteParams let several confcert processes share one database file: WAL
// journal (readers never block the writer), a 10 s busy timeout instead of an
// immediate "database is locked", write transactions that take the write lock
// when they begin (no deadlock on upgrade), and enforced foreign keys.
const sqliteParams = "_busy_timeout=10000&_journal_mode=WAL&_synchronous=FULL&_foreign_keys=1&_txlock=immediate"

// Open opens (creating when needed) the store in the confcert home dir: the
// SQLite database dir/confcert.db with the CA keys beside it. The directory
// is created with mode 0700: it holds private keys.
func Open(ctx context.Context, dir string) (Store, error) {
	s, err := openSQLiteFile(ctx, dir, filepath.Join(dir, DBFile))
	if err != nil {
		return nil, err
	}
	return s, nil
}

// openSQLiteFile opens the SQLite database at path, with CA key files in dir.
func openSQLiteFile(ctx context.Context, dir, path string) (*sqlStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating confcert home %s: %w", dir, err)
	}
	dsn := (&url.URL{Scheme: "file", OmitHost: true, Path: path, RawQuery: sqliteParams}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	if err := migrate(ctx, db, ""); err != nil {
		db.Close()
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	return &sqlStore{db: db, keys: keyDir(dir), isUnique: sqliteUnique}, nil
}

func sqliteUnique(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}
