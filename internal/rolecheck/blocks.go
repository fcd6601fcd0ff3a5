package rolecheck

import (
	"bytes"
	"fmt"
	"strings"
)

// PEMBlock is one PEM block of a file: its type and the line of its BEGIN.
type PEMBlock struct {
	Type string
	Line int
}

// BlockLayout is the block structure of a file as the bytes hold it, which parsed
// certificates no longer show: the order of the blocks and the formatting the
// Meeting Server guide asks for (seed 002 §1.2.4, §4.7.1, D.2).
type BlockLayout struct {
	Blocks       []PEMBlock
	PEM          bool // at least one BEGIN line
	CR           bool // a carriage return anywhere
	FinalNewline bool
	BlankBetween int    // line of the first blank line between two blocks; 0 if none
	Outside      int    // line of the first text outside the blocks; 0 if none
	Unterminated string // type of a block that has no END line
}

// scanBlocks reads the PEM block structure of data. It never fails: input that
// is not PEM at all comes back with PEM false.
func scanBlocks(data []byte) BlockLayout {
	l := BlockLayout{CR: bytes.IndexByte(data, '\r') >= 0, FinalNewline: len(data) > 0 && data[len(data)-1] == '\n'}
	var open string
	blank := 0
	for i, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimRight(raw, "\r")
		n := i + 1
		if t, ok := marker(line, "BEGIN"); ok {
			if open != "" && l.Unterminated == "" {
				l.Unterminated = open
			}
			if len(l.Blocks) > 0 && open == "" && blank > 0 && l.BlankBetween == 0 {
				l.BlankBetween = blank
			}
			l.PEM, open, blank = true, t, 0
			l.Blocks = append(l.Blocks, PEMBlock{Type: t, Line: n})
			continue
		}
		if open != "" {
			if _, ok := marker(line, "END"); ok {
				open = ""
			}
			continue
		}
		l.noteOutside(line, n, &blank)
	}
	if open != "" && l.Unterminated == "" {
		l.Unterminated = open
	}
	return l
}

// noteOutside records a line that sits outside every block.
func (l *BlockLayout) noteOutside(line string, n int, blank *int) {
	if strings.TrimSpace(line) == "" {
		if *blank == 0 {
			*blank = n
		}
		return
	}
	if l.Outside == 0 {
		l.Outside = n
	}
}

// marker recognises "-----BEGIN TYPE-----" (kind BEGIN) or "-----END TYPE-----".
func marker(line, kind string) (string, bool) {
	s := strings.TrimSpace(line)
	prefix := "-----" + kind + " "
	if !strings.HasPrefix(s, prefix) || !strings.HasSuffix(s, "-----") || len(s) < len(prefix)+5 {
		return "", false
	}
	return s[len(prefix) : len(s)-5], true
}

// problems lists, in words, what keeps a PEM file from being clean PEM; a file
// that is not PEM at all has none (the caller says "DER where PEM is expected").
func (l BlockLayout) problems() []string {
	if !l.PEM {
		return nil
	}
	var p []string
	if l.BlankBetween > 0 {
		p = append(p, fmt.Sprintf("blank line between blocks (line %d)", l.BlankBetween))
	}
	if l.Outside > 0 {
		p = append(p, fmt.Sprintf("text outside the blocks (line %d)", l.Outside))
	}
	if l.CR {
		p = append(p, "CR (Windows) line endings")
	}
	if l.Unterminated != "" {
		p = append(p, fmt.Sprintf("a %s block without its END line", l.Unterminated))
	}
	if !l.FinalNewline {
		p = append(p, "no newline at the end of the file")
	}
	return p
}

// IsKeyBlock reports whether a PEM block type holds a private key.
func IsKeyBlock(t string) bool {
	return strings.HasSuffix(t, "PRIVATE KEY")
}
