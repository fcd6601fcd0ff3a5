package expressway

import (
	"testing"
)

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in   string
		era  ekuEra
		fail bool
	}{
		{"X14.3", eraBoth, false}, {"X15.3.2", eraBoth, false}, {"X15.4", eraX154, false},
		{"x15.5", eraX155, false}, {"X15.5.1", eraX155, false}, {"X16.0", eraX155, false},
		{"15.5", 0, true}, {"X15", 0, true}, {"", 0, true}, {"X15.5MR1", 0, true},
	}
	for _, tt := range tests {
		v, err := ParseVersion(tt.in)
		if (err != nil) != tt.fail || err == nil && eraOf(v) != tt.era {
			t.Errorf("%q: %+v %v, want era %d fail %v", tt.in, v, err, tt.era, tt.fail)
		}
	}
}

func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"X15.5", "X14.3.2", "x8.10", "15.5", "X", "X15.5.1.2.3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVersion(s)
		if err == nil && (v.Major < 0 || v.Minor < 0 || v.Text != s) {
			t.Fatalf("%q: %+v", s, v)
		}
	})
}
