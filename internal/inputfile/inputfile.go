// Package inputfile reads the files a user names, and the files confcert
// finds in its directories, without ever blocking or growing without bound:
// only regular files (a FIFO, a device such as /dev/zero, a socket or a
// directory is refused, also behind a symlink), and at most a size limit.
package inputfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// MaxCertFile bounds certificate, key, CSR, PKCS#7 and PKCS#12 files: the
// largest real ones (a system trust store of ~150 roots, a .p7b with a long
// chain) are a few hundred KiB.
const MaxCertFile = 4 << 20

// TooLargeError says a file is over its size limit.
type TooLargeError struct {
	Limit int64
}

// Error implements error.
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("larger than %s: not a file confcert reads", size(e.Limit))
}

// ErrNotRegular says the path is not a regular file.
var ErrNotRegular = errors.New("not a regular file")

// Read returns the content of the regular file at path, refusing anything
// else and any file over limit bytes. Errors name no path: callers add it.
func Read(path string, limit int64) ([]byte, error) {
	f, err := openNonBlocking(path)
	if err != nil {
		return nil, unwrapPath(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, unwrapPath(err)
	}
	if err := Check(fi, limit); err != nil {
		return nil, err
	}
	return readAtMost(f, limit)
}

// Check refuses what Read refuses, from a FileInfo (of the file itself, not
// of a symlink to it).
func Check(fi fs.FileInfo, limit int64) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%w (%s)", ErrNotRegular, kind(fi.Mode()))
	}
	if fi.Size() > limit {
		return &TooLargeError{Limit: limit}
	}
	return nil
}

// ReadFrom reads r (standard input) up to limit bytes; more is refused.
func ReadFrom(r io.Reader, limit int64) ([]byte, error) {
	return readAtMost(r, limit)
}

// readAtMost reads at most limit bytes: a file that grows while it is read
// is refused too.
func readAtMost(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, unwrapPath(err)
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Limit: limit}
	}
	return data, nil
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return m.Type().String()
}

func size(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// MaxStreamFile bounds a file read in a stream, a batch at a time (inspect
// of a PEM file of certificates only): memory no longer grows with the file,
// so the bound is far above MaxCertFile and only stops a runaway input.
const MaxStreamFile = 2 << 30

// Open opens the regular file at path for a reader that streams it,
// refusing anything else and any file over limit bytes, like Read. Errors
// name no path: callers add it.
func Open(path string, limit int64) (*os.File, error) {
	f, err := openNonBlocking(path)
	if err != nil {
		return nil, unwrapPath(err)
	}
	fi, err := f.Stat()
	if err == nil {
		err = Check(fi, limit)
	}
	if err != nil {
		f.Close()
		return nil, unwrapPath(err)
	}
	return f, nil
}
