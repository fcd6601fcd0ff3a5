package expiry

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkScanSystemBundle scans the system CA bundle (144 certificates)
// and the bundle concatenated 150 times (21,600 certificates, 33 MB), both
// streamed: each distinct certificate parsed and judged once; "whole/144"
// is the bundle read whole, every pair of certificates checked, as before
// issue 15.
func BenchmarkScanSystemBundle(b *testing.B) {
	one, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	if err != nil {
		b.Skipf("no system CA bundle: %v", err)
	}
	dir := b.TempDir()
	for _, tt := range []struct {
		name   string
		copies int
		whole  bool
	}{{"whole/144", 1, true}, {"stream/144", 1, false}, {"stream/21600", 150, false}} {
		path := filepath.Join(dir, fmt.Sprintf("%d.pem", tt.copies))
		if err := os.WriteFile(path, bytes.Repeat(one, tt.copies), 0o644); err != nil {
			b.Fatal(err)
		}
		o := Options{Now: time.Now(), WithinDays: 30}
		b.Run(tt.name, func(b *testing.B) {
			defer func(above int64) { streamAbove = above }(streamAbove)
			if tt.whole {
				streamAbove = maxFileSize
			}
			b.ReportAllocs()
			for b.Loop() {
				r, err := Scan(context.Background(), []string{path}, o)
				if err != nil || len(r.Items) != 144*tt.copies {
					b.Fatalf("%d items, %v", len(r.Items), err)
				}
			}
		})
	}
}
