package fileout

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestPrepareOnManyGoroutinesThenPlaceInOrder: files prepared at once on
// many goroutines are whole temporary files with their mode and nothing at
// their paths; each appears, whole, only when placed, in the order placed;
// a discarded one never appears and leaves no temporary file.
func TestPrepareOnManyGoroutinesThenPlaceInOrder(t *testing.T) {
	dir := t.TempDir()
	const n = 40
	files := make([]File, n)
	for i := range files {
		files[i] = File{Path: filepath.Join(dir, fmt.Sprintf("f%02d", i)), Data: []byte(fmt.Sprintf("file %d\n", i)), Private: i%2 == 0}
	}
	pending := make([]*Pending, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range files {
		wg.Go(func() { pending[i], errs[i] = Prepare(files[i]) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Prepare %s: %v", files[i].Path, err)
		}
		if pending[i].Path() != files[i].Path {
			t.Errorf("Path() = %s, want %s", pending[i].Path(), files[i].Path)
		}
		if _, err := os.Lstat(files[i].Path); err == nil {
			t.Errorf("%s is in place before Place", files[i].Path)
		}
		info, err := os.Stat(pending[i].tmp)
		if err != nil || info.Mode().Perm() != files[i].Mode() {
			t.Fatalf("temporary file of %s: %v, %v; want mode %v", files[i].Path, info, err, files[i].Mode())
		}
		if got, _ := os.ReadFile(pending[i].tmp); string(got) != string(files[i].Data) {
			t.Errorf("temporary file of %s holds %q", files[i].Path, got)
		}
	}
	var b Batch
	for i := range n - 1 {
		if err := b.Place(pending[i]); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(files[i].Path); string(got) != string(files[i].Data) {
			t.Errorf("%s after Place: %q", files[i].Path, got)
		}
		if _, err := os.Lstat(files[i+1].Path); err == nil {
			t.Errorf("%s in place before its turn", files[i+1].Path)
		}
	}
	pending[n-1].Discard()
	if _, err := os.Lstat(files[n-1].Path); err == nil {
		t.Errorf("%s in place after Discard", files[n-1].Path)
	}
	if len(b.dirs) != 1 || b.dirs[0] != dir {
		t.Errorf("directories to sync: %v, want [%s]", b.dirs, dir)
	}
	b.Sync()
	entries, _ := os.ReadDir(dir)
	if len(entries) != n-1 {
		t.Errorf("directory holds %d entries, want %d (no temporary file left)", len(entries), n-1)
	}
}

// TestPrepareAndPlaceErrorsNameTheFile: a file that cannot be prepared (its
// directory is missing) or placed (a non-empty directory stands at its
// path; another file appeared with NoReplace) gives an error naming it and
// leaves no temporary file.
func TestPrepareAndPlaceErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no", "x.crt")
	if _, err := Prepare(File{Path: missing, Data: []byte("x")}); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("Prepare in a missing directory = %v, want an error naming %s", err, missing)
	}
	blocked := filepath.Join(dir, "blocked.crt")
	if err := os.MkdirAll(filepath.Join(blocked, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	p, err := Prepare(File{Path: blocked, Data: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	var b Batch
	if err := b.Place(p); err == nil || !strings.Contains(err.Error(), blocked) {
		t.Errorf("Place over a directory = %v, want an error naming %s", err, blocked)
	}
	taken := filepath.Join(dir, "taken.key")
	p, err = Prepare(File{Path: taken, Data: []byte("mine"), Private: true, NoReplace: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(taken, []byte("theirs"), 0o600); err != nil {
		t.Fatal(err)
	}
	var exists *ExistsError
	if err := b.Place(p); !errors.As(err, &exists) || exists.Path != taken {
		t.Errorf("Place NoReplace over a file that appeared = %v, want an ExistsError for %s", err, taken)
	}
	if got, _ := os.ReadFile(taken); string(got) != "theirs" {
		t.Errorf("%s holds %q, want the other writer's", taken, got)
	}
	if len(b.dirs) != 0 {
		t.Errorf("directories to sync after failed places: %v", b.dirs)
	}
	if temps, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*")); len(temps) > 0 {
		t.Errorf("temporary files left: %v", temps)
	}
}
