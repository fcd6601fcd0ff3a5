package termsafe

import (
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"meet.example.com", "meet.example.com"},
		{"Zürich CA", "Zürich CA"},
		{"evil\x1b[2J\x1b[1;1HOK", `evil\x1b[2J\x1b[1;1HOK`},
		{"a\nb\tc\rd", `a\x0ab\x09c\x0dd`},
		{"bell\x07del\x7f", `bell\x07del\x7f`},
		{"c1\u009bx", `c1\u009bx`},
		{"moc.elgoog\u202e", `moc.elgoog\u202e`},
		{"bad\xffutf8", `bad\xffutf8`},
		{`forged \x1b`, `forged \\x1b`},
		{`C:\path`, `C:\path`},
	}
	for _, tt := range tests {
		if got := String(tt.in); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzString: the result never holds a control character or invalid UTF-8,
// and text that needs no escaping is unchanged.
func FuzzString(f *testing.F) {
	for _, s := range []string{"", "abc", "\x1b[31mred", "\u202eabc", "\xff\xfe", `\x1b`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := String(s)
		if !utf8.ValidString(got) {
			t.Fatalf("String(%q) = %q: invalid UTF-8", s, got)
		}
		for _, r := range got {
			if isControl(r) {
				t.Fatalf("String(%q) = %q holds control %U", s, got, r)
			}
		}
		if !needsEscape(s) && got != s {
			t.Fatalf("String(%q) changed clean text to %q", s, got)
		}
	})
}
