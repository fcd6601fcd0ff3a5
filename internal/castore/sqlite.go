package castore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"

	"github.com/confcert/confcert/internal/dirlock"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteParams let several confcert processes share one database file: WAL
// journal (readers never block the writer), write transactions that take the
// write lock when they begin (no deadlock on upgrade), and enforced foreign
// keys. The busy timeout is added per use (busyWrite, busyRead).
const sqliteParams = "_journal_mode=WAL&_synchronous=FULL&_foreign_keys=1&_txlock=immediate"

// How long a connection waits for another process's lock before the store
// answers ErrBusy: writers wait for a signing to finish; readers (ca list,
// plan --check) only for a moment, and say the store is busy rather than
// seem to hang.
const (
	busyWrite = 10000 // ms
	busyRead  = 1000  // ms
)

// Open opens (creating when needed) the store in the confcert home dir: the
// SQLite database dir/confcert.db with the CA keys beside it. The home is
// created with mode 0700 and refused when it is not private (PrepareHome);
// the database is created with mode 0600.
func Open(ctx context.Context, dir string) (Store, error) {
	return openSQLiteFile(ctx, dir, filepath.Join(dir, DBFile))
}

// OpenExisting opens the store for reading: it creates nothing, waits for
// locks only briefly, and migrates the schema only when it is out of date.
// A home without a database gives an error wrapping fs.ErrNotExist.
func OpenExisting(ctx context.Context, dir string) (Store, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("opening confcert home: %w", err)
	}
	if err := CheckHome(dir); err != nil {
		return nil, err
	}
	return openExistingFile(ctx, dir, filepath.Join(dir, DBFile))
}

// openExistingFile is OpenExisting for the database at path, with CA key
// files in dir.
func openExistingFile(ctx context.Context, dir, path string) (*sqlStore, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	if err := checkRegular(path); err != nil {
		return nil, err
	}
	return openSQLiteDSN(ctx, dir, path, busyRead, true)
}

// openSQLiteFile opens (creating when needed, mode 0600) the SQLite database
// at path, with CA key files in dir, which must be private (PrepareHome).
func openSQLiteFile(ctx context.Context, dir, path string) (*sqlStore, error) {
	if err := PrepareHome(dir); err != nil {
		return nil, err
	}
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	return openSQLiteDSN(ctx, dir, path, busyWrite, false)
}

func openSQLiteDSN(ctx context.Context, dir, path string, busyMS int, readOnly bool) (*sqlStore, error) {
	query := fmt.Sprintf("%s&_busy_timeout=%d", sqliteParams, busyMS)
	dsn := (&url.URL{Scheme: "file", OmitHost: true, Path: path, RawQuery: query}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	err = prepareSchema(ctx, dir, db, readOnly)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	return &sqlStore{db: db, keys: keyDir(dir), isUnique: sqliteUnique, where: path}, nil
}

// prepareSchema brings the schema up to date. A reader whose schema is
// current needs no write; a reader that finds the store locked says so at
// once (ErrBusy, after the short busyRead wait) instead of retrying a
// migration it does not need for many seconds.
func prepareSchema(ctx context.Context, dir string, db *sql.DB, readOnly bool) error {
	if readOnly {
		ok, err := current(ctx, db)
		if ok || errors.Is(Cause(err), ErrBusy) {
			return err
		}
	}
	return migrateLocked(ctx, dir, db)
}

// migrateLocked migrates under the home's lock (the one CA creation takes),
// so processes opening a new home at once touch the new file one after the
// other: SQLite answers "busy" without waiting in some lock transitions of a
// new file (switching it to WAL, a reader asking to write), which retries
// alone did not always outlast on a loaded machine (TestTwoPlansOnOneDirectory
// saw it). Nobody holds the lock for long: CA creation takes it only around
// recording a key already made.
func migrateLocked(ctx context.Context, dir string, db *sql.DB) error {
	lock, err := dirlock.Acquire(ctx, dir, createWait)
	if err != nil {
		return fmt.Errorf("migrating schema: %w", err)
	}
	defer lock.Release()
	if ok, _ := current(ctx, db); ok {
		return nil
	}
	return migrate(ctx, db, dialectSQLite, "")
}

// current reports whether the schema is at the newest version, so a reader
// needs no write transaction.
func current(ctx context.Context, db *sql.DB) (bool, error) {
	var have int
	err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&have)
	return err == nil && have == len(migrations), err
}

// createPrivate makes an empty database file with mode 0600 when there is
// none (SQLite gives its journal files the database file's mode), and
// refuses a database path that is not a regular file.
func createPrivate(path string) error {
	if err := checkRegular(path); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("creating %s: %w", path, err)
	}
	return f.Close()
}

// checkRegular refuses a database that is a FIFO, a device or a directory:
// SQLite would block on it or fail obscurely.
func checkRegular(path string) error {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("opening %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file (%s)", path, fi.Mode().Type())
	}
	return nil
}

func sqliteUnique(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}
