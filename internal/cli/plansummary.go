package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/confcert/confcert/internal/apply"
	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/ui"
)

// writeTable prints the summary table: certificate, CN, SANs, signer,
// status, used by (spec plan.md, "Phases and flags").
func writeTable(w io.Writer, p *plan.Plan) error {
	t := ui.NewTable("CERTIFICATE", "CN", "SANS", "SIGNER", "STATUS", "USED BY")
	for _, c := range p.Certificates {
		t.Row(c.Name, c.CN, strings.Join(c.SANs, ","), c.Signer, statusLabel(c.Status), usedBy(c.UsedBy))
	}
	return t.Render(w)
}

// statusLabel spells a status for people.
func statusLabel(s string) string {
	if s == plan.StatusAwaitingCA {
		return "awaiting CA"
	}
	return s
}

// usedBy groups the uses by node: "cms1a: callbridge, xmpp; cms1b: ...".
func usedBy(uses []plan.Use) string {
	var order []string
	services := map[string][]string{}
	for _, u := range uses {
		if _, ok := services[u.Node]; !ok {
			order = append(order, u.Node)
		}
		services[u.Node] = append(services[u.Node], u.Service)
	}
	parts := make([]string, len(order))
	for i, n := range order {
		parts[i] = n + ": " + strings.Join(services[n], ",")
	}
	return strings.Join(parts, "; ")
}

// writeChanges prints what a run did (or a dry run would do), one line each.
func writeChanges(w io.Writer, res *apply.Result, dry bool) {
	if res.NothingToDo() {
		fmt.Fprintln(w, "Nothing to do: the directory already matches the plan.")
		return
	}
	for _, c := range res.Changes {
		action := c.Action
		switch {
		case dry && action == apply.ActionCACreated:
			action = "CA would be created"
		case dry:
			action = "would be " + action
		}
		line := fmt.Sprintf("%s: %s", c.Name, action)
		if c.Why != "" {
			line += " (" + c.Why + ")"
		}
		fmt.Fprintln(w, line)
	}
}

// writeNextSteps prints which CSR goes to which CA, the certreq command for a
// Microsoft CA (seed 002 §3.3, seed 003), the import command, and the
// install files.
func writeNextSteps(w io.Writer, p *plan.Plan, importCmd string) {
	var waiting, held []*plan.Certificate
	for _, c := range p.Certificates {
		switch {
		case c.Status == plan.StatusAwaitingCA && c.KeyHeld != nil:
			held = append(held, c)
		case c.Status == plan.StatusAwaitingCA:
			waiting = append(waiting, c)
		}
	}
	fmt.Fprintln(w, "\nNext steps:")
	if len(held) > 0 {
		fmt.Fprintln(w, "  Generate these CSRs where the key is kept, then bring them back (confcert checks and signs them):")
		for _, c := range held {
			fmt.Fprintf(w, "    %s on %s  (CN %s)\n", c.KeyHeld.Hint, c.KeyHeld.By, c.CN)
		}
		fmt.Fprintf(w, "  Then:\n    %s\n", strings.Replace(importCmd, "<files the CA returned>", "<the CSR files>", 1))
	}
	if len(waiting) > 0 {
		fmt.Fprintln(w, "  Send these CSRs to your public CA (or your enterprise CA):")
		for _, c := range waiting {
			fmt.Fprintf(w, "    %s  (CN %s)\n", c.Files.CSR, c.CN)
		}
		fmt.Fprintln(w, "  With a Microsoft CA:")
		for _, c := range waiting {
			fmt.Fprintf(w, "    certreq -submit -attrib \"CertificateTemplate:%s\" %s %s\n", c.CertreqTemplate(), c.Files.CSR, c.Files.Cert)
		}
		fmt.Fprintf(w, "  Then place what the CA returned:\n    %s\n", importCmd)
	}
	writeAwaitingApproval(w, p)
	stop := writeInvalid(w, p)
	for _, in := range p.Install {
		if stop[in.Node] {
			continue
		}
		fmt.Fprintf(w, "  On %s: follow %s\n", in.Node, in.File)
	}
}

// writeInvalid says which imported certificates do not fit their plan: ask
// the CA again and install nothing on the nodes that use them. It returns
// those nodes, whose install files "Next steps" must not send anyone to.
func writeInvalid(w io.Writer, p *plan.Plan) map[string]bool {
	stop := map[string]bool{}
	for _, c := range p.Certificates {
		if c.Status != plan.StatusInvalid {
			continue
		}
		fmt.Fprintf(w, "  %s does not fit its plan (see the warning above): ask the CA again with %s; do not install it\n", c.Files.Cert, c.Files.CSR)
		for _, u := range c.UsedBy {
			stop[u.Node] = true
		}
	}
	var nodes []string
	for n := range stop {
		nodes = append(nodes, n)
	}
	if len(nodes) > 0 {
		slices.Sort(nodes)
		fmt.Fprintf(w, "  Do not install anything on %s until it does\n", strings.Join(nodes, ", "))
	}
	return stop
}

// writeAwaitingApproval lists the requests the ca_server holds for an
// approver; the next run of plan collects what was issued.
func writeAwaitingApproval(w io.Writer, p *plan.Plan) {
	var ids []string
	for _, c := range p.Certificates {
		if id, ok := strings.CutPrefix(c.Status, plan.StatusAwaitingApproval+" ("); ok {
			ids = append(ids, fmt.Sprintf("    %s  (%s)", strings.TrimSuffix(id, ")"), c.Name))
		}
	}
	if len(ids) == 0 {
		return
	}
	fmt.Fprintf(w, "  Have another approver of %s approve these requests (confcert ca approve ID), then run plan again:\n", p.CAServer)
	fmt.Fprintln(w, strings.Join(ids, "\n"))
}
