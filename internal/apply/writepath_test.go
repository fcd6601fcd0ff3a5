package apply

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/dirlock"
	"github.com/confcert/confcert/internal/plan"
)

// TestInstallNoteChangedAfterTheComparisonIsWritten: the install notes are
// compared with the files on disk while the certificates are made, long
// before they are written; a note edited, deleted or replaced after that
// comparison (by an editor saving in place or by rename, or by hand) is
// still written as planned, as when the comparison came last, and one left
// alone is not rewritten.
func TestInstallNoteChangedAfterTheComparisonIsWritten(t *testing.T) {
	e := newEnv(t)
	n := 8
	e.run(withNotes(manyCerts(n)))
	old := time.Unix(1_000_000_000, 0) // an edit now is seen, however coarse the clock of file times
	for i := range n {
		if err := os.Chtimes(e.path(fmt.Sprintf("install/n%04d.txt", i)), old, old); err != nil {
			t.Fatal(err)
		}
	}
	r, err := newRun(context.Background(), withNotes(manyCerts(n)), e.options(e.now))
	if err != nil {
		t.Fatal(err)
	}
	notes := r.prepareInstall()() // compared: every note is as planned
	for i, same := range notes.same {
		if !same {
			t.Fatalf("install/n%04d.txt differs from its note before any change", i)
		}
	}
	before := e.mtimes()
	edit := map[string]func(path string) error{
		"install/n0001.txt": func(p string) error { return os.WriteFile(p, []byte("edited in place\n"), 0o644) },
		"install/n0002.txt": os.Remove,
		"install/n0004.txt": func(p string) error { // an editor saving by rename
			if err := os.WriteFile(p+".new", []byte("saved by rename\n"), 0o644); err != nil {
				return err
			}
			return os.Rename(p+".new", p)
		},
		"install/n0006.txt": func(p string) error { // same size, other bytes
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(p, []byte(strings.ToUpper(string(data))), 0o644)
		},
	}
	for name, f := range edit {
		if err := f(e.path(name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.writeInstall(notes); err != nil {
		t.Fatal(err)
	}
	r.derived.Sync()
	for i, in := range r.p.Install {
		data, err := os.ReadFile(e.path(in.File))
		if err != nil || string(data) != InstallText(in) {
			t.Errorf("%s after the run: %v\n%s\nwant the planned note", in.File, err, data)
		}
		_, edited := edit[in.File]
		info, err := os.Stat(e.path(in.File))
		if err == nil && !edited && !info.ModTime().Equal(before[e.path(in.File)]) {
			t.Errorf("install/n%04d.txt, unchanged, was rewritten", i)
		}
	}
	var written []string
	for _, c := range r.res.Changes {
		written = append(written, c.Name+" "+c.Why)
	}
	want := "install/n0001.txt content changed,install/n0002.txt ,install/n0004.txt content changed,install/n0006.txt content changed"
	if got := strings.Join(written, ","); got != want {
		t.Errorf("changes %q, want %q", got, want)
	}
}

// TestInstallNoteEditedDuringTheRunIsWritten: a whole run, during which
// (once the first batch is signed) an install note is edited and another
// deleted, ends with every note as planned and --check clean.
func TestInstallNoteEditedDuringTheRunIsWritten(t *testing.T) {
	e := newEnv(t)
	n := 40
	e.run(withNotes(manyCerts(n)))
	for i := range n {
		if err := os.Remove(e.path(fmt.Sprintf("n%04d.crt", i))); err != nil {
			t.Fatal(err)
		}
	}
	edit := func() {
		if err := os.WriteFile(e.path("install/n0003.txt"), []byte("edited by hand\n"), 0o644); err != nil {
			t.Error(err)
		}
		if err := os.Remove(e.path("install/n0012.txt")); err != nil {
			t.Error(err)
		}
	}
	o := e.options(e.now)
	o.CAs = afterSignCAs{Authorities: o.CAs, after: sync.OnceFunc(edit)}
	if _, err := Run(context.Background(), withNotes(manyCerts(n)), o); err != nil {
		t.Fatal(err)
	}
	p := withNotes(manyCerts(n))
	for _, in := range p.Install {
		if data, err := os.ReadFile(e.path(in.File)); err != nil || string(data) != InstallText(in) {
			t.Errorf("%s after the run: %v\n%s", in.File, err, data)
		}
	}
	if probs := e.check(p, e.now); len(probs) != 0 {
		t.Errorf("--check after the run: %+v", probs)
	}
}

// TestPrepareFailureInTheMiddleOfABatch: one file of a batch (of the
// first batch, or of a later one) cannot even be made ready (its directory
// vanished once the first batch was signed), while the files around it,
// made ready at the same time on other goroutines, can. The run fails naming that file; every file before it in
// plan order is in place, none after it; no temporary file is left
// anywhere, nor a goroutine; the next run (the directory back) completes.
func TestPrepareFailureInTheMiddleOfABatch(t *testing.T) {
	for _, tc := range []struct{ n, bad int }{{10, 5}, {minBatch + 1, 5}, {2*minBatch + 6, 40}} {
		n, bad := tc.n, tc.bad
		name := fmt.Sprintf("n%04d.crt", bad)
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			e := newEnv(t)
			p := func() *plan.Plan {
				p := manyCerts(n)
				p.Certificates[bad].Files.Cert = "sub/" + name
				return p
			}
			if err := os.Mkdir(e.path("sub"), 0o755); err != nil {
				t.Fatal(err)
			}
			vanish := func() {
				if err := os.Remove(e.path("sub")); err != nil {
					t.Error(err)
				}
			}
			leaks := goleak.IgnoreCurrent()
			o := e.options(e.now)
			o.CAs = afterSignCAs{Authorities: o.CAs, after: sync.OnceFunc(vanish)}
			_, err := Run(context.Background(), p(), o)
			if err == nil || !strings.Contains(err.Error(), "writing "+e.path("sub/"+name)) {
				t.Fatalf("Run = %v, want the error of writing sub/%s", err, name)
			}
			goleak.VerifyNone(t, leaks)
			for i := range n {
				for _, ext := range []string{".key", ".csr", ".crt"} {
					name := fmt.Sprintf("n%04d%s", i, ext)
					_, err := os.Stat(e.path(name))
					want := i < bad || i == bad && ext != ".crt"
					if written := err == nil; written != want {
						t.Errorf("%s written %v, want %v", name, written, want)
					}
				}
			}
			assertNoTemps(t, e.dir)
			if err := os.Mkdir(e.path("sub"), 0o755); err != nil {
				t.Fatal(err)
			}
			e.run(p())
			if err := os.Rename(e.path("sub/"+name), e.path(name)); err != nil {
				t.Fatal(err)
			}
			e.checkAll(t, n)
		})
	}
}

// assertNoTemps fails when a temporary file of fileout is anywhere under dir.
func assertNoTemps(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", p)
		}
		return nil
	})
}

