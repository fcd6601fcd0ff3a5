package certfacts_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/confcert/confcert/internal/certfacts"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/golden"
	"github.com/confcert/confcert/internal/ui"
)

// opener streams data (read n times over, never held n times).
func opener(data []byte, n int) certfacts.Opener {
	return func() (io.ReadCloser, error) {
		return io.NopCloser(&repeated{data: data, left: n}), nil
	}
}

// repeated reads data left times.
type repeated struct {
	data []byte
	off  int
	left int
}

func (r *repeated) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.data[r.off:])
	if r.off += n; r.off == len(r.data) {
		r.off, r.left = 0, r.left-1
	}
	return n, nil
}

func readFixture(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// whole renders data read whole (certio.Parse, File), as JSON and as text.
func whole(t *testing.T, name string, data []byte) (js, text []byte) {
	t.Helper()
	f, err := certio.Parse(name, data, certio.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := certfacts.File(f, now)
	var jb, tb bytes.Buffer
	if err := certfacts.WriteJSON(&jb, r); err != nil {
		t.Fatal(err)
	}
	if err := certfacts.WriteText(ui.New(&tb), r); err != nil {
		t.Fatal(err)
	}
	return jb.Bytes(), tb.Bytes()
}

// streamed renders what open reads through the stream, as JSON and as text.
func streamed(t *testing.T, name string, open certfacts.Opener) (js, text []byte) {
	t.Helper()
	var jb, tb bytes.Buffer
	if err := certfacts.StreamJSON(&jb, name, open, now, false); err != nil {
		t.Fatal(err)
	}
	var walked bytes.Buffer
	if err := certfacts.StreamJSON(&walked, name, open, now, true); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(walked.Bytes(), jb.Bytes()) {
		t.Errorf("%s: walking the file first changes the JSON", name)
	}
	if err := certfacts.StreamText(ui.New(&tb), name, open, now); err != nil {
		t.Fatal(err)
	}
	return jb.Bytes(), tb.Bytes()
}

// TestStreamMatchesGolden: the streamed output of the certificate fixtures
// is the golden files, byte for byte (spec cli.md's inspect --json).
func TestStreamMatchesGolden(t *testing.T) {
	for _, file := range []string{"../certio/testdata/chain.pem", "testdata/sha1-chain.pem"} {
		name := filepath.Base(file)
		js, text := streamed(t, name, opener(readFixture(t, file), 1))
		golden.Compare(t, "testdata/"+name+".json.golden", js)
		golden.Compare(t, "testdata/"+name+".txt.golden", text)
	}
}

// TestStreamMatchesWholeRead: over piles where issuers come before and after
// what they signed, repeated, mixed with strays, across batch boundaries,
// the stream writes exactly what reading the file whole writes.
func TestStreamMatchesWholeRead(t *testing.T) {
	chain := readFixture(t, "../certio/testdata/chain.pem")
	stray := readFixture(t, "testdata/quoted.pem")
	sha1 := readFixture(t, "testdata/sha1-chain.pem")
	pile := bytes.Join([][]byte{stray, chain, sha1, stray}, []byte("text between blocks\n"))
	tests := []struct {
		name  string
		data  []byte
		times int
	}{
		{"chain once", chain, 1},
		{"pile", pile, 1},
		{"pile across batches", pile, 700},
		{"crlf", bytes.ReplaceAll(pile, []byte("\n"), []byte("\r\n")), 3},
	}
	if sys, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt"); err == nil {
		tests = append(tests, struct {
			name  string
			data  []byte
			times int
		}{"system bundle", sys, 2})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantJS, wantText := whole(t, "pile.pem", bytes.Repeat(tt.data, tt.times))
			js, text := streamed(t, "pile.pem", opener(tt.data, tt.times))
			if !bytes.Equal(js, wantJS) {
				t.Errorf("streamed JSON differs from the whole read (%d vs %d bytes)", len(js), len(wantJS))
			}
			if !bytes.Equal(text, wantText) {
				t.Errorf("streamed text differs from the whole read (%d vs %d bytes)", len(text), len(wantText))
			}
		})
	}
}

// TestStreamLeavesOtherFiles: a file holding anything but certificates is
// not streamed, and nothing is written of it.
func TestStreamLeavesOtherFiles(t *testing.T) {
	for _, file := range []string{"../certio/testdata/mixed.pem", "../certio/testdata/rsa-pub.pem",
		"../certio/testdata/modern.p12", "../certio/testdata/leaf.der"} {
		var out bytes.Buffer
		err := certfacts.StreamJSON(&out, file, opener(readFixture(t, file), 1), now, false)
		if !errors.Is(err, certfacts.ErrNotStreamable) || out.Len() > 0 {
			t.Errorf("%s: %v, %d bytes written; want ErrNotStreamable and nothing", file, err, out.Len())
		}
	}
}

// TestStreamDamagedBlock: a damaged block is the error ReadFile gives, before
// anything is written.
func TestStreamDamagedBlock(t *testing.T) {
	chain := readFixture(t, "../certio/testdata/chain.pem")
	damaged := bytes.Replace(chain, []byte("-----END CERTIFICATE-----"), []byte("-----END CERTIFICATE"), 1)
	_, wantErr := certio.Parse("x", damaged, certio.Options{})
	var out bytes.Buffer
	err := certfacts.StreamJSON(&out, "x", opener(damaged, 1), now, false)
	if err == nil || wantErr == nil || out.Len() > 0 {
		t.Fatalf("stream: %v (%d bytes written); whole read: %v", err, out.Len(), wantErr)
	}
	if got, want := "x: "+err.Error(), wantErr.Error(); got != want {
		t.Errorf("stream error %q, whole read %q", got, want)
	}
}

// peakSink measures the live heap after each batch, when it is highest.
type peakSink struct{ peak uint64 }

func (s *peakSink) Begin(int) error { return nil }
func (s *peakSink) End() error      { return nil }
func (s *peakSink) Each(c *certfacts.Certificate) (*certfacts.Certificate, error) {
	return c, nil
}
func (s *peakSink) Batch([]*certfacts.Certificate) error {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	s.peak = max(s.peak, m.HeapAlloc)
	return nil
}

// TestStreamMemoryIsFlat: ten times the certificates does not make the heap
// ten times larger (issue 15: memory stays flat as the input grows), read in
// one pass with the rest of the file walked ahead (the leaf of each copy
// comes before its issuer), or with the whole file walked first (counted).
func TestStreamMemoryIsFlat(t *testing.T) {
	chain := readFixture(t, "../certio/testdata/chain.pem") // 3 certificates
	for _, counted := range []bool{false, true} {
		peak := func(times int) uint64 {
			runtime.GC()
			s := &peakSink{}
			if err := certfacts.Stream(opener(chain, times), now, s, counted); err != nil {
				t.Fatal(err)
			}
			return s.peak
		}
		small, big := peak(1500), peak(15000) // 4,500 and 45,000 certificates
		t.Logf("counted %v: peak heap %d KiB for 4,500 certificates, %d KiB for 45,000", counted, small>>10, big>>10)
		if big > 3*small {
			t.Errorf("counted %v: peak heap grew %.1fx for 10x the certificates; want under 3x", counted, float64(big)/float64(small))
		}
	}
}
