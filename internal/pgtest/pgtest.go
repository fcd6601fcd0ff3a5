// Package pgtest gives tests a fresh PostgreSQL schema in a database of
// their own (confcert_serve_test) on the server CONFCERT_TEST_PG names, and
// skips them when it is not set. Imported only by _test.go files.
package pgtest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// Database is the database the CA service's tests work in.
const Database = "confcert_serve_test"

// URL returns a connection URL to a new schema (dropped when the test
// ends) in Database, or skips the test when CONFCERT_TEST_PG is not set.
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("CONFCERT_TEST_PG")
	if base == "" {
		t.Skip("PostgreSQL not tested: set CONFCERT_TEST_PG=postgres://user@host:port/db to run it")
	}
	dbURL := ensureDatabase(t, base)
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("CONFCERT_TEST_PG: %v", err)
	}
	t.Cleanup(func() {
		_, _ = db.Exec("DROP SCHEMA " + schema + " CASCADE")
		db.Close()
	})
	return withParam(t, dbURL, "search_path", schema)
}

// ensureDatabase creates Database when missing and returns its URL.
func ensureDatabase(t testing.TB, base string) string {
	t.Helper()
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = db.Exec("CREATE DATABASE " + Database)
	var pgErr *pgconn.PgError
	if err != nil && !(errors.As(err, &pgErr) && (pgErr.Code == "42P04" || pgErr.Code == "23505")) {
		t.Fatalf("CONFCERT_TEST_PG: creating database %s: %v", Database, err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + Database
	return u.String()
}

func withParam(t testing.TB, raw, key, value string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}
