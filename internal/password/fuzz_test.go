package password

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzPasswordFile reads password files (issue 11 item 12): the password is
// the first line, never holds a newline, and the file read from disk
// gives the same answer as the bytes.
func FuzzPasswordFile(f *testing.F) {
	for _, s := range []string{"s3cret\n", "s3cret\r\n", "no newline", "\n", "", "two\nlines\n", "\xff\x00\r\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pw := firstLine(data)
		if bytes.Contains(pw, []byte("\n")) {
			t.Fatalf("firstLine(%q) = %q", data, pw)
		}
		if !bytes.HasPrefix(data, pw) {
			t.Fatalf("firstLine(%q) = %q is not a prefix", data, pw)
		}
		path := filepath.Join(t.TempDir(), "pw")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := fromFile(path)
		if err != nil || !bytes.Equal(got, pw) {
			t.Fatalf("fromFile = %q, %v; want %q", got, err, pw)
		}
	})
}
