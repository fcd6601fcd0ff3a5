package apply

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/dirlock"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/localca"
)

// A directory planned from one confcert home, planned again from another
// (a second administrator, sudo, a new laptop), is refused before anything
// is written, naming the CA found; the files keep their bytes.
func TestAnotherHomeIsNotAnotherCA(t *testing.T) {
	first := newEnv(t)
	first.run(testPlan())
	before, err := os.ReadFile(filepath.Join(first.dir, "cms1a.crt"))
	if err != nil {
		t.Fatal(err)
	}
	for name, second := range map[string]*env{"a home without the CA": newEnv(t), "a home with another podca": newEnv(t)} {
		t.Run(name, func(t *testing.T) {
			second.dir = first.dir
			if strings.Contains(name, "another") {
				if _, _, err := localca.EnsureCA(context.Background(), second.store, "podca", keys.ECDSAP256, testNow); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Run(context.Background(), testPlan(), second.options(testNow))
			var foreign *ForeignCAError
			if !errors.As(err, &foreign) || foreign.CA != "podca" || !strings.Contains(foreign.Found, "podca") {
				t.Fatalf("Run from another home = %v, want a ForeignCAError naming podca", err)
			}
			after, _ := os.ReadFile(filepath.Join(first.dir, "cms1a.crt"))
			if !bytes.Equal(before, after) {
				t.Error("cms1a.crt was rewritten")
			}
		})
	}
	// --renew accepts the new CA for that certificate (the others still refuse).
	other := newEnv(t)
	other.dir = first.dir
	_, err = Run(context.Background(), testPlan(), func() Options {
		o := other.options(testNow)
		o.Renew = []string{"cms1a", "cms1b", "cms1a-wb3c2w", "dbserver", "dbclient"}
		return o
	}())
	if err != nil {
		t.Fatalf("Run with --renew of every locally signed certificate: %v", err)
	}
}

// An existing CA whose key type differs from the plan's ca_key wins, and a
// warning says so.
func TestExistingCAKeyTypeWinsWithAWarning(t *testing.T) {
	e := newEnv(t)
	if _, _, err := localca.EnsureCA(context.Background(), e.store, "podca", keys.ECDSAP384, testNow); err != nil {
		t.Fatal(err)
	}
	res := e.run(testPlan())
	found := false
	for _, w := range res.Warnings {
		if strings.Contains(w, "local CA podca already exists with a ecdsa-p384 key; the plan's ca_key ecdsa-p256 is not used: the existing CA keeps signing") {
			found = true
		}
	}
	if !found {
		t.Errorf("warnings %q, want one saying the existing ecdsa-p384 CA wins", res.Warnings)
	}
}

// A planted "install -> ../elsewhere" is never written through.
func TestSymlinkedDirectoryIsNotFollowed(t *testing.T) {
	e := newEnv(t)
	elsewhere := t.TempDir()
	if err := os.Symlink(elsewhere, filepath.Join(e.dir, "install")); err != nil {
		t.Fatal(err)
	}
	_, err := Run(context.Background(), testPlan(), e.options(testNow))
	if !errors.Is(err, ErrSymlinkedDir) {
		t.Fatalf("Run = %v, want ErrSymlinkedDir", err)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Errorf("%d files were written through the link", len(entries))
	}
}

// Files planted in the output directory that would block or exhaust memory
// (a FIFO, a link to /dev/zero, a 300 MB file) are refused, naming them.
func TestPlantedFilesAreRefused(t *testing.T) {
	plants := map[string]func(string) error{
		"a FIFO":         func(p string) error { return syscall.Mkfifo(p, 0o600) },
		"a link to zero": func(p string) error { return os.Symlink("/dev/zero", p) },
		"a 300 MB file": func(p string) error {
			f, err := os.Create(p)
			if err != nil {
				return err
			}
			defer f.Close()
			return f.Truncate(300 << 20)
		},
	}
	for what, plant := range plants {
		for _, file := range []string{"cms1a.key", "cms1a.crt", "podca-bundle.crt"} {
			t.Run(what+" as "+file, func(t *testing.T) {
				e := newEnv(t)
				if err := plant(filepath.Join(e.dir, file)); err != nil {
					t.Skip(err)
				}
				done := make(chan error, 1)
				go func() {
					_, err := Run(context.Background(), testPlan(), e.options(testNow))
					done <- err
				}()
				select {
				case err := <-done:
					if file == "podca-bundle.crt" {
						return // an unreadable bundle is rebuilt: the run must only finish
					}
					if err == nil || !strings.Contains(err.Error(), file) {
						t.Fatalf("Run = %v, want an error naming %s", err, file)
					}
				case <-time.After(time.Minute):
					t.Fatal("Run still blocked after a minute")
				}
			})
		}
	}
}

// A second plan on a busy directory waits at most its bound, then says so.
func TestBusyOutputDirectory(t *testing.T) {
	e := newEnv(t)
	held, err := dirlock.Acquire(context.Background(), e.dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	o := e.options(testNow)
	o.LockWait = 200 * time.Millisecond
	_, err = Run(context.Background(), testPlan(), o)
	var busy *dirlock.BusyError
	if !errors.As(err, &busy) {
		t.Fatalf("Run on a locked directory = %v, want a BusyError", err)
	}
}
