package certio_test

import (
	"bytes"
	"testing"

	"github.com/confcert/confcert/internal/certio"
)

// TestStreamBlockAtReadBoundary: a PEM block whose BEGIN line, body or END
// line is cut exactly where a read of the stream ends (64 KiB, then 1 MiB
// at a time) is read as Parse reads it, and its Span reads it again; with
// LF and CRLF line ends, and headers in the block.
func TestStreamBlockAtReadBoundary(t *testing.T) {
	chain := mustRead(t, "testdata/chain.pem")
	first := chain[:bytes.Index(chain[1:], []byte("-----BEGIN"))+1]
	crlf := func(b []byte) []byte { return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")) }
	withHeader := bytes.Replace(chain, []byte("-----BEGIN CERTIFICATE-----\n"), []byte("-----BEGIN CERTIFICATE-----\nComment: a header\n\n"), 1)
	for _, body := range [][]byte{chain, crlf(chain), withHeader} {
		for _, at := range []int{64 << 10, 64<<10 + 1<<20, 64<<10 + 2<<20} {
			for _, cut := range []int{0, 1, 5, 11, 12, 40, 200, len(first) - 30, len(first) - 1} {
				// the first certificate, text, then the body with its
				// first block starting cut bytes before the boundary
				pad := at - cut - len(first)
				if pad < 1 {
					t.Fatal("boundary too close")
				}
				data := append(append([]byte{}, first...), bytes.Repeat([]byte("#"), pad-1)...)
				data = append(append(data, '\n'), body...)
				f, err := certio.Parse("x", data, certio.Options{})
				if err != nil {
					t.Fatalf("at %d cut %d: Parse: %v", at, cut, err)
				}
				want := f.Certificates()
				for _, batch := range []int{1, 2048} {
					got, err := streamAll(data, batch)
					if err != nil || len(got) != len(want) {
						t.Fatalf("at %d, cut %d, batch %d: %d certificates, %v; want %d", at, cut, batch, len(got), err, len(want))
					}
					for i := range want {
						if !bytes.Equal(got[i], want[i].Raw) {
							t.Errorf("at %d, cut %d, batch %d: certificate %d differs", at, cut, batch, i)
						}
					}
				}
			}
		}
	}
}
