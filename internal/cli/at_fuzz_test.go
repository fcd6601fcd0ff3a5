package cli

import (
	"strings"
	"testing"
	"time"
)

// FuzzParseAt feeds the --at parser (issue 11 item 12): no panic, errors
// quote the input, and a time read prints back to the same instant.
func FuzzParseAt(f *testing.F) {
	for _, s := range []string{"2027-01-31T12:00:00Z", "2027-01-31T12:00:00+01:00", "2027-01-31", "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z", "", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		at, err := parseAt(s)
		if err != nil {
			if !strings.Contains(err.Error(), "--at") {
				t.Fatalf("error %q does not name --at", err)
			}
			return
		}
		back, err := time.Parse(time.RFC3339Nano, at.Format(time.RFC3339Nano))
		if err != nil || !back.Equal(at) {
			t.Fatalf("parseAt(%q) = %v, which does not print back (%v)", s, at, err)
		}
	})
}
