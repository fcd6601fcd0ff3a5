//go:build !unix

package inputfile

import "os"

// openNonBlocking opens path for reading; there are no FIFOs to block on
// where this file is built.
func openNonBlocking(path string) (*os.File, error) {
	return os.Open(path)
}
