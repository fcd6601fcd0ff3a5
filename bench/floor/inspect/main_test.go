package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/confcert/confcert/internal/cputime"
)

// TestRunWritesEveryCertificate: one JSON object a line, one line per
// certificate, in file order.
func TestRunWritesEveryCertificate(t *testing.T) {
	chain, err := os.ReadFile("../../../internal/certio/testdata/chain.pem")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "pile.pem")
	if err := os.WriteFile(path, bytes.Repeat(chain, 1000), 0o600); err != nil { // 3,000: two batches
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(path, &out); err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(out.Bytes(), []byte("\n")), []byte("\n"))
	if len(lines) != 3000 {
		t.Fatalf("%d lines, want 3000", len(lines))
	}
	for i, l := range lines {
		var c struct{ Index int }
		if err := json.Unmarshal(l, &c); err != nil || c.Index != i {
			t.Fatalf("line %d: index %d, %v", i, c.Index, err)
		}
	}
}

// BenchmarkFloorSystemBundle is the floor's work on the 21,600 certificates
// of bench/inspect.sh, read from a file, written to nowhere; compare it with
// internal/certfacts' BenchmarkStreamJSONSystemBundle (allocations, and the
// process's CPU per run, which the machine's load changes least).
func BenchmarkFloorSystemBundle(b *testing.B) {
	one, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	if err != nil {
		b.Skipf("no system CA bundle: %v", err)
	}
	path := filepath.Join(b.TempDir(), "21k.pem")
	if err := os.WriteFile(path, bytes.Repeat(one, 150), 0o600); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(150 * len(one)))
	b.ReportAllocs()
	start := cputime.Start(b)
	for b.Loop() {
		if err := run(path, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	cputime.ReportPerOp(b, start, "cpu-ms/op")
}
