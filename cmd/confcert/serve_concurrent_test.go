package main

import (
	"syscall"
	"testing"

	"github.com/confcert/confcert/internal/pgtest"
)

// TestServeTwoInstancesOnePostgres runs two service processes on one
// PostgreSQL database, each with its own home, sharing only the store and
// the KEK, and has them issue concurrently: no serial twice, every
// certificate handed out recorded, both able to sign (issue 12).
func TestServeTwoInstancesOnePostgres(t *testing.T) {
	t.Parallel() // its own homes, ports and schema: it overlaps the transcripts
	e := newServeEnv(t, pgtest.URL(t))
	a, b := e.start("a"), e.start("b")
	got := e.burst([]string{a.base, b.base}, csrs(t, 60), 8, false)
	if len(got[a.base]) != 30 || len(got[b.base]) != 30 {
		t.Fatalf("issued by each instance: %d and %d, want 30 and 30", len(got[a.base]), len(got[b.base]))
	}
	rec := e.recorded()
	seen := map[string]bool{}
	for _, serials := range got {
		for _, s := range serials {
			if seen[s] {
				t.Errorf("serial %s handed out twice", s)
			}
			seen[s] = true
			if r, ok := rec[s]; !ok || len(r.CertDER) == 0 || r.RequestID == "" {
				t.Errorf("certificate %s handed out but not recorded with its request", s)
			}
		}
	}
	for _, p := range []*serveProc{a, b} {
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := p.cmd.Wait(); err != nil {
			t.Errorf("graceful stop: %v\n%s", err, p.log())
		}
	}
}
