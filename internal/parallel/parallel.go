// Package parallel spreads independent work over all cores: parsing the
// certificates of a large bundle, finding issuers, reading the files of a
// directory walk. Key generation and probing have their own pools (they
// report progress and stop early); this is the plain "do all of these" case.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// For calls fn(i) for every i in [0, n) on up to GOMAXPROCS goroutines and
// returns when all calls have returned. Items are handed out one at a time,
// so uneven items (a large file beside small ones) still balance. fn must be
// safe to call concurrently for different i.
func For(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				fn(i)
			}
		})
	}
	wg.Wait()
}
