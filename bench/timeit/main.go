// Command timeit runs a command once and prints what the bench scripts
// compare: its wall time, its user and system CPU time (from wait4's
// rusage, to the microsecond, where GNU time's %e, %U and %S give 10 ms)
// and its peak resident set. The command's standard input, output and error
// are timeit's own; the clock starts just before the process is started and
// stops when it has been waited for.
//
//	timeit COMMAND [ARG...]
//
// prints one line on standard error ("wall_s user_s sys_s maxrss_kb", the
// times in seconds to the microsecond), or, with TIMEIT_OUT=FILE set, writes
// it to FILE. A command that fails is still measured; timeit then exits with
// its exit code (1 when it was killed by a signal), 2 when it cannot start.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv("TIMEIT_OUT")))
}

// run runs args, writes the measure to out (standard error when empty) and
// returns the exit code.
func run(args []string, out string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: timeit COMMAND [ARG...]")
		return 2
	}
	m, code, err := measure(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "timeit:", err)
		return 2
	}
	var w io.Writer = os.Stderr
	if out != "" {
		f, err := os.Create(out)
		if err != nil {
			fmt.Fprintln(os.Stderr, "timeit:", err)
			return 2
		}
		defer f.Close()
		w = f
	}
	fmt.Fprintln(w, m)
	return code
}

// Measure is what one run of a command cost.
type Measure struct {
	Wall, User, Sys time.Duration
	MaxRSSKB        int64
}

// String is the line timeit prints.
func (m Measure) String() string {
	return fmt.Sprintf("%.6f %.6f %.6f %d", m.Wall.Seconds(), m.User.Seconds(), m.Sys.Seconds(), m.MaxRSSKB)
}

// measure runs args once; code is its exit code (1 when killed by a signal).
// err is set only when it could not be started.
func measure(args []string) (m Measure, code int, err error) {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return m, 0, fmt.Errorf("cannot start %s: %w", args[0], err)
	}
	werr := cmd.Wait()
	m.Wall = time.Since(t0)
	if werr != nil && !errors.As(werr, new(*exec.ExitError)) {
		return m, 0, fmt.Errorf("waiting for %s: %w", args[0], werr)
	}
	st := cmd.ProcessState
	if ru, ok := st.SysUsage().(*syscall.Rusage); ok {
		m.User = time.Duration(ru.Utime.Nano())
		m.Sys = time.Duration(ru.Stime.Nano())
		m.MaxRSSKB = ru.Maxrss // kilobytes on Linux
	}
	code = st.ExitCode()
	if code < 0 {
		code = 1
	}
	return m, code, nil
}
