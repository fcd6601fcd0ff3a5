package inputfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestReadRefusesWhatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	os.Symlink(fifo, filepath.Join(dir, "to-fifo"))
	os.Symlink("/dev/zero", filepath.Join(dir, "to-zero"))
	for _, path := range []string{fifo, filepath.Join(dir, "to-fifo"), "/dev/zero", filepath.Join(dir, "to-zero"), dir} {
		_, err := Read(path, MaxCertFile)
		if !errors.Is(err, ErrNotRegular) {
			t.Errorf("Read(%s) = %v, want ErrNotRegular", path, err)
		}
	}
}

func TestReadRefusesALargeFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.pem")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(300 << 20) // sparse: 300 MB that take no disk
	f.Close()
	_, err = Read(path, MaxCertFile)
	var tl *TooLargeError
	if !errors.As(err, &tl) || !strings.Contains(err.Error(), "4 MiB") {
		t.Fatalf("Read of 300 MB = %v, want a TooLargeError saying 4 MiB", err)
	}
}

func TestReadAndReadFrom(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.pem")
	os.WriteFile(path, []byte("hello"), 0o600)
	if got, err := Read(path, 5); err != nil || string(got) != "hello" {
		t.Errorf("Read = %q, %v", got, err)
	}
	if _, err := Read(path, 4); err == nil {
		t.Error("Read over the limit succeeded")
	}
	if got, err := ReadFrom(strings.NewReader("abc"), 3); err != nil || string(got) != "abc" {
		t.Errorf("ReadFrom = %q, %v", got, err)
	}
	var tl *TooLargeError
	if _, err := ReadFrom(strings.NewReader("abcd"), 3); !errors.As(err, &tl) {
		t.Errorf("ReadFrom over the limit = %v", err)
	}
	if _, err := Read(filepath.Join(t.TempDir(), "none"), 5); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Read of a missing file = %v", err)
	}
}
