package cputime

import (
	"crypto/sha256"
	"testing"
	"time"
)

// TestProcessCountsWork: hashing 64 MiB on this goroutine moves the
// process's CPU time forward, by at least the wall time the hashing took
// minus what the scheduler may have given to others (a time slice).
func TestProcessCountsWork(t *testing.T) {
	before, err := Process()
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1<<20)
	for range 64 {
		s := sha256.Sum256(buf)
		buf[0] = s[0]
	}
	after, err := Process()
	if err != nil {
		t.Fatal(err)
	}
	if after <= before {
		t.Fatalf("CPU time did not move: %v then %v", before, after)
	}
	if after-before > time.Hour {
		t.Fatalf("CPU time moved by %v for 64 MiB of hashing", after-before)
	}
}
