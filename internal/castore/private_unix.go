//go:build unix

package castore

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// checkOwner refuses a file or directory that another user owns.
func checkOwner(path string, fi fs.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if me := os.Geteuid(); int(st.Uid) != me {
		return fmt.Errorf("%w: %s is owned by user id %d, not by you (user id %d)", ErrHomeNotPrivate, path, st.Uid, me)
	}
	return nil
}
