package fileout

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestNoReplaceKeepsTheFileThatIsThere(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.crt")
	if err := os.WriteFile(path, []byte("first"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Write(File{Path: path, Data: []byte("second"), NoReplace: true})
	var exists *ExistsError
	if !errors.As(err, &exists) || exists.Path != path {
		t.Fatalf("Write NoReplace over an existing file = %v, want an ExistsError", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "first" {
		t.Errorf("file now holds %q, want the first writer's content", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("directory holds %d entries, want 1 (the temporary file removed)", len(entries))
	}
}

func TestNoReplaceWritesANewFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.key")
	if err := Write(File{Path: path, Data: []byte("k"), Private: true, NoReplace: true}); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("stat %s: %v, mode %v", path, err, st.Mode().Perm())
	}
}

func TestInstallRefusesAnExistingTarget(t *testing.T) {
	dir := t.TempDir()
	from, to := filepath.Join(dir, "staged"), filepath.Join(dir, "ca.key")
	os.WriteFile(from, []byte("new"), 0o600)
	os.WriteFile(to, []byte("old"), 0o600)
	var exists *ExistsError
	if err := Install(from, to); !errors.As(err, &exists) {
		t.Fatalf("Install over an existing key = %v, want an ExistsError", err)
	}
	if got, _ := os.ReadFile(to); string(got) != "old" {
		t.Errorf("the existing key was replaced: %q", got)
	}
	if _, err := os.Stat(from); err != nil {
		t.Errorf("the staged file is gone: %v", err)
	}
}
