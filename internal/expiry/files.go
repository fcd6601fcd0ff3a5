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

// maxFileSize bounds the files read: no certificate file is this large, and
// a walk through a data directory must not read gigabytes.
const maxFileSize = 4 << 20

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
	case info.Size() > maxFileSize:
		return fmt.Sprintf("larger than %d MiB: not a certificate file", maxFileSize>>20)
	}
	return ""
}

// readAll reads the files on all cores, then opens the PKCS#12 files that
// need the password one after another (the password may be prompted for).
// It stops handing out files when ctx ends and returns ctx's error.
func readAll(ctx context.Context, files []input, o Options, r *Report) error {
	results := make([]*certio.File, len(files))
	errs := make([]error, len(files))
	err := parallel.Do(ctx, len(files), 0, func(_ context.Context, i int) error {
		results[i], errs[i] = readFile(files[i].path, certio.Options{})
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading %d file(s): %w", len(files), err)
	}
	for i, f := range files {
		if results[i] != nil && results[i].Locked && results[i].Encoding == certio.PKCS12 {
			results[i], errs[i] = readLocked(f.path, o.Password)
		}
		r.add(f, results[i], errs[i], o)
	}
	return nil
}

// readFile reads one file, refusing what is too large to be a certificate.
func readFile(path string, opts certio.Options) (*certio.File, error) {
	info, err := os.Stat(path)
	if err == nil && info.Size() > maxFileSize {
		return nil, fmt.Errorf("%s: larger than %d MiB: not a certificate file", path, maxFileSize>>20)
	}
	return certio.ReadFile(path, opts)
}

// readLocked opens a PKCS#12 file with the password, if there is one.
func readLocked(path string, pw func() ([]byte, error)) (*certio.File, error) {
	if pw == nil {
		return nil, fmt.Errorf("%s: PKCS#12 needs a password (--password-file or CONFCERT_PASSWORD)", path)
	}
	return readFile(path, certio.Options{Password: pw})
}

// add records what one file held.
func (r *Report) add(in input, f *certio.File, err error, o Options) {
	if err != nil {
		if in.named {
			r.Errors = append(r.Errors, err)
		}
		r.Skipped = append(r.Skipped, Skipped{Source: in.path, Reason: reason(err)})
		return
	}
	certs := f.Certificates()
	if len(certs) == 0 {
		r.Skipped = append(r.Skipped, Skipped{Source: in.path, Reason: "holds no certificate"})
		return
	}
	r.Items = append(r.Items, items(in.path, certs, o)...)
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
