package castore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrHomeNotPrivate says the confcert home could be changed by someone else:
// it is group- or world-writable, or holds files another user owns. Anyone
// who can write there can swap a CA key or the record of what was signed.
var ErrHomeNotPrivate = errors.New("confcert home is not private")

// PrepareHome creates dir (mode 0700) when missing and refuses, with an error
// wrapping ErrHomeNotPrivate, a home that is not a directory, is writable by
// group or others, or holds a file or directory another user owns (a home
// shared through sudo, or written by a second administrator).
func PrepareHome(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating confcert home %s: %w", dir, err)
	}
	return CheckHome(dir)
}

// CheckHome refuses a home that is not private (see PrepareHome) without
// creating anything.
func CheckHome(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("confcert home: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("confcert home %s is not a directory", dir)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%w: %s has mode %04o, writable by group or others", ErrHomeNotPrivate, dir, fi.Mode().Perm())
	}
	if err := checkOwner(dir, fi); err != nil {
		return err
	}
	return checkEntries(dir)
}

// checkEntries refuses files in dir that another user owns.
func checkEntries(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("reading confcert home: %w", err)
	}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		fi, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed meanwhile (a temporary file)
		}
		if err != nil {
			return fmt.Errorf("confcert home: %w", err)
		}
		if err := checkOwner(path, fi); err != nil {
			return err
		}
	}
	return nil
}
