package cms

import (
	"fmt"
	"slices"

	"github.com/confcert/confcert/internal/plan"
)

// mmpScript writes one node's install file in the five parts of spec plan.md
// CMS rule 9: uploads, checks before any change, the record of the
// configuration now, the changes each with its success line, and rollback.
type mmpScript struct {
	in plan.Install
	// pending are the files that exist only after --import.
	pending map[string]bool
}

// MMP success lines, as the guide prints them (seed 002 §4.4, §4.6, §4.7, §4.8.1).
const (
	okKeyMatch   = "SUCCESS: Key and certificate pair match"
	okWebbridge  = "SUCCESS: Key and certificate pair match / SUCCESS: Webbridge enabled"
	okXMPP       = "SUCCESS: Key and certificate pair match / SUCCESS: XMPP server enabled"
	okCallbridge = "SUCCESS: listen interface configured / SUCCESS: Key and certificate pair match"
	okDBCerts    = "Certificates updated"
)

// step adds a change, what the MMP prints when it works, and the files it
// needs uploaded.
func (w *mmpScript) step(command, expect string, files ...string) {
	w.upload(files...)
	w.in.Commands = append(w.in.Commands, command)
	w.in.Expect = append(w.in.Expect, expect)
}

// upload adds files to upload, each once, marking those that exist only
// after --import.
func (w *mmpScript) upload(files ...string) {
	for _, f := range files {
		if slices.Contains(w.in.Uploads, f) {
			continue
		}
		w.in.Uploads = append(w.in.Uploads, f)
		if w.pending[f] {
			w.in.Pending = append(w.in.Pending, f)
		}
	}
}

// certs adds "<prefix> <key> <crt> <bundle>" (seed 002 §4.4-§4.9) and its checks.
func (w *mmpScript) certs(prefix string, c *plan.Certificate, bundle string) {
	w.step(fmt.Sprintf("%s %s %s %s", prefix, c.Files.Key, c.Files.Cert, bundle), "", c.Files.Key, c.Files.Cert, bundle)
	w.check(c, bundle)
}

// check queues `pki match` and `pki verify` for c, run before any change
// (seed 002 §4.3 "Before installing"; seed 003).
func (w *mmpScript) check(c *plan.Certificate, bundle string) {
	for _, line := range []string{
		fmt.Sprintf("pki match %s %s", c.Files.Key, c.Files.Cert),
		fmt.Sprintf("pki verify %s %s", c.Files.Cert, bundle),
	} {
		if !slices.Contains(w.in.Checks, line) {
			w.in.Checks = append(w.in.Checks, line)
		}
	}
	w.upload(c.Files.Key, c.Files.Cert, bundle)
}

// record adds an MMP command that prints what is configured now.
func (w *mmpScript) record(command string) {
	if !slices.Contains(w.in.Record, command) {
		w.in.Record = append(w.in.Record, command)
	}
}

// rollback adds the commands that restore one service's recorded configuration.
func (w *mmpScript) rollback(lines ...string) {
	w.in.Rollback = append(w.in.Rollback, lines...)
}

// restore is the rollback of a "<prefix> certs" change: the files part 3
// recorded, or none when nothing was configured.
func restore(prefix string) string {
	return fmt.Sprintf("%s certs <the files part 3 recorded>   (nothing recorded: %s certs none)", prefix, prefix)
}

func (w *mmpScript) note(s string) {
	if !slices.Contains(w.in.Notes, s) {
		w.in.Notes = append(w.in.Notes, s)
	}
}

// finish starts the checks with `pki list` and adds the notes every file needs.
func (w *mmpScript) finish() {
	w.in.Checks = append([]string{"pki list"}, w.in.Checks...)
	w.in.Notes = append([]string{
		"upload the files with SFTP to the MMP, then run the commands over SSH (" + guide + ", §4.2)",
		"before uploading, SFTP get any file of part 3's record that has the same name as a file to upload: the upload replaces it, and rollback needs it",
		"part 2 changes nothing: if any line prints FAILURE, stop and fix the files before part 4 (" + guide + ", §4.3)",
	}, w.in.Notes...)
}
