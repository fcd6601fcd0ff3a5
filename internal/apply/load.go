package apply

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/confcert/confcert/internal/certio"
)

// readFile opens a file of the output directory by content; ok is false when
// it does not exist.
func readFile(path string) (f *certio.File, ok bool, err error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	f, err = certio.ReadFile(path, certio.Options{})
	if err != nil {
		return nil, true, err
	}
	return f, true, nil
}

// readKey reads the private key in path and the form it is written in (nil
// when the file does not exist).
func readKey(path string) (crypto.Signer, certio.KeyFormat, error) {
	f, ok, err := readFile(path)
	if !ok || err != nil {
		return nil, "", err
	}
	for _, k := range f.PrivateKeys() {
		if k.PrivateKey != nil {
			return k.PrivateKey, k.KeyFormat, nil
		}
		if k.Encrypted {
			return nil, "", fmt.Errorf("%s: the key is encrypted: run 'confcert unlock %s' first", path, filepath.Base(path))
		}
	}
	return nil, "", fmt.Errorf("%s: no private key in the file", path)
}

// readCSR reads the CSR in path (nil when the file does not exist).
func readCSR(path string) (*x509.CertificateRequest, error) {
	f, ok, err := readFile(path)
	if !ok || err != nil {
		return nil, err
	}
	if csrs := f.CSRs(); len(csrs) > 0 {
		return csrs[0], nil
	}
	return nil, fmt.Errorf("%s: no certificate signing request in the file", path)
}

// readCerts reads the certificates in path (nil when the file does not exist).
func readCerts(path string) ([]*x509.Certificate, error) {
	f, ok, err := readFile(path)
	if !ok || err != nil {
		return nil, err
	}
	certs := f.Certificates()
	if len(certs) == 0 {
		return nil, fmt.Errorf("%s: no certificate in the file", path)
	}
	return certs, nil
}

// readCert reads the first certificate in path (nil when the file does not exist).
func readCert(path string) (*x509.Certificate, error) {
	certs, err := readCerts(path)
	if err != nil || certs == nil {
		return nil, err
	}
	return certs[0], nil
}

// exists reports whether path exists.
func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
