package castore

import (
	"strings"
	"testing"
)

// FuzzParseSerialHex: whatever the input, no panic, and an accepted serial
// spells back (SerialHex) to a form that parses to the same number.
func FuzzParseSerialHex(f *testing.F) {
	for _, s := range []string{"01", "0ABC", "abc", "80000000000000000000000000000000", "", "-1", "0x10", "zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSerialHex(s)
		if err != nil {
			return
		}
		back, err := ParseSerialHex(SerialHex(n))
		if err != nil || back.Cmp(n) != 0 {
			t.Fatalf("%q: %v does not round-trip through %q", s, n, SerialHex(n))
		}
	})
}

// FuzzCheckName: an accepted CA name is always a plain file name.
func FuzzCheckName(f *testing.F) {
	for _, s := range []string{"podca", "db-ca", "../x", "a/b", ".", "-x", "a.b", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if CheckName(s) != nil {
			return
		}
		if s == "" || strings.ContainsAny(s, "/\\. \x00") || strings.HasPrefix(s, "-") || len(s) > 64 {
			t.Fatalf("CheckName accepted %q", s)
		}
	})
}
