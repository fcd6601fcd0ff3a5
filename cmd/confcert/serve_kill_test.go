package main

import (
	"syscall"
	"testing"
	"time"
)

// TestServeSurvivesKill SIGKILLs the service during a burst of issuance,
// three times, restarting it on the same store each time: every
// certificate handed out is recorded, and no serial is ever handed out
// twice (issue 12).
func TestServeSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("runs and kills service processes")
	}
	e := newServeEnv(t, "")
	all := map[string]bool{}
	work := csrs(t, 400)
	for round, wait := range []time.Duration{300 * time.Millisecond, 700 * time.Millisecond, 1500 * time.Millisecond} {
		p := e.start("a")
		done := make(chan map[string][]string, 1)
		go func() { done <- e.burst([]string{p.base}, work, 6, true) }()
		time.Sleep(wait)
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = p.cmd.Wait()
		handed := (<-done)[p.base]
		rec := e.recorded()
		for _, s := range handed {
			if all[s] {
				t.Errorf("round %d: serial %s handed out again", round, s)
			}
			all[s] = true
			if r, ok := rec[s]; !ok || len(r.CertDER) == 0 {
				t.Errorf("round %d: certificate %s handed out before the kill is not recorded", round, s)
			}
		}
		t.Logf("round %d: killed after %v, %d certificates handed out, %d recorded in all", round, wait, len(handed), len(rec))
	}
	if len(all) == 0 {
		t.Fatal("no certificate was handed out before any kill: the test proved nothing")
	}
	p := e.start("a") // the store still serves after the last kill
	if _, err := e.submit(p.base, csrs(t, 1)[0]); err != nil {
		t.Errorf("after the kills: %v", err)
	}
}
