package parallel

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
)

func TestForCallsEachIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7, 1000} {
		counts := make([]atomic.Int32, n)
		For(n, func(i int) { counts[i].Add(1) })
		for i := range counts {
			if got := counts[i].Load(); got != 1 {
				t.Fatalf("n=%d: index %d called %d times, want 1", n, i, got)
			}
		}
	}
}

// TestDoStops: after an error, or once the context is cancelled, no new
// index is handed out; the error (the context's, when it ended first) is
// returned, and every call in progress has returned by then.
func TestDoStops(t *testing.T) {
	errItem := errors.New("item 0 failed")
	tests := []struct {
		name    string
		workers int
		fail    func(cancel context.CancelFunc, i int) error // item 0
		want    error
	}{
		{"error", 2, func(_ context.CancelFunc, i int) error {
			if i == 0 {
				return errItem
			}
			return nil
		}, errItem},
		{"cancelled", 2, func(cancel context.CancelFunc, i int) error {
			if i == 0 {
				cancel()
			}
			return nil
		}, context.Canceled},
		{"one worker, cancelled", 1, func(cancel context.CancelFunc, i int) error {
			if i == 0 {
				cancel()
			}
			return nil
		}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			const n = 10000
			var late, running atomic.Int32
			firstDone := make(chan struct{})
			err := Do(ctx, n, tt.workers, func(ctx context.Context, i int) error {
				running.Add(1)
				defer running.Add(-1)
				if ctx.Err() != nil {
					late.Add(1) // handed out in the instant of the stop
				}
				if i == 0 {
					defer close(firstDone)
					return tt.fail(cancel, i)
				}
				<-firstDone // the others cannot race past item 0
				return nil
			})
			if !errors.Is(err, tt.want) {
				t.Errorf("Do = %v, want %v", err, tt.want)
			}
			// A worker may have taken an index just as the stop came, once;
			// after that it must stop.
			if got := late.Load(); got > int32(tt.workers) {
				t.Errorf("%d calls started after the stop, want at most one per worker (%d)", got, tt.workers)
			}
			if r := running.Load(); r != 0 {
				t.Errorf("%d calls still running after Do returned", r)
			}
		})
	}
}

// TestDoWorkers: no more than the workers asked for run at once, and a
// context cancelled after the last item does not turn success into an error.
func TestDoWorkers(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var running, most atomic.Int32
	err := Do(ctx, 50, 3, func(_ context.Context, i int) error {
		r := running.Add(1)
		defer running.Add(-1)
		for m := most.Load(); r > m && !most.CompareAndSwap(m, r); m = most.Load() {
		}
		if i == 49 {
			cancel()
		}
		return nil
	})
	if most.Load() > 3 {
		t.Errorf("%d calls at once, want at most 3", most.Load())
	}
	if err != nil {
		t.Errorf("Do = %v after every item succeeded, want nil", err)
	}
}
