package cucm

import "testing"

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in               string
		major, minor, su int
		fail             bool
	}{
		{"12.5", 12, 5, 0, false}, {"12.5(1)SU3", 12, 5, 3, false}, {"14", 14, 0, 0, false},
		{"14SU2", 14, 0, 2, false}, {"15 SU 5", 15, 0, 5, false}, {"15su5", 15, 0, 5, false},
		{"X15", 0, 0, 0, true}, {"", 0, 0, 0, true}, {"15.0.1.10000", 0, 0, 0, true},
	}
	for _, tt := range tests {
		v, err := ParseVersion(tt.in)
		if (err != nil) != tt.fail || err == nil && (v.Major != tt.major || v.Minor != tt.minor || v.MR != tt.su) {
			t.Errorf("%q: %+v %v", tt.in, v, err)
		}
	}
	if v, _ := ParseVersion("15SU5"); !v.AtLeast(15, 0, 5) || v.AtLeast(15, 0, 6) {
		t.Error("15SU5 compares as 15.0 MR 5")
	}
}

func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"12.5", "12.5(1)SU3", "14SU2", "15", "15SU5", "X15.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVersion(s)
		if err == nil && (v.Major < 0 || v.Minor < 0 || v.MR < 0 || v.Text != s) {
			t.Fatalf("%q: %+v", s, v)
		}
	})
}
