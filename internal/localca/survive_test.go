package localca

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/keys"
)

// A CA's key survives every way the database can be lost: creating the CA
// again (as `ca create` or `plan` would on a fresh database) is refused with
// an UnrecordedError, and the key file keeps its bytes.
func TestCAKeySurvivesLosingTheDatabase(t *testing.T) {
	losses := []struct {
		name string
		lose func(t *testing.T, dir string)
	}{
		{"database removed", func(t *testing.T, dir string) { removeDB(t, dir) }},
		{"database emptied to 0 bytes", func(t *testing.T, dir string) {
			removeDB(t, dir)
			if err := os.WriteFile(filepath.Join(dir, castore.DBFile), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"database replaced by a fresh store", func(t *testing.T, dir string) {
			removeDB(t, dir)
			openStore(t, dir).Close()
		}},
		{"CA row deleted", func(t *testing.T, dir string) { deleteRows(t, dir) }},
		{"home moved: only the key and certificate copied", func(t *testing.T, dir string) {
			removeDB(t, dir)
			os.Remove(filepath.Join(dir, "podca.crt"))
		}},
	}
	for _, tt := range losses {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openStore(t, dir)
			ensure(t, s, "podca")
			s.Close()
			keyPath := filepath.Join(dir, "podca.key")
			before, err := os.ReadFile(keyPath)
			if err != nil {
				t.Fatal(err)
			}
			tt.lose(t, dir)
			_, created, err := EnsureCA(context.Background(), openStore(t, dir), "podca", keys.ECDSAP256, t0)
			var unrecorded *castore.UnrecordedError
			if !errors.As(err, &unrecorded) || created {
				t.Fatalf("EnsureCA after the loss = created %v, %v; want an UnrecordedError", created, err)
			}
			if castore.Cause(err) != castore.ErrUnrecorded {
				t.Errorf("Cause = %v, want ErrUnrecorded", castore.Cause(err))
			}
			after, err := os.ReadFile(keyPath)
			if err != nil || !bytes.Equal(before, after) {
				t.Fatalf("the CA key changed or vanished (%v)", err)
			}
		})
	}
}

// A corrupt database is refused for what it is, and the key is untouched.
func TestCorruptDatabaseKeepsTheKey(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	ensure(t, s, "podca")
	s.Close()
	removeDB(t, dir)
	junk := bytes.Repeat([]byte("not a database "), 400)
	if err := os.WriteFile(filepath.Join(dir, castore.DBFile), junk, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := castore.Open(context.Background(), dir)
	if castore.Cause(err) != castore.ErrCorrupt {
		t.Fatalf("Open of a corrupt database = %v (cause %v), want ErrCorrupt", err, castore.Cause(err))
	}
	if _, err := os.Stat(filepath.Join(dir, "podca.key")); err != nil {
		t.Fatal(err)
	}
}

// A key staged by a creation that crashed before its rename is the CA's
// only key when the database is lost afterwards: it blocks a new CA too.
func TestStagedKeyWithoutRecordBlocksCreation(t *testing.T) {
	dir := t.TempDir()
	staged := filepath.Join(dir, ".podca.key.staged-0A")
	if err := os.WriteFile(staged, []byte("key"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := EnsureCA(context.Background(), openStore(t, dir), "podca", keys.ECDSAP256, t0)
	var unrecorded *castore.UnrecordedError
	if !errors.As(err, &unrecorded) || len(unrecorded.Files) != 1 || unrecorded.Files[0] != staged {
		t.Fatalf("EnsureCA = %v, want an UnrecordedError naming %s", err, staged)
	}
}

func removeDB(t *testing.T, dir string) {
	t.Helper()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(filepath.Join(dir, castore.DBFile+suffix)); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
}

func deleteRows(t *testing.T, dir string) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, castore.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, stmt := range []string{`DELETE FROM issued`, `DELETE FROM cas`} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
}

// Two homes that each create "podca" make CAs whose subjects differ: the
// name, the organisation, and a suffix from the key.
func TestSubjectsOfTwoHomesDiffer(t *testing.T) {
	a := ensure(t, openStore(t, t.TempDir()), "podca")
	b := ensure(t, openStore(t, t.TempDir()), "podca")
	for _, ca := range []*CA{a, b} {
		s := ca.Cert.Subject
		if len(s.Organization) != 1 || s.Organization[0] != Organization || !regexp.MustCompile(`^podca [0-9A-F]{8}$`).MatchString(s.CommonName) {
			t.Errorf("subject %q, want CN \"podca XXXXXXXX\", O=%s", s, Organization)
		}
	}
	if a.Cert.Subject.String() == b.Cert.Subject.String() {
		t.Errorf("both homes' CAs are %q", a.Cert.Subject)
	}
}
