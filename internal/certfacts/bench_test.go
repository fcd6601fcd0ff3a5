package certfacts_test

import (
	"bytes"
	"io"
	"os"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/certfacts"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/cputime"
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
	start := cputime.Start(b)
	for b.Loop() {
		if err := certfacts.StreamJSON(io.Discard, "bundle.pem", open, now, false); err != nil {
			b.Fatal(err)
		}
	}
	cputime.ReportPerOp(b, start, "cpu-ms/op")
}
