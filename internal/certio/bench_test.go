package certio_test

import (
	"bytes"
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
	for b.Loop() {
		if _, err := certio.Parse("bundle.pem", data, certio.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
