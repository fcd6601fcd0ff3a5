// Package cli wires confcert's verbs to the packages that do the work. Each
// verb lives in its own file as newXxxCmd(a *app); this file builds the root
// command, the global flags and the exit-code convention of spec cli.md.
package cli

import (
	"context"
	"errors"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/confcert/confcert/internal/apply"
	"github.com/confcert/confcert/internal/password"
	"github.com/confcert/confcert/internal/ui"
)

// app is what every verb needs from the process: its streams, the global
// flags and the clock. Verbs receive it instead of reaching for globals.
type app struct {
	stdout, stderr io.Writer
	stdin          io.Reader
	dir            string
	passwordFile   string
	storeURL       string // --store: sqlite:PATH or postgres://... (else CONFCERT_STORE)
	kekFile        string // --kek-file (else CONFCERT_KEK_FILE)
	clock          func() time.Time
}

// path resolves a bare file name inside the --dir directory; a name with a
// directory part (or an absolute path) is used as given.
func (a *app) path(name string) string {
	if filepath.IsAbs(name) || filepath.Base(name) != name {
		return name
	}
	return filepath.Join(a.dir, name)
}

// passwords returns the password source of the conventions in spec cli.md.
func (a *app) passwords() password.Source {
	return password.Source{File: a.passwordFile, Stdin: a.stdin, Stderr: a.stderr}
}

// now returns the current time.
func (a *app) now() time.Time { return a.clock() }

// printer returns a ui.Printer for w.
func (a *app) printer(w io.Writer) *ui.Printer { return ui.New(w) }

// progress draws a progress bar of a long step on stderr (only on a terminal).
func (a *app) progress(total int, what string) apply.Progress {
	return ui.NewProgress(a.stderr, total, what)
}

// Main runs confcert with args (without the program name) and returns the
// process exit status: 0 done, 1 the check said no, 2 bad usage or input.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return MainContext(context.Background(), args, stdin, stdout, stderr)
}

// MainContext is Main under ctx: when ctx ends (Ctrl-C), probes, fetches
// and key generation stop, nothing more is written, and the status is
// exitInterrupted.
func MainContext(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr, stdin: stdin, dir: ".", clock: time.Now}
	root := newRootCmd(a)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err != nil && ctx.Err() != nil {
		return reportInterrupted(ctx, stderr)
	}
	return report(stderr, err)
}

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "confcert",
		Short: "Certificates for on-premises conferencing servers, right the first time",
		Long: "confcert makes, checks, bundles and installs the certificates of Cisco Meeting Server,\n" +
			"WebEx Meetings Server and Unified MeetingPlace deployments, and of the Expressway-C and -E\n" +
			"and Unified CM (with IM and Presence and Unity Connection) around them.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&a.dir, "dir", ".", "directory the pki verbs work in, like the MMP file store")
	root.PersistentFlags().StringVar(&a.passwordFile, "password-file", "", "read passwords from the first line of `FILE`")
	root.PersistentFlags().StringVar(&a.storeURL, "store", "", "the CA store: `sqlite:PATH` or postgres://... (default: the confcert home's confcert.db; also CONFCERT_STORE)")
	root.PersistentFlags().StringVar(&a.kekFile, "kek-file", "", "the key-encryption key sealing CA keys in the store (`FILE`; also CONFCERT_KEK_FILE)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return badInput(err, "run 'confcert help' for the flags of each verb")
	})
	root.AddCommand(
		newCSRCmd(a), newSelfSignedCmd(a), newSignCmd(a), newInspectCmd(a), newMatchCmd(a),
		newVerifyCmd(a), newUnlockCmd(a), newListCmd(a), newPKCS12ToSSHCmd(a),
		newBundleCmd(a), newConvertCmd(a),
		newPlanCmd(a), newCACmd(a),
		newCheckCmd(a), newServeCmd(a),
		newProbeCmd(a), newExpiryCmd(a),
	)
	return root
}

// Run is the entry point used by cmd/confcert. SIGINT (Ctrl-C) and SIGTERM
// end the context every verb runs under; a second signal kills the process
// the default way, for a user who does not want to wait for the key being
// made.
func Run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop)
	return MainContext(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
}

// isExit reports whether err carries an exit status.
func isExit(err error) (*exitError, bool) {
	var ee *exitError
	ok := errors.As(err, &ee)
	return ee, ok
}
