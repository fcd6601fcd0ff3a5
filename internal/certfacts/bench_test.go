package certfacts_test

import (
	"bytes"
	"io"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/certfacts"
	"github.com/confcert/confcert/internal/certio"
)

func BenchmarkInspectJSONSystemBundle(b *testing.B) {
	one, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	if err != nil {
		b.Skipf("no system CA bundle: %v", err)
	}
	data := bytes.Repeat(one, 150)
	now := time.Now()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := certio.Parse("bundle.pem", data, certio.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := certfacts.WriteJSON(io.Discard, certfacts.File(f, now)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStreamJSONSystemBundle is the streaming inspect --json of the
// same 21,600 certificates (two passes of batches, compact index), read
// from memory; compare its B/op with BenchmarkInspectJSONSystemBundle's.
func BenchmarkStreamJSONSystemBundle(b *testing.B) {
	one, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	if err != nil {
		b.Skipf("no system CA bundle: %v", err)
	}
	data := bytes.Repeat(one, 150)
	open := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	now := time.Now()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	start := cpuTime(b)
	for b.Loop() {
		if err := certfacts.StreamJSON(io.Discard, "bundle.pem", open, now, false); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime(b)-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// cpuTime is the process's CPU time so far (user and system, every thread):
// what the machine's load changes least (bench/floor/inspect's benchmark
// reports the same for the floor).
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
