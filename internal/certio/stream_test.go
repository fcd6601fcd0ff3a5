package certio_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/confcert/confcert/internal/certio"
)

// streamAll reads every certificate DER of data through a Stream, and
// checks that each block's Span, read again with ReadSpan, gives the same
// DER (a Span that does not is a panic: the tests and the fuzz target fail).
func streamAll(data []byte, batch int) ([][]byte, error) {
	s := certio.NewStream(bytes.NewReader(data))
	var out [][]byte
	for {
		ders, err := s.Next(batch)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if len(s.Spans()) != len(ders) {
			panic(fmt.Sprintf("%d spans for %d certificates", len(s.Spans()), len(ders)))
		}
		for i, sp := range s.Spans() {
			der, err := certio.ReadSpan(bytes.NewReader(data), sp)
			if err != nil || !bytes.Equal(der, ders[i]) {
				panic(fmt.Sprintf("certificate %d: ReadSpan(%+v) differs from the stream: %v", len(out)+i+1, sp, err))
			}
		}
		out = append(out, ders...)
	}
}

// TestStreamAgreesWithParse: over files of certificates, across read chunks
// and batch sizes, a Stream gives the certificates Parse gives, and refuses
// what is not certificates only.
func TestStreamAgreesWithParse(t *testing.T) {
	chain, err := os.ReadFile("testdata/chain.pem")
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat(append([]byte("some text\n"), chain...), 600) // several MiB: many chunks
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"chain", chain, nil},
		{"crlf", bytes.ReplaceAll(chain, []byte("\n"), []byte("\r\n")), nil},
		{"many chunks", big, nil},
		{"a key among the certificates", append(append([]byte{}, chain...), mustRead(t, "testdata/ec-sec1.pem")...), certio.ErrNotCertificates},
		{"no PEM", []byte("hello\n"), certio.ErrNotCertificates},
		{"a MiB before the first block", append(bytes.Repeat([]byte("x"), 2<<20), chain...), certio.ErrNotCertificates},
	}
	for _, tt := range tests {
		for _, batch := range []int{1, 7, 2048} {
			got, err := streamAll(tt.data, batch)
			if tt.want != nil {
				if !errors.Is(err, tt.want) {
					t.Errorf("%s, batch %d: %v, want %v", tt.name, batch, err, tt.want)
				}
				continue
			}
			f, perr := certio.Parse("x", tt.data, certio.Options{})
			if err != nil || perr != nil {
				t.Fatalf("%s: stream %v, parse %v", tt.name, err, perr)
			}
			want := f.Certificates()
			if len(got) != len(want) {
				t.Fatalf("%s, batch %d: %d certificates, want %d", tt.name, batch, len(got), len(want))
			}
			for i := range want {
				if !bytes.Equal(got[i], want[i].Raw) {
					t.Errorf("%s, batch %d: certificate %d differs", tt.name, batch, i)
				}
			}
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// FuzzStream checks a Stream gives the certificates Parse gives whenever
// Parse reads the input as certificates only, and never panics.
func FuzzStream(f *testing.F) {
	names, _ := filepath.Glob("testdata/*.pem")
	for _, name := range names {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := streamAll(data, 3)
		file, perr := certio.Parse("x", data, certio.Options{})
		if err != nil || perr != nil {
			return // errors are compared by the CLI tests: the stream defers to the whole read
		}
		want := file.Certificates()
		if len(want) != len(file.Objects) {
			t.Fatalf("the stream read %d certificates of a file holding %d objects", len(got), len(file.Objects))
		}
		if len(got) != len(want) {
			t.Fatalf("stream: %d certificates, Parse: %d", len(got), len(want))
		}
		for i := range want {
			if !bytes.Equal(got[i], want[i].Raw) {
				t.Fatalf("certificate %d differs", i)
			}
		}
	})
}
