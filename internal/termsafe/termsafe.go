// Package termsafe escapes text that came from certificates, files or
// servers before a person's terminal shows it. A certificate's name may hold
// any byte: an ESC sequence in a CN could clear the screen, rewrite earlier
// lines ("OK") or hide text, and a bidirectional override could make one
// name read as another. Every such character is shown as an escape instead.
package termsafe

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// String returns s with every control character (C0 including tab and
// newline, DEL, C1), every Unicode bidirectional control and every invalid
// UTF-8 byte written as a visible escape (\x1b, \u202e); a backslash
// followed by x or u is doubled so an escape cannot be forged. Text without
// such characters is returned unchanged.
func String(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case isControl(r):
			writeEscape(&b, r)
		case r == '\\' && i+1 < len(s) && (s[i+1] == 'x' || s[i+1] == 'u'):
			b.WriteString(`\\`)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// Strings applies String to each element.
func Strings(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = String(s)
	}
	return out
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || isControl(r) || (r == '\\' && i+1 < len(s) && (s[i+1] == 'x' || s[i+1] == 'u')) {
			return true
		}
		i += size
	}
	return false
}

func writeEscape(b *strings.Builder, r rune) {
	if r < 0x80 {
		fmt.Fprintf(b, `\x%02x`, r)
		return
	}
	fmt.Fprintf(b, `\u%04x`, r)
}

// isControl reports the characters a terminal acts on or that reorder text.
func isControl(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	}
	return false
}
