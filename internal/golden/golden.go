// Package golden compares the output of a test with a golden file kept in
// the package's testdata; `go test -update` rewrites the golden files from
// the output instead, so the change shows up for review in the diff.
package golden

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"testing"
)

// update is the -update flag of every test binary that imports golden.
var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Compare fails t unless got equals the golden file at path. With -update it
// first writes got to path.
func Compare(t testing.TB, path string, got []byte) {
	t.Helper()
	if err := check(path, got, *update); err != nil {
		t.Error(err)
	}
}

// check writes got to path when rewrite is set, then compares got with the
// file and describes the first line that differs.
func check(path string, got []byte, rewrite bool) error {
	if rewrite {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			return fmt.Errorf("rewrite golden file: %w", err)
		}
	}
	want, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w (go test -update writes it)", err)
	}
	if err != nil {
		return err
	}
	if bytes.Equal(got, want) {
		return nil
	}
	line, g, w := firstDiff(got, want)
	return fmt.Errorf("%s differs (go test -update rewrites it); line %d:\n got: %q\nwant: %q", path, line, g, w)
}

// firstDiff returns the number of the first line where got and want differ
// and that line of each with its newline, so a missing final newline shows
// ("" past the end).
func firstDiff(got, want []byte) (int, string, string) {
	gl, wl := bytes.SplitAfter(got, []byte("\n")), bytes.SplitAfter(want, []byte("\n"))
	for i := 0; ; i++ {
		g, w := lineAt(gl, i), lineAt(wl, i)
		if g != w || i >= len(gl) || i >= len(wl) {
			return i + 1, g, w
		}
	}
}

func lineAt(lines [][]byte, i int) string {
	if i < len(lines) {
		return string(lines[i])
	}
	return ""
}
