package rolecheck

import (
	"fmt"
	"github.com/confcert/confcert/internal/termsafe"
	"io"
	"strings"

	"github.com/confcert/confcert/internal/ui"
)

// Write prints a report for people: per check a heading, the rule outcomes
// aligned under it (rules first, then the generic lints), one line each as
// `SUCCESS: ...`, `WARNING: ...` or `FAILURE: ...` with the fix after
// "fix:", and a summary. Colour comes from p (only on a terminal).
func Write(w io.Writer, p *ui.Printer, r *Report) error {
	var b strings.Builder
	for i, c := range r.Checks {
		if i > 0 {
			b.WriteString("\n")
		}
		writeCheck(&b, p, c)
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(&b, "skipped: %s\n", s)
	}
	if len(r.Checks) > 1 {
		fmt.Fprintf(&b, "\n%s\n", summary(p, r.OK, countAll(r)))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeCheck(b *strings.Builder, p *ui.Printer, c *Check) {
	head := c.Role + ": " + c.File
	if c.Certificate != "" {
		head = c.Certificate + " as " + head
	}
	fmt.Fprintf(b, "%s\n", p.Color(ui.Bold, head))
	width := 0
	for _, r := range c.Results {
		width = max(width, len(r.Rule))
	}
	lints := false
	for _, r := range c.Results {
		if isLint(r.Rule) && !lints {
			lints = true
			fmt.Fprintf(b, "  generic lints (zlint, RFC 5280 and community):\n")
		}
		fmt.Fprintf(b, "  %-*s  %s\n", width, r.Rule, line(p, r))
	}
	fmt.Fprintf(b, "%s\n", summary(p, c.OK, count(c.Results)))
}

// isLint tells zlint names (lower case, e.g. "w_ext_...") from rule IDs.
func isLint(rule string) bool { return strings.ToLower(rule) == rule }

func line(p *ui.Printer, r Result) string {
	s := p.Color(color(r.Severity), string(r.Severity)+":") + " " + termsafe.String(r.Message)
	if r.Fix != "" {
		s += "; fix: " + termsafe.String(r.Fix)
	}
	return s
}

func color(s Severity) ui.Style {
	switch s {
	case Failure:
		return ui.Red
	case Warning:
		return ui.Yellow
	}
	return ui.Green
}

type counts struct{ failures, warnings int }

func count(rs []Result) counts {
	var n counts
	for _, r := range rs {
		switch r.Severity {
		case Failure:
			n.failures++
		case Warning:
			n.warnings++
		}
	}
	return n
}

func countAll(r *Report) counts {
	var n counts
	for _, c := range r.Checks {
		m := count(c.Results)
		n.failures += m.failures
		n.warnings += m.warnings
	}
	return n
}

func summary(p *ui.Printer, ok bool, n counts) string {
	words := fmt.Sprintf("%d failure(s), %d warning(s)", n.failures, n.warnings)
	if !ok {
		return p.Color(ui.Red, "FAILED") + ": " + words
	}
	return p.Color(ui.Green, "PASSED") + ": " + words
}
