package cli

import (
	"context"
	"errors"
	"fmt"
	"github.com/confcert/confcert/internal/termsafe"
	"io"
	"os"
	"strings"

	"github.com/confcert/confcert/internal/apply"
	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/dirlock"
	"github.com/confcert/confcert/internal/fileout"
)

// Exit statuses of every verb (spec cli.md, "Conventions for every verb").
const (
	exitOK   = 0
	exitNo   = 1 // the check said no
	exitUser = 2 // bad usage, or input that cannot be read or parsed
	// exitInterrupted is the shells' status for a command ended by SIGINT
	// (128 + 2); spec cli.md fixes 0, 1 and 2 and is silent on signals.
	exitInterrupted = 130
)

// exitError carries an exit status and an optional hint telling the user what
// to do next.
type exitError struct {
	code int
	err  error
	hint string
}

// Error implements error.
func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

// Unwrap returns the error the exit status wraps.
func (e *exitError) Unwrap() error { return e.err }

// badInput is bad usage or unreadable input: exit 2.
func badInput(err error, hint string) error {
	return &exitError{code: exitUser, err: err, hint: hint}
}

// failed is a check that said no: exit 1.
func failed(err error, hint string) error {
	return &exitError{code: exitNo, err: err, hint: hint}
}

// errSilentFail is exit 1 when the verb already printed its result.
var errSilentFail = &exitError{code: exitNo}

// report prints err the way every verb does and returns the exit status.
func report(stderr io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	code, hint := exitUser, ""
	if ee, ok := isExit(err); ok {
		code, hint = ee.code, ee.hint
		if ee.err == nil {
			return code
		}
	}
	if hint == "" {
		hint = defaultHint(err)
	}
	// Errors quote names from certificates and files: escaped, whatever
	// they hold (termsafe).
	fmt.Fprintf(stderr, "confcert: error: %s\n", termsafe.String(err.Error()))
	if hint != "" {
		fmt.Fprintf(stderr, "confcert: hint: %s\n", termsafe.String(hint))
	}
	return code
}

// reportInterrupted says that the verb stopped because ctx ended (Ctrl-C).
// Every file is written atomically, so nothing half-written is left.
func reportInterrupted(ctx context.Context, stderr io.Writer) int {
	fmt.Fprintf(stderr, "confcert: error: stopped: %v\n", context.Cause(ctx))
	fmt.Fprintln(stderr, "confcert: hint: no file was left half-written; run the same command again to finish the job")
	return exitInterrupted
}

// defaultHint gives the advice for errors every verb can meet.
func defaultHint(err error) string {
	var exists *fileout.ExistsError
	var busy *dirlock.BusyError
	var foreign *apply.ForeignCAError
	switch {
	case errors.As(err, &busy):
		return "another confcert process is working in " + busy.Dir + ": run again when it has finished"
	case errors.As(err, &foreign):
		return "plan from the confcert home that made these files (CONFCERT_HOME), or restore its confcert.db; " +
			"to move the deployment to this home's CA " + foreign.CA + ", give --renew for each certificate it signs " +
			"and install the new CA on every appliance"
	case errors.As(err, &exists):
		return "nothing was written; give --force to replace the existing file"
	case strings.HasPrefix(err.Error(), "unknown command"):
		return "run 'confcert help' to list the verbs"
	case castore.Cause(err) != nil:
		home, _ := castore.Home(os.Getenv)
		return castore.Hint(err, home)
	}
	return ""
}
