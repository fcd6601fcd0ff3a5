package caservice

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/metrics"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/keys"
)

// burstSize is how many requests arrive at once in BenchmarkBurst: twice
// the default bound.
const burstSize = 2 * DefaultMaxIssuing

// BenchmarkBurst: burstSize automatic requests submitted at once (ECDSA
// CA, SQLite, every record durable), with the bound small, at its default
// and as good as none. It reports the heap's peak over the burst (sampled
// every 5 ms), how many were refused, and the slowest answer of a request
// let in: what the bound keeps finite (docs/serve.md, "Bounds on the work
// in flight"). Run: go test -run '^$' -bench Burst -benchtime 1x
// ./internal/caservice
func BenchmarkBurst(b *testing.B) {
	for _, bound := range []int{64, DefaultMaxIssuing, 1 << 20} {
		b.Run(fmt.Sprintf("max-issuing-%d", bound), func(b *testing.B) {
			s := burstService(b, bound)
			csr := makeCSR(b, csrSpec{cn: "cb.example.com", sans: []string{"cb.example.com"}})
			var peak uint64
			var slowest time.Duration
			var nRefused int
			for b.Loop() {
				runtime.GC()
				stop := samplePeakHeap(&peak)
				n, slow := burst(b, s, csr)
				stop()
				nRefused += n
				slowest = max(slowest, slow)
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(nRefused)/float64(b.N), "refused/burst")
			b.ReportMetric(slowest.Seconds(), "slowest-answer-s")
		})
	}
}

func burstService(b *testing.B, bound int) *Service {
	b.Helper()
	ctx := context.Background()
	o, err := castore.OpenConfig(ctx, castore.Config{Home: b.TempDir(), Seal: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { o.Store.Close() })
	s := New(Config{Store: o.Store, BaseURL: "https://ca.test:8443", DefaultCA: "bench", CAKeyType: keys.ECDSAP256, MaxIssuing: bound})
	if _, err := s.EnsureCA(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := s.ApplyProfiles(ctx, admin, []byte("profiles:\n- {name: auto, role: cms-callbridge, approval: auto}\n")); err != nil {
		b.Fatal(err)
	}
	return s
}

// burst submits burstSize requests at once and returns how many were
// refused and the slowest answer of those let in.
func burst(b *testing.B, s *Service, csr string) (int, time.Duration) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var took []time.Duration
	refused := 0
	start := make(chan struct{})
	for range burstSize {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			t0 := time.Now()
			_, err := s.Submit(context.Background(), alice, SubmitInput{CSRPEM: csr, Profile: "auto", Days: 90})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, ErrBusy):
				refused++
			case err != nil:
				b.Error(err)
			default:
				took = append(took, time.Since(t0))
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(took) == 0 {
		return refused, 0
	}
	return refused, slices.Max(took)
}

// samplePeakHeap keeps in peak the largest heap seen until stop is called.
func samplePeakHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	go func() {
		defer close(finished)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			*peak = max(*peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}