// TestBatchEdgesEveryCertificateOnce: plans of 1, 31, 32, 33, 257 and 1,000
// certificates (the edges of batchSize), carried out from nothing, then
// again (but the largest, to keep the test short) with every certificate
// and every third key deleted (the batches then form as the missing keys
// are made): each time every certificate is
// on disk for its own key, reported once, signed once (the store holds as
// many records as certificates were written), and no temporary file is
// left.
func TestBatchEdgesEveryCertificateOnce(t *testing.T) {
	for _, n := range []int{1, minBatch - 1, minBatch, minBatch + 1, maxBatch + 1, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			e := newEnv(t)
			passes := 2
			if n == 1000 {
				passes = 1
			}
			for pass := 1; pass <= passes; pass++ {
				res := e.run(manyCerts(n))
				e.checkAll(t, n)
				reported := map[string]int{}
				for _, c := range res.Changes {
					reported[c.Name]++
				}
				for i := range n {
					if name := fmt.Sprintf("n%04d", i); reported[name] != 1 {
						t.Errorf("pass %d: %s reported %d times", pass, name, reported[name])
					}
				}
				issued, err := e.store.Issued(context.Background(), castore.Filter{CA: "podca"})
				if err != nil {
					t.Fatal(err)
				}
				if len(issued) != pass*n {
					t.Errorf("pass %d: the store records %d certificates, want %d", pass, len(issued), pass*n)
				}
				assertNoTemps(t, e.dir)
				for i := range n {
					if err := os.Remove(e.path(fmt.Sprintf("n%04d.crt", i))); err != nil {
						t.Fatal(err)
					}
					if i%3 == 1 {
						if err := os.Remove(e.path(fmt.Sprintf("n%04d.key", i))); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
		})
	}
}

// TestPlantedSymlinksAreReplacedNotFollowed: symlinks planted in the output
// directory at the names of a certificate, a key (both dangling, into
// another directory), an install note and plan.json (both to files
// elsewhere) are replaced by the run's own files, one named like a
// temporary file is removed; nothing is written through them, and --check
// is clean after the run.
func TestPlantedSymlinksAreReplacedNotFollowed(t *testing.T) {
	e := newEnv(t)
	n := 40
	e.run(withNotes(manyCerts(n)))
	outside := t.TempDir()
	for _, f := range []string{"n0005.crt", "n0006.crt", "n0006.key", "n0006.csr"} {
		if err := os.Remove(e.path(f)); err != nil {
			t.Fatal(err)
		}
	}
	held := map[string]string{"note.txt": "not an install note\n", "plan.json": "{}\n"}
	for name, data := range held {
		if err := os.WriteFile(filepath.Join(outside, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"n0005.crt":         "victim.crt", // dangling
		"n0006.key":         "victim.key", // dangling
		"install/n0007.txt": "note.txt",
		"plan.json":         "plan.json",
		".n0008.crt.tmp-1":  "note.txt", // named like a killed run's temporary file: removed, not followed
	}
	for name, target := range links {
		if err := os.Remove(e.path(name)); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(outside, target), e.path(name)); err != nil {
			t.Fatal(err)
		}
	}
	e.run(withNotes(manyCerts(n)))
	for name := range links {
		if strings.Contains(name, ".tmp-") {
			continue // assertNoTemps
		}
		if info, err := os.Lstat(e.path(name)); err != nil || !info.Mode().IsRegular() {
			t.Errorf("%s after the run: %v, %v; want a regular file", name, info, err)
		}
	}
	entries, _ := os.ReadDir(outside)
	if len(entries) != len(held) {
		t.Errorf("the run wrote into the directory the links point to: %v", entries)
	}
	for name, data := range held {
		if got, _ := os.ReadFile(filepath.Join(outside, name)); string(got) != data {
			t.Errorf("%s, a link's target, now holds %q", name, got)
		}
	}
	if info, err := os.Stat(e.path("n0006.key")); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("n0006.key: %v, %v; want mode 0600", info, err)
	}
	e.checkAll(t, n)
	if probs := e.check(withNotes(manyCerts(n)), e.now); len(probs) != 0 {
		t.Errorf("--check after the run: %+v", probs)
	}
	assertNoTemps(t, e.dir)
}

// TestCtrlCWhileInstallNotesAreCompared: Ctrl-C while the keys are made and
// the install notes compared in the background (500 of them, every one
// edited, so each is read whole): the run stops with context.Canceled,
// waits for the comparison (no goroutine left), writes no file at all (no
// note, no key, no plan.json); the next run completes, --check clean.
func TestCtrlCWhileInstallNotesAreCompared(t *testing.T) {
	e := newEnv(t)
	n := 500
	if err := os.MkdirAll(e.path("install"), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := os.WriteFile(e.path(fmt.Sprintf("install/n%04d.txt", i)), []byte("edited\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before := e.mtimes()
	leaks := goleak.IgnoreCurrent()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := e.options(e.now)
	o.CAs = cancellingCAs{Authorities: o.CAs, cancel: cancel}
	_, err := Run(ctx, withNotes(manyCerts(n)), o)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want an error wrapping context.Canceled", err)
	}
	goleak.VerifyNone(t, leaks)
	after := e.mtimes()
	for p, m := range after {
		if was, ok := before[p]; (!ok || !was.Equal(m)) && filepath.Base(p) != dirlock.FileName {
			t.Errorf("%s written by a cancelled run", p)
		}
	}
	assertNoTemps(t, e.dir)
	p := withNotes(manyCerts(n))
	e.run(p)
	if probs := e.check(p, e.now); len(probs) != 0 {
		t.Errorf("--check after the next run: %d problems, e.g. %+v", len(probs), probs[0])
	}
}
