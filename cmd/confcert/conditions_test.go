package main

import (
	"errors"
	"fmt"
	"os/exec"
	"strconv"

	"github.com/rogpeppe/go-internal/testscript"
)

func errorUnknownCondition(cond string) error {
	return fmt.Errorf("unknown condition %q", cond)
}

// cmdExits is the script command `exits N prog args...`: it runs prog like
// `exec`, keeps its stdout and stderr for later `stdout`/`stderr` lines, and
// fails unless prog exits with status N. The spec fixes exit statuses (0, 1,
// 2), so transcripts assert them exactly rather than with `! exec`.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! exits")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exits N prog [args...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("running %s: %v", args[1], err)
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}
