// Package killpoint lets a crash-safety test stop confcert at an exact
// point of its work and kill it there, instead of at a moment chosen by a
// timer (which may land before any work or after all of it).
//
// With CONFCERT_TEST_KILLPOINT=NAME:N in the environment, the Nth time the
// process reaches the point NAME, Reached prints "confcert: killpoint NAME N:
// DETAIL" on stderr and waits for the test's SIGKILL. With NAME:0 it prints
// that line every time NAME is reached and goes on: how a test lists the
// points of a run. Without the variable, Reached does nothing. The only
// point today is "write" (internal/fileout: the temporary file is written
// and synced, the rename has not happened).
package killpoint

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Env is the environment variable that arms a kill point.
const Env = "CONFCERT_TEST_KILLPOINT"

var (
	armed = sync.OnceValues(parse)
	hits  sync.Map // point name -> *atomic.Int64
)

// parse reads Env.
func parse() (string, int64) { return parseSpec(os.Getenv(Env)) }

// parseSpec reads NAME:N; anything else disarms every point ("", 0).
func parseSpec(spec string) (string, int64) {
	name, n, ok := strings.Cut(spec, ":")
	count, err := strconv.ParseInt(n, 10, 64)
	if !ok || name == "" || err != nil || count < 0 {
		return "", 0
	}
	return name, count
}

// Reached marks the point name; detail (a file name) goes into the line.
func Reached(name, detail string) {
	want, at := armed()
	if want == "" || want != name {
		return
	}
	c, _ := hits.LoadOrStore(name, new(atomic.Int64))
	n := c.(*atomic.Int64).Add(1)
	switch {
	case at == 0:
		fmt.Fprintf(os.Stderr, "confcert: killpoint %s %d: %s\n", name, n, detail)
	case n == at:
		fmt.Fprintf(os.Stderr, "confcert: killpoint %s %d: %s\n", name, n, detail)
		for {
			time.Sleep(time.Hour) // until the test's SIGKILL
		}
	}
}
