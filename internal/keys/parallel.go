package keys

import (
	"crypto"
	"runtime"
	"sync"
)

// GenerateAll makes one key per entry of types, in parallel on every core,
// and returns them in the order of types. onDone, when not nil, is called once
// per finished key from the calling goroutine (never concurrently), so it may
// drive a progress bar. The first error stops the handing out of new work and
// is returned.
func GenerateAll(types []Type, onDone func()) ([]crypto.Signer, error) {
	workers := min(runtime.NumCPU(), len(types))
	jobs := make(chan int)
	results := make(chan result)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				k, err := Generate(types[i])
				results <- result{i, k, err}
			}
		}()
	}
	go feed(jobs, len(types), stop)
	go func() { wg.Wait(); close(results) }()
	return collect(results, len(types), stop, onDone)
}

type result struct {
	index int
	key   crypto.Signer
	err   error
}

// feed hands out job indexes until all are given or stop is closed.
func feed(jobs chan<- int, n int, stop <-chan struct{}) {
	defer close(jobs)
	for i := range n {
		select {
		case jobs <- i:
		case <-stop:
			return
		}
	}
}

// collect gathers the results in order; after the first error it closes stop
// and drains what the workers are still finishing.
func collect(results <-chan result, n int, stop chan struct{}, onDone func()) ([]crypto.Signer, error) {
	out := make([]crypto.Signer, n)
	var firstErr error
	for r := range results {
		if r.err != nil && firstErr == nil {
			firstErr = r.err
			close(stop)
		}
		out[r.index] = r.key
		if r.err == nil && firstErr == nil && onDone != nil {
			onDone()
		}
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}
