package webui

import (
	"testing"
	"time"
)

func TestSessionsExpire(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	s := newSessions(func() time.Time { return now })
	id, ok := s.open("cct_secret")
	if !ok {
		t.Fatal("no session opened")
	}
	steps := []struct {
		after time.Duration
		live  bool
	}{
		{59 * time.Minute, true},  // seen: idle time starts again
		{59 * time.Minute, true},  // still within an hour of the last request
		{61 * time.Minute, false}, // idle for over an hour
	}
	for i, st := range steps {
		now = now.Add(st.after)
		if _, live := s.get(id); live != st.live {
			t.Fatalf("step %d: live %v, want %v", i, live, st.live)
		}
	}
	id, _ = s.open("cct_secret")
	for range 13 { // 12 h 47 min, never an hour idle
		now = now.Add(59 * time.Minute)
		s.get(id)
	}
	if _, live := s.get(id); live {
		t.Error("a session busy for 12 hours is still open")
	}
	other, _ := s.open("cct_other")
	s.close(other)
	if _, live := s.get(other); live {
		t.Error("a closed session is still open")
	}
}
