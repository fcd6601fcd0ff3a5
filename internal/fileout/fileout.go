// Package fileout writes output files the way every confcert verb must: each
// file atomically (a temporary file in the same directory, synced, then
// renamed), private keys with mode 0600, and never over an existing file
// unless the caller forces it (spec cli.md, "Conventions for every verb").
package fileout

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/confcert/confcert/internal/killpoint"
)

// File is one file to write.
type File struct {
	Path    string
	Data    []byte
	Private bool // mode 0600 when true, 0644 otherwise
	// NoReplace makes Write fail with an *ExistsError, rather than replace,
	// when a file appears at Path while it is being written (another process
	// won the race); CheckAbsent alone cannot close that window.
	NoReplace bool
}

// ExistsError says a file is already there and --force was not given.
type ExistsError struct {
	Path string
}

// Error implements error.
func (e *ExistsError) Error() string {
	return fmt.Sprintf("%s already exists", e.Path)
}

// Mode returns the permission bits a file is written with.
func (f File) Mode() fs.FileMode {
	if f.Private {
		return 0o600
	}
	return 0o644
}

// WriteAll writes every file atomically. Unless force is set, it first checks
// that none of the paths exists and returns an *ExistsError before creating
// anything, so a refused verb leaves the directory as it was.
func WriteAll(files []File, force bool) error {
	if !force {
		if err := CheckAbsent(files); err != nil {
			return err
		}
	}
	for _, f := range files {
		if err := Write(f); err != nil {
			return err
		}
	}
	return nil
}

// CheckAbsent returns an *ExistsError for the first path that exists.
func CheckAbsent(files []File) error {
	for _, f := range files {
		_, err := os.Lstat(f.Path)
		if err == nil {
			return &ExistsError{Path: f.Path}
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("checking %s: %w", f.Path, err)
		}
	}
	return nil
}

// Write writes one file atomically, replacing any file already at its path.
// A reader, a crash or a kill sees either the old file or the whole new one.
func Write(f File) error {
	if err := write(f); err != nil {
		return err
	}
	syncDir(filepath.Dir(f.Path))
	return nil
}

// Batch writes many files with one directory sync per directory: each file
// is written to a temporary file, synced and renamed into place at once (a
// reader, a crash or a kill sees the old file or the whole new one), and
// Sync then makes the renames durable, syncing each directory once. The
// zero Batch is ready to use; it is not safe for concurrent use.
type Batch struct {
	dirs []string
}

// Write writes one file atomically like Write, leaving its directory's
// sync to Sync.
func (b *Batch) Write(f File) error {
	if err := write(f); err != nil {
		return err
	}
	b.note(filepath.Dir(f.Path))
	return nil
}

// Place puts a prepared file in place like Pending.Place, leaving its
// directory's sync to Sync. Files prepared on many goroutines are placed
// through one Batch, one after the other, in the order wanted.
func (b *Batch) Place(p *Pending) error {
	if err := p.Place(); err != nil {
		return err
	}
	b.note(filepath.Dir(p.f.Path))
	return nil
}

// note remembers dir for Sync.
func (b *Batch) note(dir string) {
	for _, d := range b.dirs {
		if d == dir {
			return
		}
	}
	b.dirs = append(b.dirs, dir)
}

// Sync syncs every directory a file was written to since the last Sync.
func (b *Batch) Sync() {
	for _, d := range b.dirs {
		syncDir(d)
	}
	b.dirs = b.dirs[:0]
}

// write places f atomically without syncing its directory.
func write(f File) error {
	p, err := Prepare(f)
	if err != nil {
		return err
	}
	return p.Place()
}

// Pending is a file written whole to a temporary file beside its path and
// synced, not yet in place: Prepare makes it, Place renames it into place,
// Discard removes it. Writing many files, the slow part (creating, filling
// and syncing each temporary file) can run on many goroutines while the
// renames, which make the files visible, are done one after the other in
// the order wanted.
type Pending struct {
	f   File
	tmp string
}

// Prepare writes f to a temporary file in f's directory, with f's mode set
// before any byte is written, and syncs it. It is safe for concurrent use.
// Its error names f.Path.
func Prepare(f File) (*Pending, error) {
	dir := filepath.Dir(f.Path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(f.Path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", f.Path, err)
	}
	name := tmp.Name()
	if err := fill(tmp, f); err != nil {
		os.Remove(name)
		return nil, fmt.Errorf("writing %s: %w", f.Path, err)
	}
	return &Pending{f: f, tmp: name}, nil
}

// Path is where the file goes.
func (p *Pending) Path() string { return p.f.Path }

// Place renames the temporary file into place (a reader, a crash or a kill
// sees the old file or the whole new one), replacing any file there unless
// the File says NoReplace. The directory is not synced (Write and
// Batch.Sync do that). On error the temporary file is removed.
func (p *Pending) Place() error {
	killpoint.Reached("write", p.tmp) // crash-safety tests kill here
	if err := place(p.tmp, p.f); err != nil {
		os.Remove(p.tmp)
		return err
	}
	return nil
}

// Discard removes the temporary file of a file that will not be placed.
func (p *Pending) Discard() { os.Remove(p.tmp) }

func place(tmp string, f File) error {
	if f.NoReplace {
		return Install(tmp, f.Path)
	}
	if err := os.Rename(tmp, f.Path); err != nil {
		return fmt.Errorf("writing %s: %w", f.Path, err)
	}
	return nil
}

// Install moves the file at from to the path to, which must not exist: the
// rename never replaces. It links to to from (the link fails when to
// exists, atomically) and then removes from; on a filesystem without hard
// links it falls back to checking and renaming. An existing to gives an
// *ExistsError and leaves from in place.
func Install(from, to string) error {
	err := os.Link(from, to)
	switch {
	case err == nil:
		return os.Remove(from)
	case errors.Is(err, fs.ErrExist):
		return &ExistsError{Path: to}
	}
	if err := CheckAbsent([]File{{Path: to}}); err != nil {
		return err
	}
	if err := os.Rename(from, to); err != nil {
		return fmt.Errorf("writing %s: %w", to, err)
	}
	return nil
}

// fill sets the mode before any byte is written, so a key is never readable
// by others even for a moment, then writes, syncs and closes.
func fill(tmp *os.File, f File) error {
	if err := tmp.Chmod(f.Mode()); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(f.Data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	return tmp.Close()
}

// syncDir makes the rename durable; failure to sync a directory is not an
// error worth failing the write for (some filesystems refuse it).
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}
