package validity

import (
	"testing"
	"time"
)

// TestExpiredAtTheExactSecond: valid through notAfter inclusive (RFC 5280
// §4.1.2.5), expired one second (and one nanosecond) later.
func TestExpiredAtTheExactSecond(t *testing.T) {
	notAfter := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		at   time.Time
		want bool
	}{
		{notAfter.Add(-time.Second), false},
		{notAfter, false},
		{notAfter.Add(time.Nanosecond), true},
		{notAfter.Add(time.Second), true},
	} {
		if got := Expired(notAfter, tt.at); got != tt.want {
			t.Errorf("Expired at %v = %v, want %v", tt.at.Sub(notAfter), got, tt.want)
		}
	}
	notBefore := notAfter.AddDate(-1, 0, 0)
	if NotYetValid(notBefore, notBefore) || !NotYetValid(notBefore, notBefore.Add(-time.Second)) {
		t.Error("NotYetValid: valid from notBefore inclusive")
	}
}

func TestExpiresWithin(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	w := Window(WarnDays)
	if w != 30*24*time.Hour {
		t.Fatalf("Window(30) = %v", w)
	}
	for _, tt := range []struct {
		left time.Duration
		want bool
	}{{w - time.Second, true}, {w, false}, {w + time.Second, false}, {0, true}} {
		if got := ExpiresWithin(now.Add(tt.left), now, w); got != tt.want {
			t.Errorf("ExpiresWithin(%v left) = %v, want %v", tt.left, got, tt.want)
		}
	}
}

func TestDaysLeft(t *testing.T) {
	at := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		d    time.Duration
		want int
	}{{48 * time.Hour, 2}, {47 * time.Hour, 1}, {time.Hour, 0}, {0, 0}, {-time.Hour, -1}, {-49 * time.Hour, -3}} {
		if got := DaysLeft(at.Add(tt.d), at); got != tt.want {
			t.Errorf("DaysLeft(%v) = %d, want %d", tt.d, got, tt.want)
		}
	}
}

func TestCaps(t *testing.T) {
	if DefaultDays > MaxPlannedDays || MaxPlannedDays > MaxDays || MaxPlannedDays != LocalCAYears*365 {
		t.Errorf("default %d, planned cap %d, cap %d, local CA %d years", DefaultDays, MaxPlannedDays, MaxDays, LocalCAYears)
	}
}
