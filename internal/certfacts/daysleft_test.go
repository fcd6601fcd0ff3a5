package certfacts

import (
	"testing"
	"time"
)

func TestDaysLeft(t *testing.T) {
	at := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		d    time.Duration
		want int
	}{{48 * time.Hour, 2}, {47 * time.Hour, 1}, {time.Hour, 0}, {-time.Hour, -1}, {-49 * time.Hour, -3}} {
		if got := DaysLeft(at.Add(tt.d), at); got != tt.want {
			t.Errorf("DaysLeft(%v) = %d, want %d", tt.d, got, tt.want)
		}
	}
}
