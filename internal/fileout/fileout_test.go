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
