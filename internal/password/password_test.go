package password

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGetSources(t *testing.T) {
	dir := t.TempDir()
	crlf := filepath.Join(dir, "pw-crlf")
	os.WriteFile(crlf, []byte("s3cret\r\nignored\r\n"), 0o600)
	plain := filepath.Join(dir, "pw")
	os.WriteFile(plain, []byte("filepw"), 0o600)
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == EnvVar {
				return v
			}
			return ""
		}
	}
	tests := []struct {
		name    string
		src     Source
		want    string
		wantErr error
	}{
		{"file wins over env", Source{File: plain, Getenv: env("envpw")}, "filepw", nil},
		{"first line of a CRLF file", Source{File: crlf}, "s3cret", nil},
		{"environment", Source{Getenv: env("envpw"), Stdin: strings.NewReader("")}, "envpw", nil},
		{"nothing available", Source{Getenv: env(""), Stdin: strings.NewReader("typed\n")}, "", ErrNoPassword},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.src.Get("test")
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if string(got) != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFuncAsksOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(path, []byte("one"), 0o600)
	f := Source{File: path}.Func("x")
	first, _ := f()
	os.WriteFile(path, []byte("two"), 0o600)
	second, _ := f()
	if string(first) != "one" || string(second) != "one" {
		t.Errorf("got %q then %q, want the first answer remembered", first, second)
	}
}

func TestMissingFileIsAnError(t *testing.T) {
	if _, err := (Source{File: filepath.Join(t.TempDir(), "none")}).Get("x"); err == nil {
		t.Fatal("missing password file gave no error")
	}
}
