package apply

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/confcert/confcert/internal/plan"
)

// DocumentFile is the plan document in the output directory.
const DocumentFile = "plan.json"

// writeInstall writes install/<node>.txt for every node: the files to upload,
// then the commands in order, then notes (spec plan.md rule 9).
func (r *run) writeInstall() error {
	for _, in := range r.p.Install {
		if err := r.writeIfChanged(in.File, []byte(InstallText(in)), false); err != nil {
			return err
		}
	}
	return nil
}

// InstallText renders one node's install instructions for a person to follow.
func InstallText(in plan.Install) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: certificates to install (written by confcert plan)\n", in.Node)
	section(&b, "1. Upload these files (SFTP to the node, or the admin pages where noted):", in.Uploads)
	section(&b, "2. Then run, in this order:", in.Commands)
	section(&b, "Notes:", in.Notes)
	return b.String()
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

// writeDocument records the plan, with statuses, as plan.json.
func (r *run) writeDocument() error {
	data, err := Document(r.p)
	if err != nil {
		return err
	}
	return r.writeIfChanged(DocumentFile, data, false)
}

// result returns what the run did; plan.json alone changing after a
// certificate change is not reported separately.
func (r *run) result() *Result {
	res := r.res
	res.Plan = r.p
	return &res
}
