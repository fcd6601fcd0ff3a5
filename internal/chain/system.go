package chain

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"github.com/confcert/confcert/internal/inputfile"
	"os"
)

// systemBundles returns the usual places of the system trust bundle, as in
// Go's crypto/x509 for Linux and the BSDs.
func systemBundles() []string {
	return []string{
		"/etc/ssl/certs/ca-certificates.crt",
		"/etc/pki/tls/certs/ca-bundle.crt",
		"/etc/ssl/ca-bundle.pem",
		"/etc/pki/tls/cacert.pem",
		"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
		"/etc/ssl/cert.pem",
		"/usr/local/etc/ssl/cert.pem",
	}
}

// ErrNoSystemRoots is returned when no system trust bundle is found.
var ErrNoSystemRoots = errors.New("no system trust bundle found (set SSL_CERT_FILE to one)")

// maxSystemBundle bounds the system trust bundle (about 220 KiB with ~150
// roots today).
const maxSystemBundle = 16 << 20

// SystemRoots reads the system trust bundle: $SSL_CERT_FILE when set, else
// the first of the usual bundle files that exists.
func SystemRoots() ([]*x509.Certificate, error) {
	files := systemBundles()
	if f := os.Getenv("SSL_CERT_FILE"); f != "" {
		files = []string{f}
	}
	for _, f := range files {
		data, err := inputfile.Read(f, maxSystemBundle)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading system roots: %w", err)
		}
		return parsePEMCertificates(data), nil
	}
	return nil, ErrNoSystemRoots
}

// parsePEMCertificates returns the certificates of the CERTIFICATE blocks in
// data that parse, skipping the others.
func parsePEMCertificates(data []byte) []*x509.Certificate {
	var out []*x509.Certificate
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return out
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		if c, err := x509.ParseCertificate(b.Bytes); err == nil {
			out = append(out, c)
		}
	}
}
