// Package ui renders confcert's output for people: aligned tables, a chain
// drawn as a tree, colour only on a terminal (and never when NO_COLOR is set),
// and progress bars on long work. Scripts use --json instead.
package ui

import (
	"io"
	"os"

	"golang.org/x/term"
)

// Style is a text attribute used by Color.
type Style int

// Styles a Printer can apply.
const (
	Bold Style = iota
	Red
	Green
	Yellow
	Dim
)

var ansi = map[Style]string{Bold: "1", Red: "31", Green: "32", Yellow: "33", Dim: "2"}

// Printer knows whether its writer is a terminal that may be coloured.
type Printer struct {
	w        io.Writer
	terminal bool
	color    bool
}

// New returns a Printer for w. Colour is used only when w is a terminal and
// the NO_COLOR environment variable is unset or empty (no-color.org).
func New(w io.Writer) *Printer {
	t := IsTerminal(w)
	return &Printer{w: w, terminal: t, color: t && os.Getenv("NO_COLOR") == ""}
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Terminal reports whether the Printer writes to a terminal.
func (p *Printer) Terminal() bool { return p.terminal }

// Writer returns the underlying writer.
func (p *Printer) Writer() io.Writer { return p.w }

// Color returns s in the given style when colour is allowed, else s unchanged.
func (p *Printer) Color(st Style, s string) string {
	if !p.color {
		return s
	}
	return "\x1b[" + ansi[st] + "m" + s + "\x1b[0m"
}
