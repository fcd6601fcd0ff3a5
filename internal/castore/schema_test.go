package castore

import (
	"context"
	"database/sql"
	"errors"
	"math/big"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestReopenKeepsRecords(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openSQLite(t, dir)
	mustCreateCA(t, s, "podca")
	s.Close()
	again := openSQLite(t, dir)
	if _, err := again.CA(ctx, "podca"); err != nil {
		t.Fatalf("CA after reopening: %v", err)
	}
	db := rawDB(t, dir)
	var n, v int
	if err := db.QueryRow(`SELECT COUNT(*), MAX(version) FROM schema_version`).Scan(&n, &v); err != nil {
		t.Fatal(err)
	}
	if n != len(migrations) || v != len(migrations) {
		t.Errorf("schema_version has %d rows up to %d, want %d", n, v, len(migrations))
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	dir := t.TempDir()
	openSQLite(t, dir).Close()
	db := rawDB(t, dir)
	if _, err := db.Exec(`INSERT INTO schema_version (version) VALUES (999)`); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), dir)
	if err == nil || !strings.Contains(err.Error(), "newer than this confcert") {
		t.Fatalf("Open of a newer schema = %v", err)
	}
}

func rawDB(t *testing.T, dir string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Several stores on one database file stand for several confcert processes:
// each serial is reserved exactly once however the writers interleave.
func TestSharedDatabaseReservesEachSerialOnce(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	mustCreateCA(t, openSQLite(t, dir), "podca")
	const writers, serials = 4, 25
	var mu sync.Mutex
	won := map[int64]int{}
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		s := openSQLite(t, dir)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := int64(1); n <= serials; n++ {
				err := s.ReserveSerial(ctx, "podca", big.NewInt(n), t0)
				if err != nil && !errors.Is(err, ErrSerialTaken) {
					t.Error(err)
					return
				}
				if err == nil {
					mu.Lock()
					won[n]++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	for n := int64(1); n <= serials; n++ {
		if won[n] != 1 {
			t.Errorf("serial %d reserved %d times, want once", n, won[n])
		}
	}
}

func TestMigrationsInOrder(t *testing.T) {
	if err := checkMigrations(migrations); err != nil {
		t.Fatal(err)
	}
	bad := []Migration{baseSchema(), {Version: 3, Name: "gap", SQL: []string{"SELECT 1"}}}
	if err := checkMigrations(bad); err == nil {
		t.Error("a gap in versions was accepted")
	}
	if err := checkMigrations([]Migration{{Version: 1, Name: "empty"}}); err == nil {
		t.Error("a step without SQL was accepted")
	}
	if err := checkMigrations([]Migration{{Version: 1, Name: "sqlite only", SQLite: []string{"SELECT 1"}}}); err == nil {
		t.Error("a step with SQLite statements and none for PostgreSQL was accepted")
	}
}

// A database at version 1 (what confcert wrote before the CA service) is
// brought to the newest version on open, keeping its records.
func TestUpgradeFromVersionOne(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := rawDB(t, dir)
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`CREATE TABLE schema_version (version INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range baseSchema().SQL {
		if _, err := tx.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tx.Exec(`INSERT INTO schema_version (version) VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	s := openSQLite(t, dir)
	mustCreateCA(t, s, "oldca")
	var v int
	if err := db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_version`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	if v != len(migrations) {
		t.Errorf("schema version after open = %d, want %d", v, len(migrations))
	}
	if _, err := db.ExecContext(ctx, `SELECT revocation_reason, request_id FROM issued`); err != nil {
		t.Errorf("version 3 columns missing: %v", err)
	}
}
