package expiry

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/confcert/confcert/internal/parallel"

	"github.com/confcert/confcert/internal/certio"
)

// maxFileSize bounds the files read whole: no certificate file is this
// large, and a walk through a data directory must not read gigabytes. A
// larger file is read only when it is PEM certificates, a batch at a time
// (streamItems); anything else that large is refused after its first MiB.
const maxFileSize = 4 << 20

// streamAbove is the size above which a file is streamed (streamItems):
// every file; tests that compare with the whole read raise it.
var streamAbove int64 = -1

// input is one file to read; named is true when it was given on the
// command line rather than found by walking.
type input struct {
	path  string
	named bool
}

// walk lists the regular files at or under root. Entries that cannot be
// walked are added to r.Skipped; the walk goes on.
func walk(root string, r *Report) []input {
	info, err := os.Stat(root)
	if err != nil || !info.IsDir() {
		return []input{{path: root, named: true}}
	}
	if l, err := os.Lstat(root); err == nil && l.Mode()&fs.ModeSymlink != 0 {
		root += string(filepath.Separator) // a directory named by a link is walked
	}
	var out []input
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil && path == root {
			r.Errors = append(r.Errors, err)
			return nil
		}
		if err != nil {
			r.Skipped = append(r.Skipped, Skipped{Source: path, Reason: reason(err)})
			return nil // WalkDir skips an unreadable directory and goes on
		}
		if d.IsDir() {
			return nil
		}
		if why := notAFile(path, d); why != "" {
			r.Skipped = append(r.Skipped, Skipped{Source: path, Reason: why})
			return nil
		}
		out = append(out, input{path: path})
		return nil
	})
	if err != nil {
		r.Errors = append(r.Errors, fmt.Errorf("%s: %w", root, err))
	}
	return out
}

// notAFile says why a walked entry is not read, or "" to read it.
// Symbolic links to files are followed, links to directories are not
// (they could loop).
func notAFile(path string, d fs.DirEntry) string {
	info, err := os.Stat(path)
	switch {
	case err != nil:
		return reason(err)
	case info.IsDir():
		return "a symbolic link to a directory: not followed"
	case !info.Mode().IsRegular():
		return "not a regular file"
	}
	return "" // a file over maxFileSize is streamed when it is PEM certificates (readItems)
}

// fileResult is what one file gave: its rows, or why it gave none. Only
// the rows are kept: the certificates are dropped once described.
type fileResult struct {
	items  []Item
	err    error // the file could not be read
	empty  bool  // read, and no certificate in it
	locked bool  // a PKCS#12 file that needs the password
}

// readAll reads the files on all cores, each to its rows, then opens the
// PKCS#12 files that need the password one after another (the password may
// be prompted for). It stops handing out files when ctx ends and returns
// ctx's error.
func readAll(ctx context.Context, files []input, o Options, r *Report) error {
	results := make([]fileResult, len(files))
	err := parallel.Do(ctx, len(files), 0, func(_ context.Context, i int) error {
		results[i] = readItems(files[i], o)
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading %d file(s): %w", len(files), err)
	}
	for i, f := range files {
		if results[i].locked {
			file, err := readLocked(f.path, o.Password)
			results[i] = wholeItems(f.path, file, err, o)
		}
		r.add(f, results[i])
	}
	return nil
}

// readItems reads one file to its rows. A PEM file of certificates only is
// streamed, a batch at a time, whatever its size (streamItems); when the
// stream of a file small enough to be read whole (maxFileSize) fails, or
// the file is anything else, it is read whole, so that what it holds or
// why it cannot be read is said exactly as before. A larger file that is
// not PEM certificates is refused.
func readItems(in input, o Options) fileResult {
	path := in.path
	info, err := os.Stat(path)
	if err == nil && info.Size() > streamAbove {
		items, err := streamItems(path, o)
		switch {
		case err == nil:
			return fileResult{items: items}
		case info.Size() > maxFileSize && errors.Is(err, certio.ErrNotCertificates):
			return fileResult{err: tooLarge(in)}
		case info.Size() > maxFileSize:
			return fileResult{err: err}
		}
	}
	f, err := certio.ReadFile(path, certio.Options{})
	return wholeItems(path, f, err, o)
}

// tooLarge refuses a file over maxFileSize that is not PEM certificates,
// in the words used before such files were streamed: the reason a walk
// lists names no path, the error of a named file does.
func tooLarge(in input) error {
	err := fmt.Errorf("larger than %d MiB: not a certificate file", maxFileSize>>20)
	if in.named {
		return fmt.Errorf("%s: %w", in.path, err)
	}
	return &certio.FileError{Name: in.path, Err: err}
}

// wholeItems describes a file read whole.
func wholeItems(path string, f *certio.File, err error, o Options) fileResult {
	switch {
	case err != nil:
		return fileResult{err: err}
	case f.Locked && f.Encoding == certio.PKCS12:
		return fileResult{locked: true}
	}
	certs := f.Certificates()
	if len(certs) == 0 {
		return fileResult{empty: true}
	}
	return fileResult{items: items(path, certs, o)}
}

// readLocked opens a PKCS#12 file with the password, if there is one.
func readLocked(path string, pw func() ([]byte, error)) (*certio.File, error) {
	if pw == nil {
		return nil, fmt.Errorf("%s: PKCS#12 needs a password (--password-file or CONFCERT_PASSWORD)", path)
	}
	info, err := os.Stat(path)
	if err == nil && info.Size() > maxFileSize {
		return nil, fmt.Errorf("%s: larger than %d MiB: not a certificate file", path, maxFileSize>>20)
	}
	return certio.ReadFile(path, certio.Options{Password: pw})
}

// add records what one file gave.
func (r *Report) add(in input, res fileResult) {
	switch {
	case res.err != nil:
		if in.named {
			r.Errors = append(r.Errors, res.err)
		}
		r.Skipped = append(r.Skipped, Skipped{Source: in.path, Reason: reason(res.err)})
	case res.empty:
		r.Skipped = append(r.Skipped, Skipped{Source: in.path, Reason: "holds no certificate"})
	default:
		r.Items = append(r.Items, res.items...)
	}
}

// reason is an error without the file name that the listing already shows.
func reason(err error) string {
	var fe *certio.FileError
	if errors.As(err, &fe) {
		err = fe.Err
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return err.Error()
}
