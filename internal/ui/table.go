package ui

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Table collects rows and renders them with aligned columns.
type Table struct {
	header []string
	rows   [][]string
}

// NewTable returns a table with the given column headings.
func NewTable(header ...string) *Table {
	return &Table{header: header}
}

// Row adds one row; missing cells are blank, extra cells are kept.
func (t *Table) Row(cells ...string) {
	t.rows = append(t.rows, cells)
}

// Len returns the number of rows added.
func (t *Table) Len() int { return len(t.rows) }

// Render writes the header and rows, columns separated by two spaces, with no
// trailing blanks on any line.
func (t *Table) Render(w io.Writer) error {
	widths := t.widths()
	all := append([][]string{t.header}, t.rows...)
	for _, row := range all {
		if _, err := fmt.Fprintln(w, formatRow(row, widths)); err != nil {
			return err
		}
	}
	return nil
}

func (t *Table) widths() []int {
	var widths []int
	for _, row := range append([][]string{t.header}, t.rows...) {
		for i, cell := range row {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
	}
	return widths
}

func formatRow(row []string, widths []int) string {
	var b strings.Builder
	for i, cell := range row {
		if i > 0 {
			b.WriteString("  ")
		}
		b.WriteString(cell)
		if i < len(row)-1 {
			b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(cell)))
		}
	}
	return strings.TrimRight(b.String(), " ")
}
