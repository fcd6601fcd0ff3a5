package certio_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/confcert/confcert/internal/certio"
)

// systemBundle is the system CA bundle concatenated copies times: the large
// input of the inspect performance goal (issue 2).
func systemBundle(b *testing.B, copies int) []byte {
	b.Helper()
	one, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	if err != nil {
		b.Skipf("no system CA bundle: %v", err)
	}
	return bytes.Repeat(one, copies)
}

func BenchmarkParseSystemBundle(b *testing.B) {
	data := systemBundle(b, 150)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := certio.Parse("bundle.pem", data, certio.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStreamSystemBundle cuts and decodes the 21,600 certificates of
// the large inspect input a batch at a time (certio.Stream), as the two
// passes of the streaming inspect do, without parsing them.
func BenchmarkStreamSystemBundle(b *testing.B) {
	data := systemBundle(b, 150)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		s := certio.NewStream(bytes.NewReader(data))
		for {
			_, err := s.Next(2048)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkReadIndexFields walks one certificate to its index fields, the
// first pass's work per certificate.
func BenchmarkReadIndexFields(b *testing.B) {
	f, err := certio.Parse("bundle.pem", systemBundle(b, 1), certio.Options{})
	if err != nil {
		b.Fatal(err)
	}
	certs := f.Certificates()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := certio.ReadIndexFields(certs[i%len(certs)].Raw); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
