package certio

import (
	"runtime"
	"sync"
)

// minParallel is the smallest job count worth spreading over goroutines.
const minParallel = 64

// parallelFor calls fn(i) for every i in [0, n), one contiguous range per
// core; small jobs run on the calling goroutine. A 21,600-certificate system
// bundle is the common large input (issue 2).
func parallelFor(n int, fn func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	if n < minParallel || workers == 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for start := 0; start < n; start += chunk {
		end := min(start+chunk, n)
		wg.Go(func() {
			for i := start; i < end; i++ {
				fn(i)
			}
		})
	}
	wg.Wait()
}
