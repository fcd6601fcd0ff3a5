package castore

import (
	"errors"
	"io/fs"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/confcert/confcert/internal/dirlock"
)

// The true causes of a store that cannot be used, as Cause names them.
var (
	ErrCorrupt = errors.New("the database is damaged or is not a confcert database")
	ErrBusy    = errors.New("the store is in use by another confcert process")
	ErrFull    = errors.New("the disk holding the store is full")
	ErrDenied  = errors.New("permission denied")
)

// Cause names why a store operation failed when the reason is one a user can
// act on: ErrCorrupt, ErrBusy, ErrFull, ErrDenied, ErrHomeNotPrivate or
// ErrUnrecorded. Other errors give nil.
func Cause(err error) error {
	var unrecorded *UnrecordedError
	var busy *dirlock.BusyError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &unrecorded):
		return ErrUnrecorded
	case errors.Is(err, ErrHomeNotPrivate):
		return ErrHomeNotPrivate
	case errors.As(err, &busy):
		return ErrBusy
	}
	if c := sqliteCause(err); c != nil {
		return c
	}
	if c := pgCause(err); c != nil {
		return c
	}
	return osCause(err)
}

func sqliteCause(err error) error {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return nil
	}
	switch e.Code() & 0xff {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return ErrCorrupt
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return ErrBusy
	case sqlite3.SQLITE_FULL:
		return ErrFull
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_AUTH:
		return ErrDenied
	}
	return nil
}

// pgCause reads SQLSTATE classes: 53 insufficient resources (disk full),
// 55P03 lock not available, 42501 insufficient privilege, XX001/XX002 data
// corrupted.
func pgCause(err error) error {
	var e *pgconn.PgError
	if !errors.As(err, &e) {
		return nil
	}
	switch {
	case e.Code == "53100":
		return ErrFull
	case e.Code == "55P03" || e.Code == "40P01":
		return ErrBusy
	case e.Code == "42501":
		return ErrDenied
	case e.Code == "XX001" || e.Code == "XX002":
		return ErrCorrupt
	}
	return nil
}

func osCause(err error) error {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return ErrDenied
	case errors.Is(err, syscall.ENOSPC):
		return ErrFull
	}
	return nil
}

// Hint says what to do about a store error, given the home it is in; ""
// when Cause finds nothing to advise.
func Hint(err error, home string) string {
	switch Cause(err) {
	case ErrUnrecorded:
		return "restore " + home + "/" + DBFile + " from a backup to keep this CA and its history; or move the CA's files out of " +
			home + " (keep them: what the CA signed still chains to them) to start a new CA of that name"
	case ErrHomeNotPrivate:
		return "make the home yours alone: chown -R $(id -un) " + home + " && chmod 700 " + home +
			", or set CONFCERT_HOME to a private directory"
	case ErrCorrupt:
		return "restore " + home + "/" + DBFile + " from a backup; the CA keys beside it are untouched"
	case ErrBusy:
		return "another confcert process is using the store: run again when it has finished"
	case ErrFull:
		return "free some space on the disk that holds " + home + " and run again; nothing was recorded"
	case ErrDenied:
		return "check the owner and permissions of " + home + " and the files in it"
	}
	return ""
}
