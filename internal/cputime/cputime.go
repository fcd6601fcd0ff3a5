// Package cputime reads the CPU time the process has used, for the
// benchmarks and floor programs that report CPU beside wall time: on a
// shared machine the neighbours take the cores, not this process's CPU
// seconds, so CPU per operation is what the load changes least.
package cputime

import (
	"syscall"
	"testing"
	"time"
)

// Process returns the CPU time, user and system, of every thread of the
// process so far.
func Process() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, err
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}

// Start reads Process for a benchmark, before its loop.
func Start(b *testing.B) time.Duration {
	b.Helper()
	t, err := Process()
	if err != nil {
		b.Fatal(err)
	}
	return t
}

// ReportPerOp reports, as the metric unit, the CPU milliseconds each of b's
// operations used since start (Start, before the loop).
func ReportPerOp(b *testing.B, start time.Duration, unit string) {
	b.Helper()
	ms := float64(Start(b)-start) / float64(time.Millisecond) / float64(b.N)
	b.ReportMetric(ms, unit)
}
