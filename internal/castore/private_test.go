package castore

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"database/sql"
)

func TestHomeAndDatabaseAreCreatedPrivate(t *testing.T) {
	home := filepath.Join(t.TempDir(), "new", "confcert")
	s, err := Open(context.Background(), home)
	if err != nil {
		t.Fatal(err)
	}
	mustCreateCA(t, s, "podca") // writes, so the WAL files exist
	defer s.Close()
	want := map[string]fs.FileMode{".": 0o700, DBFile: 0o600, DBFile + "-wal": 0o600, "podca.key": 0o600}
	for name, mode := range want {
		fi, err := os.Stat(filepath.Join(home, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != mode {
			t.Errorf("%s: mode %04o, want %04o", name, fi.Mode().Perm(), mode)
		}
	}
}

func TestHomeThatOthersCanWriteIsRefused(t *testing.T) {
	for _, mode := range []fs.FileMode{0o770, 0o707, 0o777} {
		home := t.TempDir()
		if err := os.Chmod(home, mode); err != nil {
			t.Fatal(err)
		}
		_, err := Open(context.Background(), home)
		if !errors.Is(err, ErrHomeNotPrivate) {
			t.Errorf("mode %04o: Open = %v, want ErrHomeNotPrivate", mode, err)
		}
		if _, err := os.Stat(filepath.Join(home, DBFile)); err == nil {
			t.Errorf("mode %04o: a database was created in a refused home", mode)
		}
	}
}

func TestHomeHoldingAnotherUsersFileIsRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("giving a file to another user needs root")
	}
	home := t.TempDir()
	planted := filepath.Join(home, "podca.key")
	if err := os.WriteFile(planted, []byte("k"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(planted, 12345, 12345); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), home)
	if !errors.Is(err, ErrHomeNotPrivate) || Cause(err) != ErrHomeNotPrivate {
		t.Fatalf("Open = %v, want ErrHomeNotPrivate naming %s", err, planted)
	}
}

func TestDatabaseThatIsNotAFileIsRefused(t *testing.T) {
	home := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(home, DBFile), 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	for name, open := range map[string]func(context.Context, string) (Store, error){"Open": Open, "OpenExisting": OpenExisting} {
		if s, err := open(context.Background(), home); err == nil {
			s.Close()
			t.Errorf("%s opened a FIFO as the database", name)
		}
	}
}

func TestOpenExistingCreatesNothing(t *testing.T) {
	home := filepath.Join(t.TempDir(), "none")
	if _, err := OpenExisting(context.Background(), home); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("OpenExisting of a missing home = %v, want fs.ErrNotExist", err)
	}
	if _, err := os.Stat(home); err == nil {
		t.Fatal("OpenExisting created the home")
	}
}

// A reader meets a database another process holds exclusively: it gives up
// after its short busy timeout with ErrBusy instead of waiting like a writer.
func TestReaderOfALockedStoreSaysBusy(t *testing.T) {
	home := t.TempDir()
	s, err := Open(context.Background(), home)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	holder, err := sql.Open("sqlite", filepath.Join(home, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	holder.SetMaxOpenConns(1)
	for _, stmt := range []string{`PRAGMA locking_mode=EXCLUSIVE`, `BEGIN EXCLUSIVE`, `INSERT INTO schema_version (version) VALUES (99)`} {
		if _, err := holder.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	go func() {
		r, err := OpenExisting(context.Background(), home)
		if err == nil {
			_, err = r.CAs(context.Background())
			r.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if Cause(err) != ErrBusy {
			t.Fatalf("reading a locked store = %v (cause %v), want ErrBusy", err, Cause(err))
		}
	case <-time.After(time.Minute):
		t.Fatal("reader still waiting after a minute")
	}
}

func TestCauseOfOperatingSystemErrors(t *testing.T) {
	tests := []struct {
		err  error
		want error
	}{
		{&fs.PathError{Op: "write", Path: "confcert.db", Err: syscall.ENOSPC}, ErrFull},
		{&fs.PathError{Op: "open", Path: "confcert.db", Err: syscall.EACCES}, ErrDenied},
		{errors.New("something else"), nil},
		{nil, nil},
	}
	for _, tt := range tests {
		if got := Cause(tt.err); got != tt.want {
			t.Errorf("Cause(%v) = %v, want %v", tt.err, got, tt.want)
		}
		if tt.want != nil && Hint(tt.err, "/h") == "" {
			t.Errorf("Hint(%v) is empty", tt.err)
		}
	}
}
