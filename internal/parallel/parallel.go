// Package parallel is confcert's one worker pool: parsing the certificates of
// a large bundle, finding issuers, reading the files of a directory walk,
// generating keys and probing endpoints all hand their items to it. CPU-bound
// work runs on Workers() goroutines; work that waits on the network (probes)
// asks for its own count. The pool stops handing out items when the context
// ends or an item fails.
package parallel

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// Workers is how many goroutines CPU-bound work is spread over: GOMAXPROCS,
// the cores the Go scheduler may use (it honours container CPU limits, which
// runtime.NumCPU does not).
func Workers() int { return runtime.GOMAXPROCS(0) }

// For calls fn(i) for every i in [0, n) on up to Workers() goroutines and
// returns when all calls have returned. Items are handed out one at a time,
// so uneven items (a large file beside small ones) still balance. fn must be
// safe to call concurrently for different i.
func For(n int, fn func(i int)) {
	_ = Do(context.Background(), n, 0, func(_ context.Context, i int) error {
		fn(i)
		return nil
	})
}

// Do calls fn(ctx, i) for i in [0, n) on up to workers goroutines (Workers()
// when workers <= 0), handing out one index at a time in increasing order.
// After the first error, or once ctx is done, no new index is handed out; Do
// waits for the calls in progress (fn should watch ctx to end early) and
// returns the first error, or ctx's error when ctx ended first. Do never
// leaves a goroutine behind.
func Do(ctx context.Context, n, workers int, fn func(ctx context.Context, i int) error) error {
	if workers <= 0 {
		workers = Workers()
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next, done atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(ctx, i); err != nil {
					once.Do(func() { first = err })
					cancel()
					continue
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	switch {
	case done.Load() == int64(n):
		return nil // every item done, even if ctx ended just after
	case first != nil && parent.Err() == nil:
		return first
	}
	return parent.Err()
}
