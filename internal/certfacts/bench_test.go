package certfacts_test

import (
	"bytes"
	"io"
	"os"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/certfacts"
	"github.com/confcert/confcert/internal/certio"
)

func BenchmarkInspectJSONSystemBundle(b *testing.B) {
	one, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	if err != nil {
		b.Skipf("no system CA bundle: %v", err)
	}
	data := bytes.Repeat(one, 150)
	now := time.Now()
	b.SetBytes(int64(len(data)))
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
