package apply

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/confcert/confcert/internal/parallel"
	"github.com/confcert/confcert/internal/plan"
)

// DocumentFile is the plan document in the output directory.
const DocumentFile = "plan.json"

// writeInstall writes install/<node>.txt for every node: the files to upload,
// then the commands in order, then notes (spec plan.md rule 9). notes are
// the texts prepareInstall rendered and compared with the files on disk;
// the changed ones are written one after the other, in plan order. A file
// found the same then is compared again when it is no longer the file that
// was read (edited, replaced or deleted during the run): the notes are as
// planned at the end, as when the comparison came last.
func (r *run) writeInstall(notes installNotes) error {
	for i, in := range r.p.Install {
		if notes.same[i] && stillRead(r.path(in.File), notes.read[i]) {
			continue
		}
		if err := r.writeIfChanged(in.File, notes.texts[i], false); err != nil {
			return err
		}
	}
	return nil
}

// installNotes are the install notes of the plan, rendered, and whether the
// file of each holds it already; read is that file as it was before it was
// read, when it held its note.
type installNotes struct {
	texts [][]byte
	same  []bool
	read  []os.FileInfo
}

// prepareInstall renders the install notes and compares them with the
// files on disk in the background, on every core, while the certificates
// are signed and written (a 1,000-node plan has 1,000 notes, mostly
// unchanged); the notes depend on the plan alone, and only writeInstall
// writes their files. The function returned waits for them; call it before
// the run returns, whatever happens.
func (r *run) prepareInstall() func() installNotes {
	done := make(chan installNotes, 1)
	go func() {
		k := len(r.p.Install)
		n := installNotes{texts: make([][]byte, k), same: make([]bool, k), read: make([]os.FileInfo, k)}
		parallel.For(k, func(i int) {
			n.texts[i] = []byte(InstallText(r.p.Install[i]))
			fi, err := os.Stat(r.path(r.p.Install[i].File)) // before the read: a later change shows
			n.same[i] = err == nil && r.unchanged(r.p.Install[i].File, n.texts[i])
			n.read[i] = fi
		})
		done <- n
	}()
	return sync.OnceValue(func() installNotes { return <-done })
}

// InstallText renders one node's install instructions for a person to follow.
// A file with checks, a record or a rollback (the Meeting Server's, spec
// plan.md CMS rule 9) has five parts; the others list uploads, commands and
// notes.
func InstallText(in plan.Install) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: certificates to install (written by confcert plan)\n", in.Node)
	if len(in.Checks)+len(in.Record)+len(in.Rollback) == 0 {
		section(&b, "1. Upload these files (SFTP to the node, or the admin pages where noted):", uploads(in))
		section(&b, "2. Then run, in this order:", in.Commands)
		section(&b, "Notes:", in.Notes)
		return b.String()
	}
	section(&b, "1. Upload these files with SFTP:", uploads(in))
	section(&b, "2. Before changing anything, run these; stop here on any FAILURE:", in.Checks)
	section(&b, "3. Record what is configured now (keep the output: rollback needs it):", in.Record)
	section(&b, "4. The changes, in this order; after each, look for the line shown after \"->\":", steps(in))
	section(&b, "5. Rollback, if a change fails: restore what part 3 recorded:", in.Rollback)
	section(&b, "Notes:", in.Notes)
	return b.String()
}

// uploads marks the files that exist only after --import.
func uploads(in plan.Install) []string {
	out := make([]string, len(in.Uploads))
	for i, f := range in.Uploads {
		out[i] = f
		if slices.Contains(in.Pending, f) {
			out[i] += "   (exists only after confcert plan --import)"
		}
	}
	return out
}

// steps puts each command's success line under it.
func steps(in plan.Install) []string {
	var out []string
	for i, c := range in.Commands {
		out = append(out, c)
		if i < len(in.Expect) && in.Expect[i] != "" {
			out = append(out, "  -> "+in.Expect[i])
		}
	}
	return out
}

func section(b *strings.Builder, title string, lines []string) {
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s\n", title)
	for _, l := range lines {
		fmt.Fprintf(b, "  %s\n", l)
	}
}

// Document is the plan document as `--json` prints it and plan.json holds.
func Document(p *plan.Plan) ([]byte, error) {
	doc := *p
	if doc.Warnings == nil {
		doc.Warnings = []string{}
	}
	if doc.Bundles == nil {
		doc.Bundles = []plan.Bundle{}
	}
	if doc.Install == nil {
		doc.Install = []plan.Install{}
	}
	data, err := json.MarshalIndent(&doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("plan document: %w", err)
	}
	return append(data, '\n'), nil
}

// writeDocument records the plan, with statuses, as plan.json: doc is
// what startDocument encodes.
func (r *run) writeDocument(doc <-chan documentData) error {
	d := <-doc
	if d.err != nil {
		return d.err
	}
	return r.writeIfChanged(DocumentFile, d.data, false)
}

// documentData is the plan document encoded, or why it could not be.
type documentData struct {
	data []byte
	err  error
}

// startDocument encodes the plan document in the background (2.6 MB for
// 1,000 nodes) while the install notes are written; the plan must not
// change until it is received.
func (r *run) startDocument() <-chan documentData {
	doc := make(chan documentData, 1)
	go func() {
		data, err := Document(r.p)
		doc <- documentData{data, err}
	}()
	return doc
}

// stillRead reports whether path is still the file read describes: the same
// file (not deleted nor replaced), of the same size and modification time.
func stillRead(path string, read os.FileInfo) bool {
	now, err := os.Stat(path)
	return err == nil && read != nil && os.SameFile(now, read) && now.Size() == read.Size() && now.ModTime().Equal(read.ModTime())
}

// result returns what the run did; plan.json alone changing after a
// certificate change is not reported separately.
func (r *run) result() *Result {
	res := r.res
	res.Plan = r.p
	return &res
}
