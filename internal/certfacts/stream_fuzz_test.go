package certfacts_test

import (
	"bytes"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/confcert/confcert/internal/certfacts"
)

// fuzzPool is the certificates FuzzStreamMatchesWholeRead arranges: chains
// whose issuers may come before or after what they signed, a cross-signed
// intermediate (same subject and key, two issuers), strays, self-signed
// roots, an SHA-1 chain and one with quoted names.
func fuzzPool(f *testing.F) [][]byte {
	f.Helper()
	files, err := filepath.Glob("../chain/testdata/pki/*.pem")
	if err != nil || len(files) == 0 {
		f.Fatalf("no fixtures: %v", err)
	}
	files = append(files, "../certio/testdata/chain.pem", "testdata/sha1-chain.pem", "testdata/quoted.pem")
	var pool [][]byte
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for {
			var b *pem.Block
			if b, data = pem.Decode(data); b == nil {
				break
			}
			if b.Type == "CERTIFICATE" {
				pool = append(pool, pem.EncodeToMemory(b))
			}
		}
	}
	return pool
}

// FuzzStreamMatchesWholeRead: whatever the order, repetition and mix of
// certificates, and wherever the batch boundaries fall, inspect's stream
// writes exactly what reading the file whole writes: the same issued_by
// links (the first certificate of the file that signed each), the same
// JSON, the same text. The first byte sets the batch size (1 to 8), each
// next byte picks a certificate of the pool; a byte >= 0xf0 puts Windows
// text between two blocks.
func FuzzStreamMatchesWholeRead(f *testing.F) {
	pool := fuzzPool(f)
	f.Add([]byte{2, 0, 1, 2, 3})
	f.Add([]byte{1, 3, 2, 1, 0, 0, 0xf1, 5})
	f.Add([]byte{3, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0})
	f.Add([]byte{8, 4, 4, 4, 4, 0xf0, 12, 13, 14, 15})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) < 2 || len(in) > 200 {
			return
		}
		var file bytes.Buffer
		for _, b := range in[1:] {
			if b >= 0xf0 {
				file.WriteString("Bag Attributes\r\n    friendlyName: x\r\n")
				continue
			}
			file.Write(pool[int(b)%len(pool)])
		}
		if !bytes.Contains(file.Bytes(), []byte("BEGIN CERTIFICATE")) {
			return
		}
		defer certfacts.SetStreamBatch(1 + int(in[0])%8)()
		wantJS, wantText := whole(t, "fuzz.pem", file.Bytes())
		js, text := streamed(t, "fuzz.pem", opener(file.Bytes(), 1))
		if !bytes.Equal(js, wantJS) {
			t.Errorf("streamed JSON differs from the whole read:\n%s\nwant:\n%s", js, wantJS)
		}
		if !bytes.Equal(text, wantText) {
			t.Errorf("streamed text differs from the whole read:\n%s\nwant:\n%s", text, wantText)
		}
	})
}
