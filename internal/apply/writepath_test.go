package apply

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

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

// TestPrepareFailureInTheMiddleOfABatch: one file of a batch cannot even
// be made ready (its directory vanished once the certificates were
// signed), while the files around it, made ready at the same time on other
// goroutines, can. The run fails naming that file; every file before it in
// plan order is in place, none after it; no temporary file is left
// anywhere, nor a goroutine; the next run (the directory back) completes.
func TestPrepareFailureInTheMiddleOfABatch(t *testing.T) {
	for _, n := range []int{10, minBatch + 1} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			e := newEnv(t)
			p := func() *plan.Plan {
				p := manyCerts(n)
				p.Certificates[5].Files.Cert = "sub/n0005.crt"
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
			if err == nil || !strings.Contains(err.Error(), "writing "+e.path("sub/n0005.crt")) {
				t.Fatalf("Run = %v, want the error of writing sub/n0005.crt", err)
			}
			goleak.VerifyNone(t, leaks)
			for i := range n {
				for _, ext := range []string{".key", ".csr", ".crt"} {
					name := fmt.Sprintf("n%04d%s", i, ext)
					_, err := os.Stat(e.path(name))
					want := i < 5 || i == 5 && ext != ".crt"
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
			if err := os.Rename(e.path("sub/n0005.crt"), e.path("n0005.crt")); err != nil {
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
