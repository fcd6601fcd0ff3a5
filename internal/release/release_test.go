package release

import (
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in               string
		major, minor, mr int
		plain            bool
	}{
		{"2.0", 2, 0, 0, true},
		{"2.5MR5", 2, 5, 5, false},
		{"2.5 MR 5", 2, 5, 5, false},
		{"2.5mr5", 2, 5, 5, false},
		{"6.0MR5", 6, 0, 5, false},
		{"1.x", 1, 0, 0, false},
		{"2.6.1", 2, 6, 0, false},
		{"2.6.1MR2", 2, 6, 2, false},
		{" 3.8 ", 3, 8, 0, true},
	}
	for _, tt := range tests {
		v, err := Parse(tt.in)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if v.Major != tt.major || v.Minor != tt.minor || v.MR != tt.mr || v.Text != tt.in || v.String() != tt.in {
			t.Errorf("%q: got %+v", tt.in, v)
		}
		if PlainParts(tt.in) != tt.plain {
			t.Errorf("%q: PlainParts = %v", tt.in, !tt.plain)
		}
	}
	for _, bad := range []string{"", "2", "two", "2.", ".5", "2.5MR", "2.5 SU1", "2.5.x", "12345.0", "2.5MR5MR6"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}

func TestAtLeastBefore(t *testing.T) {
	v, _ := Parse("2.5MR5")
	tests := []struct {
		major, minor, mr int
		want             bool
	}{
		{2, 5, 5, true}, {2, 5, 4, true}, {2, 5, 6, false}, {2, 4, 9, true}, {2, 6, 0, false}, {3, 0, 0, false}, {1, 9, 9, true},
	}
	for _, tt := range tests {
		if got := v.AtLeast(tt.major, tt.minor, tt.mr); got != tt.want {
			t.Errorf("2.5MR5 AtLeast(%d,%d,%d) = %v", tt.major, tt.minor, tt.mr, got)
		}
	}
	if v.Before(2, 5) || !v.Before(2, 6) {
		t.Error("Before")
	}
}

// FuzzParse: Parse never panics, and what it accepts keeps its text and
// reads the same once more.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"2.0", "2.5MR5", "1.x", "2.6.1", "6.0 MR 5", "x", "2..5", "9999.9999mr9999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse(s)
		if err != nil {
			return
		}
		if v.Text != s {
			t.Fatalf("Text %q, want %q", v.Text, s)
		}
		again, err := Parse(v.Text)
		if err != nil || again != v {
			t.Fatalf("second read of %q: %+v, %v", s, again, err)
		}
		if v.Major < 0 || v.Minor < 0 || v.MR < 0 {
			t.Fatalf("negative part in %+v", v)
		}
	})
}
