package golden

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.golden")
	if err := os.WriteFile(path, []byte("one\ntwo\nthree\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		got  string
		diff string // "" = equal; else the line number and both lines
	}{
		{"equal", "one\ntwo\nthree\n", ""},
		{"second line differs", "one\nTWO\nthree\n", diff(2, "TWO\n", "two\n")},
		{"shorter", "one\ntwo\n", diff(3, "", "three\n")},
		{"longer", "one\ntwo\nthree\nfour\n", diff(4, "four\n", "")},
		{"no final newline", "one\ntwo\nthree", diff(3, "three", "three\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := check(path, []byte(tt.got), false)
			if tt.diff == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.diff) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err = %v, want one naming %s and containing %q", err, path, tt.diff)
			}
		})
	}
}

// diff is how check reports line n: what the test got, what the file holds.
func diff(n int, got, want string) string {
	return fmt.Sprintf("line %d:\n got: %q\nwant: %q", n, got, want)
}

func TestCheckRewrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.golden")
	if err := check(path, []byte("x\n"), false); !errors.Is(err, fs.ErrNotExist) ||
		!strings.Contains(err.Error(), "-update writes it") {
		t.Fatalf("missing golden file: err = %v", err)
	}
	if err := check(path, []byte("x\n"), true); err != nil {
		t.Fatalf("rewrite: %v", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "x\n" {
		t.Errorf("golden file holds %q after rewrite", data)
	}
	if err := check(path, []byte("y\n"), false); err == nil {
		t.Error("changed output compared equal after a rewrite")
	}
}
