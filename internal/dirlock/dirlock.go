// Package dirlock serialises confcert processes that work on one directory
// (a confcert home, a plan's output directory) with an operating-system file
// lock: the lock is released by the kernel when the process ends, so a crash
// or a kill never leaves a directory locked. Waiting is always bounded.
package dirlock

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// FileName is the lock file created inside a locked directory.
const FileName = ".confcert.lock"

// retryDelay is how often a waiting process tries the lock again.
const retryDelay = 50 * time.Millisecond

// BusyError says another process held the lock for the whole wait.
type BusyError struct {
	Dir  string
	Wait time.Duration
}

// Error implements error.
func (e *BusyError) Error() string {
	return fmt.Sprintf("%s is in use by another confcert process (waited %s for it)", e.Dir, e.Wait)
}

// Lock is a held directory lock.
type Lock struct {
	f *flock.Flock
}

// Acquire takes the exclusive lock of dir, waiting at most wait (or until ctx
// ends) for another process to release it; then it returns a *BusyError.
// The lock file is created with mode 0600 and left in place.
func Acquire(ctx context.Context, dir string, wait time.Duration) (*Lock, error) {
	path := filepath.Join(dir, FileName)
	if err := checkRegular(path); err != nil {
		return nil, err
	}
	f := flock.New(path, flock.SetPermissions(0o600))
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	ok, err := f.TryLockContext(wctx, retryDelay)
	if ok {
		return &Lock{f: f}, nil
	}
	f.Close()
	if err == nil || errors.Is(err, context.DeadlineExceeded) {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &BusyError{Dir: dir, Wait: wait}
	}
	return nil, fmt.Errorf("locking %s: %w", dir, err)
}

// checkRegular refuses a planted lock file that is a symlink, a FIFO or a
// directory: opening it would create or block on something elsewhere.
func checkRegular(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("locking: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("lock file %s is not a regular file (%s): remove it", path, fi.Mode().Type())
	}
	return nil
}

// Release lets the next process in.
func (l *Lock) Release() error {
	return l.f.Close()
}
