package probe

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/confcert/confcert/internal/loopback"
)

// TestAllStopsWhenCancelled: Ctrl-C in the middle of a probe run against
// servers that never answer (and a timeout of a minute) ends the probes in
// flight at once, starts no other target, and says so with an error that
// wraps context.Canceled; no probe goroutine is left behind.
func TestAllStopsWhenCancelled(t *testing.T) {
	accepted := make(chan struct{}, 100)
	silent := serve(t, func(c net.Conn) {
		accepted <- struct{}{}
		loopback.Silent(c)
	})
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	targets := make([]Target, 20)
	for i := range targets {
		targets[i] = silent
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const concurrency = 2
	go func() {
		for range concurrency {
			<-accepted // both probes are waiting on the silent server
		}
		cancel()
	}()
	o := Options{Timeout: time.Minute}
	results, err := All(ctx, targets, o, concurrency, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("All = %v, want an error wrapping context.Canceled", err)
	}
	started := 0
	for _, r := range results {
		if r.Target != (Target{}) {
			started++
		}
	}
	// The two waiting probes, and at most one more per worker taken in the
	// instant of the cancel.
	if started > 2*concurrency {
		t.Errorf("%d of %d targets probed after a cancel during the first two", started, len(targets))
	}
}

// TestProbeCancelledEndsRead: a single probe blocked in the STARTTLS read
// of a silent server ends when its context is cancelled, not at its
// timeout of a minute.
func TestProbeCancelledEndsRead(t *testing.T) {
	accepted := make(chan struct{}, 1)
	target := serve(t, func(c net.Conn) {
		accepted <- struct{}{}
		loopback.Silent(c)
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-accepted
		cancel()
	}()
	r := Probe(ctx, target, Options{StartTLS: XMPP, Timeout: time.Minute})
	if r.OK() || len(r.Chain) != 0 || len(r.Findings) != 1 || !strings.Contains(r.Findings[0].Message, "stopped: the probe was cancelled") {
		t.Errorf("findings %+v, want one CONNECT failure that says the probe was cancelled (not timed out)", r.Findings)
	}
	if ctx.Err() == nil {
		t.Error("Probe returned before the cancel")
	}
}
