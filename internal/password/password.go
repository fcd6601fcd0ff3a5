// Package password finds the password for an encrypted key or a PKCS#12 file
// without it ever being typed on the command line (spec cli.md, "Conventions
// for every verb"): from --password-file, else $CONFCERT_PASSWORD, else a
// prompt when standard input is a terminal.
package password

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/confcert/confcert/internal/inputfile"
	"io"
	"os"

	"golang.org/x/term"
)

// EnvVar is the environment variable a password may come from.
const EnvVar = "CONFCERT_PASSWORD"

// ErrNoPassword says no password source was available.
var ErrNoPassword = errors.New("a password is needed: give --password-file FILE or set " + EnvVar)

// Source says where passwords come from.
type Source struct {
	File   string    // --password-file; first line is the password
	Stdin  io.Reader // a prompt is shown only when this is a terminal
	Stderr io.Writer // where the prompt goes
	// Getenv looks up environment variables; nil means os.Getenv.
	Getenv func(string) string
}

// Get returns the password for purpose (shown in a prompt, e.g. "cms1.key").
func (s Source) Get(purpose string) ([]byte, error) {
	if s.File != "" {
		return fromFile(s.File)
	}
	getenv := s.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if v, ok := lookup(getenv); ok {
		return []byte(v), nil
	}
	if f, ok := s.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return prompt(f, s.Stderr, purpose)
	}
	return nil, ErrNoPassword
}

// Func returns a function that asks Get once, on first use, and remembers the
// answer: a file with several encrypted objects prompts only once.
func (s Source) Func(purpose string) func() ([]byte, error) {
	var (
		done bool
		pw   []byte
		err  error
	)
	return func() ([]byte, error) {
		if !done {
			pw, err = s.Get(purpose)
			done = true
		}
		return pw, err
	}
}

func lookup(getenv func(string) string) (string, bool) {
	v := getenv(EnvVar)
	return v, v != ""
}

// maxPasswordFile bounds what is read of a password file; only its first
// line counts. A pipe (--password-file <(pass show ...)) is allowed.
const maxPasswordFile = 64 << 10

func fromFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading password file: %w", err)
	}
	defer f.Close()
	data, err := inputfile.ReadFrom(f, maxPasswordFile)
	if err != nil {
		return nil, fmt.Errorf("reading password file %s: %w", path, err)
	}
	return firstLine(data), nil
}

// firstLine is the password in a password file: its first line, without
// the line ending (LF or CRLF).
func firstLine(data []byte) []byte {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	return bytes.TrimSuffix(line, []byte("\r"))
}

func prompt(in *os.File, out io.Writer, purpose string) ([]byte, error) {
	if out == nil {
		out = os.Stderr
	}
	fmt.Fprintf(out, "Password for %s: ", purpose)
	pw, err := term.ReadPassword(int(in.Fd()))
	fmt.Fprintln(out)
	if err != nil {
		return nil, fmt.Errorf("reading password: %w", err)
	}
	return pw, nil
}
