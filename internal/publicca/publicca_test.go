package publicca

import (
	"strings"
	"testing"
	"time"
)

func at(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestMaxDays: the day before and the day of each change (BR §6.3.2).
func TestMaxDays(t *testing.T) {
	tests := []struct {
		day  string
		want int
	}{
		{"2025-06-01", 398},
		{"2026-03-14", 398},
		{"2026-03-15", 200},
		{"2027-03-14", 200},
		{"2027-03-15", 100},
		{"2029-03-14", 100},
		{"2029-03-15", 47},
		{"2035-01-01", 47},
	}
	for _, tt := range tests {
		if got := MaxDays(at(tt.day)).MaxDays; got != tt.want {
			t.Errorf("MaxDays(%s) = %d, want %d", tt.day, got, tt.want)
		}
	}
	// One second before midnight UTC is still the old day.
	if got := MaxDays(at("2026-03-15").Add(-time.Second)).MaxDays; got != 398 {
		t.Errorf("23:59:59 the day before: %d, want 398", got)
	}
}

func TestValidityWarning(t *testing.T) {
	tests := []struct {
		day        string
		days       int
		want, none bool
		sub        string
	}{
		{"2026-03-14", 398, false, true, ""},
		{"2026-03-15", 398, true, false, "at most 200 days since 2026-03-15"},
		{"2026-03-15", 200, false, true, ""},
		{"2027-03-14", 200, false, true, ""},
		{"2027-03-15", 200, true, false, "at most 100 days since 2027-03-15"},
		{"2029-03-14", 100, false, true, ""},
		{"2029-03-15", 100, true, false, "at most 47 days since 2029-03-15"},
		{"2025-01-01", 399, true, false, "at most 398 days (CA/Browser Forum"},
	}
	for _, tt := range tests {
		got := ValidityWarning("expe1", tt.days, at(tt.day))
		if (got != "") != tt.want {
			t.Errorf("%s %d days: %q", tt.day, tt.days, got)
			continue
		}
		if tt.want && (!strings.Contains(got, tt.sub) || !strings.Contains(got, "Baseline Requirements §6.3.2")) {
			t.Errorf("%s: %q lacks %q and its source", tt.day, got, tt.sub)
		}
	}
}

// TestClientAuthWarning: nothing before Let's Encrypt's date; from it, the
// Let's Encrypt date and Chrome's coming one; from Chrome's date, every CA.
func TestClientAuthWarning(t *testing.T) {
	const way = "use the private CA"
	tests := []struct {
		day  string
		want []string
		not  []string
	}{
		{"2026-02-10", nil, nil},
		{"2026-02-11", []string{"Let's Encrypt stopped issuing clientAuth on 2026-02-11", "every public CA must stop by 2027-03-15", "Chrome Root Program Policy 1.8", way}, nil},
		{"2027-03-14", []string{"Let's Encrypt", "must stop by 2027-03-15"}, nil},
		{"2027-03-15", []string{"every public CA stopped issuing clientAuth on 2027-03-15", way}, []string{"Let's Encrypt", "must stop by"}},
	}
	for _, tt := range tests {
		got := ClientAuthWarning("expc1", at(tt.day), way)
		if tt.want == nil {
			if got != "" {
				t.Errorf("%s: want no warning, got %q", tt.day, got)
			}
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", tt.day, got, w)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(got, n) {
				t.Errorf("%s: %q should not say %q", tt.day, got, n)
			}
		}
	}
}

func TestNextLimit(t *testing.T) {
	l, ok := NextLimit(at("2026-12-01"))
	if !ok || l.MaxDays != 100 || Date(l.From) != "2027-03-15" {
		t.Errorf("next after 2026-12-01: %+v %v", l, ok)
	}
	if _, ok := NextLimit(at("2029-03-15")); ok {
		t.Error("no change is scheduled after 2029-03-15")
	}
}

// TestNextRenewalDue: a public certificate renewed 30 days before it expires
// gets the limit in force on the renewal day.
func TestNextRenewalDue(t *testing.T) {
	const d = 24 * time.Hour
	tests := []struct {
		name     string
		notAfter string
		lifetime time.Duration
		public   bool
		want     string
	}{
		// renewed 2026-03-14 (398 days still allowed): keeps its 397 days, due 367 days later
		{"before 200", "2026-04-13", 397 * d, true, "2027-03-16"},
		// renewed 2026-03-15: 200 days, next due 170 days later
		{"200 from 2026-03-15", "2026-04-14", 397 * d, true, "2026-09-01"},
		// renewed 2027-03-15: 100 days
		{"100 from 2027-03-15", "2027-04-14", 200 * d, true, "2027-05-24"},
		// renewed 2029-03-15: 47 days
		{"47 from 2029-03-15", "2029-04-14", 100 * d, true, "2029-04-01"},
		// a private CA keeps its lifetime
		{"private", "2029-04-14", 730 * d, false, "2031-02-13"},
	}
	for _, tt := range tests {
		got := NextRenewalDue(at(tt.notAfter), tt.lifetime, 30*d, tt.public)
		if Date(got) != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, Date(got), tt.want)
		}
	}
}
