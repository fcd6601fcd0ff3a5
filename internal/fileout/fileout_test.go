package fileout

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteAllModesAndContent(t *testing.T) {
	dir := t.TempDir()
	files := []File{
		{Path: filepath.Join(dir, "a.key"), Data: []byte("secret"), Private: true},
		{Path: filepath.Join(dir, "a.crt"), Data: []byte("public")},
	}
	if err := WriteAll(files, false); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		mode os.FileMode
		data string
	}{{"a.key", 0o600, "secret"}, {"a.crt", 0o644, "public"}} {
		st, err := os.Stat(filepath.Join(dir, tc.name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != tc.mode {
			t.Errorf("%s: mode %v, want %v", tc.name, st.Mode().Perm(), tc.mode)
		}
		got, _ := os.ReadFile(filepath.Join(dir, tc.name))
		if string(got) != tc.data {
			t.Errorf("%s: content %q, want %q", tc.name, got, tc.data)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("directory holds %d entries, want 2 (no temporary files left)", len(entries))
	}
}

func TestWriteAllRefusesBeforeCreatingAnything(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "b.crt")
	if err := os.WriteFile(existing, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	files := []File{
		{Path: filepath.Join(dir, "b.key"), Data: []byte("k"), Private: true},
		{Path: existing, Data: []byte("new")},
	}
	err := WriteAll(files, false)
	var ee *ExistsError
	if !errors.As(err, &ee) || ee.Path != existing {
		t.Fatalf("err = %v, want ExistsError for %s", err, existing)
	}
	if _, err := os.Stat(filepath.Join(dir, "b.key")); !os.IsNotExist(err) {
		t.Errorf("b.key was created although the write was refused")
	}
	if got, _ := os.ReadFile(existing); string(got) != "old" {
		t.Errorf("existing file changed to %q", got)
	}
	if err := WriteAll(files, true); err != nil {
		t.Fatalf("forced write: %v", err)
	}
	if got, _ := os.ReadFile(existing); string(got) != "new" {
		t.Errorf("forced write left %q", got)
	}
}

func TestWriteFailsInMissingDirectory(t *testing.T) {
	err := Write(File{Path: filepath.Join(t.TempDir(), "no", "such", "x.crt"), Data: []byte("x")})
	if err == nil {
		t.Fatal("write into a missing directory succeeded")
	}
}

// TestBatchWritesEachFileWhole: a Batch places every file at once (whole,
// with its mode, no temporary file left) and Sync forgets the directories.
func TestBatchWritesEachFileWhole(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "install")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	files := []File{
		{Path: filepath.Join(dir, "a.key"), Data: []byte("key\n"), Private: true},
		{Path: filepath.Join(dir, "a.crt"), Data: []byte("cert\n")},
		{Path: filepath.Join(sub, "notes.txt"), Data: []byte("notes\n")},
	}
	var b Batch
	for _, f := range files {
		if err := b.Write(f); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(f.Path)
		if err != nil || string(got) != string(f.Data) {
			t.Errorf("%s right after Write: %q, %v", f.Path, got, err)
		}
		if info, err := os.Stat(f.Path); err != nil || info.Mode().Perm() != f.Mode() {
			t.Errorf("%s: mode %v, %v; want %v", f.Path, info.Mode().Perm(), err, f.Mode())
		}
	}
	if len(b.dirs) != 2 {
		t.Errorf("directories to sync: %v, want 2", b.dirs)
	}
	b.Sync()
	if len(b.dirs) != 0 {
		t.Errorf("directories left after Sync: %v", b.dirs)
	}
	for _, d := range []string{dir, sub} {
		if temps, _ := filepath.Glob(filepath.Join(d, ".*.tmp-*")); len(temps) > 0 {
			t.Errorf("temporary files left: %v", temps)
		}
	}
}
