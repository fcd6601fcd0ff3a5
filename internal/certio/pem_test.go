package certio

import (
	"bytes"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
)

// FuzzPlainBlock checks the fast PEM decoder agrees with encoding/pem on
// every block it accepts.
func FuzzPlainBlock(f *testing.F) {
	names, err := filepath.Glob("testdata/*.pem")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		for _, start := range blockStarts(data) {
			f.Add(data[start:])
		}
	}
	f.Add([]byte("-----BEGIN X-----\nAAAA\n-----END X----- trailing\n"))
	f.Add([]byte("-----BEGIN X-----\nAA AA\n\n-----END Y-----\n"))
	f.Add([]byte("-----BEGIN X-----\nAA==\nAAAA\n-----END X-----\n"))
	f.Add([]byte("-----BEGIN X-----\r\nAAAA\r\nAAA=\r\n\r\n-----END X-----\r\n"))
	f.Add([]byte("-----BEGIN X-----\nAAAAA\nAAA\n-----END X-----\n"))
	f.Fuzz(func(t *testing.T, seg []byte) {
		fast := plainBlock(seg)
		if fast == nil {
			return
		}
		slow, _ := pem.Decode(seg)
		if slow == nil || slow.Type != fast.Type || !bytes.Equal(slow.Bytes, fast.Bytes) || len(slow.Headers) > 0 {
			t.Fatalf("plainBlock accepted %q as %q %x; pem.Decode gives %+v", seg, fast.Type, fast.Bytes, slow)
		}
	})
}
