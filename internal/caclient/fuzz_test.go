package caclient

import (
	"testing"
	"time"
)

// FuzzRetryAfter: whatever the header holds, the wait is between 0 and
// MaxRetryWait, and none is given for a value that is not one.
func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"", "0", "2", " 2 ", "-1", "1.5", "86400", "99999999999999999999999", "soon",
		"Tue, 01 Dec 2026 23:00:07 GMT", "Tuesday, 01-Dec-26 23:00:07 GMT", "Tue Dec  1 23:00:07 2026", "0x10"} {
		f.Add(s)
	}
	now := time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := retryAfter(v, now)
		if d < 0 || d > MaxRetryWait || (!ok && d != 0) {
			t.Errorf("retryAfter(%q) = %v, %v", v, d, ok)
		}
	})
}
