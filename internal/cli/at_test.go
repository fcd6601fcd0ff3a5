package cli

import (
	"testing"
	"time"
)

func TestParseAt(t *testing.T) {
	tests := []struct {
		in   string
		want string
		fail bool
	}{
		{"2027-03-15", "2027-03-15T00:00:00Z", false},
		{"2027-03-15T08:30:00Z", "2027-03-15T08:30:00Z", false},
		{"2027-03-15T08:30:00+02:00", "2027-03-15T06:30:00Z", false},
		{"15/03/2027", "", true}, {"2027-3-15", "", true}, {"", "", true},
	}
	for _, tt := range tests {
		got, err := parseAt(tt.in)
		if (err != nil) != tt.fail || err == nil && got.UTC().Format(time.RFC3339) != tt.want {
			t.Errorf("%q: %v %v", tt.in, got, err)
		}
	}
}
