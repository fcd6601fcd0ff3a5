package keys

import (
	"math"
	"runtime"
	"slices"
	"syscall"
	"testing"
	"time"
)

// BenchmarkGenerate is the time of one key of each type, with allocations.
func BenchmarkGenerate(b *testing.B) {
	for _, t := range []Type{RSA2048, ECDSAP256} {
		b.Run(string(t), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Generate(t); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGenerateRSA2048Spread measures how much the time of one RSA-2048
// key varies (the prime search is random): each key's CPU time is measured
// alone (the thread's, locked to the goroutine: what other processes do on
// the machine changes it little) and the benchmark reports the 10th, 50th and
// 90th percentile in ms, the coefficient
// of variation (standard deviation over mean) of one key, and what that makes
// the coefficient of variation of 18 keys added up (a plan of
// bench/cms-10node.yaml, and its floor): sd/sqrt(18) over the mean. The
// ratio of two such runs of the same program spreads about sqrt(2) times
// that. Run with -benchtime 100x for 100 keys.
func BenchmarkGenerateRSA2048Spread(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var ms []float64
	for b.Loop() {
		t0 := threadCPU(b)
		if _, err := Generate(RSA2048); err != nil {
			b.Fatal(err)
		}
		ms = append(ms, float64((threadCPU(b)-t0).Microseconds())/1000)
	}
	if len(ms) < 10 {
		return // too few keys to say anything (the benchmark's first, b.N=1 round)
	}
	slices.Sort(ms)
	mean, sd := meanSD(ms)
	b.ReportMetric(ms[len(ms)/10], "p10-ms")
	b.ReportMetric(ms[len(ms)/2], "p50-ms")
	b.ReportMetric(ms[len(ms)*9/10], "p90-ms")
	b.ReportMetric(sd/mean, "cv-1key")
	b.ReportMetric(sd*math.Sqrt(18)/(18*mean), "cv-18keys")
}

// threadCPU is the CPU time of the calling thread so far.
func threadCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rusageThread is Linux's RUSAGE_THREAD (syscall does not name it).
const rusageThread = 1

// meanSD is the mean and the (sample) standard deviation of xs.
func meanSD(xs []float64) (mean, sd float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(xs)-1))
}
