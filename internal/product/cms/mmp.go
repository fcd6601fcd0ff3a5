package cms

import (
	"fmt"
	"slices"

	"github.com/confcert/confcert/internal/plan"
)

// mmpScript collects one node's uploads, MMP commands and closing checks.
type mmpScript struct {
	in     plan.Install
	checks []string
}

// cmd adds an MMP command and the files it needs uploaded.
func (w *mmpScript) cmd(command string, files ...string) {
	w.upload(files...)
	w.in.Commands = append(w.in.Commands, command)
}

// upload adds files to upload, each once.
func (w *mmpScript) upload(files ...string) {
	for _, f := range files {
		if !slices.Contains(w.in.Uploads, f) {
			w.in.Uploads = append(w.in.Uploads, f)
		}
	}
}

// certs adds "<prefix> <key> <crt> <bundle>" (seed 002 §4.4-§4.9) and its checks.
func (w *mmpScript) certs(prefix string, c *plan.Certificate, bundle string) {
	w.cmd(fmt.Sprintf("%s %s %s %s", prefix, c.Files.Key, c.Files.Cert, bundle), c.Files.Key, c.Files.Cert, bundle)
	w.check(c, bundle)
}

// check queues `pki match` and `pki verify` for c (seed 002 §4.3; seed 003).
func (w *mmpScript) check(c *plan.Certificate, bundle string) {
	for _, line := range []string{
		fmt.Sprintf("pki match %s %s", c.Files.Key, c.Files.Cert),
		fmt.Sprintf("pki verify %s %s", c.Files.Cert, bundle),
	} {
		if !slices.Contains(w.checks, line) {
			w.checks = append(w.checks, line)
		}
	}
	w.upload(c.Files.Key, c.Files.Cert, bundle)
}

func (w *mmpScript) note(s string) {
	if !slices.Contains(w.in.Notes, s) {
		w.in.Notes = append(w.in.Notes, s)
	}
}

// finish appends the checks after the commands and the SFTP note.
func (w *mmpScript) finish() {
	w.in.Commands = append(w.in.Commands, w.checks...)
	w.in.Notes = append([]string{"upload the files with SFTP to the MMP, then run the commands over SSH (seed 002 §4.2)"}, w.in.Notes...)
}
