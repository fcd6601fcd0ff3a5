package castore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/confcert/confcert/internal/dirlock"
)

// ErrUnrecorded is what Cause returns for an *UnrecordedError.
var ErrUnrecorded = errors.New("CA files without a record")

// UnrecordedError refuses to create a CA whose key or certificate files are
// already in the home while the store has no record of that CA: the database
// was lost, emptied, replaced or pointed elsewhere. Creating the CA anyway
// would put a new key over the only copy of the old one, and every
// certificate the old CA signed would stop chaining.
type UnrecordedError struct {
	CA    string
	Store string   // where the record was looked for
	Files []string // the files found
}

// Error implements error.
func (e *UnrecordedError) Error() string {
	return fmt.Sprintf("CA %s is not recorded in %s, but its files are there: %s; refusing to make a new key over them",
		e.CA, e.Store, strings.Join(e.Files, ", "))
}

// unrecordedFiles lists the files of CA name in the key directory: its key,
// its certificate copy, and keys staged by a creation that never finished.
func (d keyDir) unrecordedFiles(name string) ([]string, error) {
	var found []string
	for _, p := range []string{d.keyPath(name), filepath.Join(string(d), name+".crt")} {
		if _, err := os.Lstat(p); err == nil {
			found = append(found, p)
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("checking %s: %w", p, err)
		}
	}
	staged, err := filepath.Glob(filepath.Join(string(d), "."+name+".key.staged-*"))
	if err != nil {
		return nil, err
	}
	return append(found, staged...), nil
}

// createWait bounds how long creating a CA waits for another process that is
// creating one in the same home (key generation takes well under a second).
const createWait = 30 * time.Second

// guardCreate takes the home's lock for creating a CA and refuses when the
// CA's files are there without a record. A CA recorded meanwhile by another
// process gives ErrCAExists. The returned func releases the lock.
func (s *sqlStore) guardCreate(ctx context.Context, name string) (func(), error) {
	lock, err := dirlock.Acquire(ctx, string(s.keys), createWait)
	if err != nil {
		return nil, fmt.Errorf("creating CA %s: %w", name, err)
	}
	files, err := s.keys.unrecordedFiles(name)
	if err == nil && len(files) > 0 {
		err = s.unrecorded(ctx, name, files)
	}
	if err != nil {
		lock.Release()
		return nil, err
	}
	return func() { lock.Release() }, nil
}

func (s *sqlStore) unrecorded(ctx context.Context, name string, files []string) error {
	_, err := s.CA(ctx, name)
	switch {
	case err == nil:
		return fmt.Errorf("CA %s: %w", name, ErrCAExists)
	case errors.Is(err, ErrNotFound):
		return &UnrecordedError{CA: name, Store: s.where, Files: files}
	}
	return err
}

// Is makes errors.Is(err, ErrUnrecorded) true.
func (e *UnrecordedError) Is(target error) bool { return target == ErrUnrecorded }
