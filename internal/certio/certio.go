// Package certio reads every certificate and key format administrators meet,
// by content and never by file extension, and writes clean PEM, DER, PKCS#7
// and PKCS#12 (spec cli.md, "Conventions for every verb").
//
// Reading accepts PEM with any mixture of blocks, CRLF or LF, and text before
// and between blocks (openssl's "Bag Attributes" and "subject=" lines); DER
// certificates, CSRs and keys; PKCS#7 in DER or PEM; PKCS#12 with legacy and
// modern encryption; private keys in PKCS#1, SEC1, PKCS#8, encrypted PKCS#8
// and legacy encrypted PEM.
package certio

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"github.com/confcert/confcert/internal/inputfile"
)

// Encoding is the outer form of a file.
type Encoding string

// Encodings a file can have (the "encoding" field of inspect --json).
const (
	PEM    Encoding = "PEM"
	DER    Encoding = "DER"
	PKCS7  Encoding = "PKCS7"
	PKCS12 Encoding = "PKCS12"
)

// Kind is what one object in a file is.
type Kind string

// Kinds of objects (the "type" field of inspect --json).
const (
	KindCertificate Kind = "certificate"
	KindPrivateKey  Kind = "private-key"
	KindCSR         Kind = "csr"
	KindPublicKey   Kind = "public-key"
)

// KeyFormat is how a private key was stored.
type KeyFormat string

// Private key formats.
const (
	PKCS1              KeyFormat = "pkcs1"
	SEC1               KeyFormat = "sec1"
	PKCS8              KeyFormat = "pkcs8"
	EncryptedPKCS8     KeyFormat = "encrypted-pkcs8"
	LegacyEncryptedPEM KeyFormat = "legacy-encrypted-pem"
)

// Errors a caller may need to tell apart.
var (
	ErrUnknownFormat  = errors.New("not a certificate, key, CSR, PKCS#7 or PKCS#12 file")
	ErrWrongPassword  = errors.New("wrong password")
	ErrNeedsPassword  = errors.New("encrypted: a password is needed")
	errEmptyInput     = errors.New("the file is empty")
	errNoPasswordFunc = errors.New("no password source")
)

// FileError wraps a problem with the file it came from.
type FileError struct {
	Name string
	Err  error
}

// Error implements error.
func (e *FileError) Error() string { return e.Name + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *FileError) Unwrap() error { return e.Err }

// Object is one thing found in a file.
type Object struct {
	Kind        Kind
	Certificate *x509.Certificate
	CSR         *x509.CertificateRequest
	// PrivateKey is nil while the key is Encrypted and was not opened.
	PrivateKey crypto.Signer
	// PublicKey is the public key of a certificate, CSR, public key or opened
	// private key.
	PublicKey crypto.PublicKey
	Encrypted bool
	KeyFormat KeyFormat
	// Index is the object's position in the file, from 0.
	Index int
}

// File is everything read from one file.
type File struct {
	Name     string
	Encoding Encoding
	Objects  []Object
	// Locked is true when a PKCS#12 file or an encrypted key could not be
	// opened for lack of a password.
	Locked bool
}

// Options controls reading.
type Options struct {
	// Password is asked for when an encrypted key or PKCS#12 file needs one.
	// Nil leaves encrypted keys locked and PKCS#12 files unopened (unless
	// their password is empty).
	Password func() ([]byte, error)
	// MaxKDFIterations refuses PKCS#12 files and encrypted keys whose key
	// derivation asks for more iterations; 0 means DefaultMaxKDFIterations.
	MaxKDFIterations int
}

// Stdin is the path that names standard input, as in openssl and most tools.
const Stdin = "-"

// stdinName is how errors name standard input.
const stdinName = "standard input"

// ReadFile reads and parses the file at path, or standard input when path is
// Stdin. Only regular files are read (a FIFO or a device such as /dev/zero
// is refused, also behind a symlink), and at most inputfile.MaxCertFile
// bytes: nothing a user names can block confcert or exhaust its memory.
func ReadFile(path string, opts Options) (*File, error) {
	if path == Stdin {
		data, err := inputfile.ReadFrom(os.Stdin, inputfile.MaxCertFile)
		if err != nil {
			return nil, &FileError{Name: stdinName, Err: err}
		}
		return Parse(stdinName, data, opts)
	}
	data, err := inputfile.Read(path, inputfile.MaxCertFile)
	if err != nil {
		return nil, &FileError{Name: path, Err: err}
	}
	return Parse(path, data, opts)
}

// Parse parses data, which came from the file called name.
func Parse(name string, data []byte, opts Options) (*File, error) {
	f, err := parse(data, opts)
	if err != nil {
		return nil, &FileError{Name: name, Err: err}
	}
	f.Name = name
	for i := range f.Objects {
		f.Objects[i].Index = i
	}
	return f, nil
}

func parse(data []byte, opts Options) (*File, error) {
	if len(data) == 0 {
		return nil, errEmptyInput
	}
	if text, ok := fromUTF16(data); ok {
		data = text
	}
	if looksLikePEM(data) {
		return parsePEM(data, opts)
	}
	return parseBinary(data, opts)
}

// Certificates returns the certificates in file order.
func (f *File) Certificates() []*x509.Certificate {
	var out []*x509.Certificate
	for _, o := range f.Objects {
		if o.Kind == KindCertificate {
			out = append(out, o.Certificate)
		}
	}
	return out
}

// CSRs returns the certificate requests in file order.
func (f *File) CSRs() []*x509.CertificateRequest {
	var out []*x509.CertificateRequest
	for _, o := range f.Objects {
		if o.Kind == KindCSR {
			out = append(out, o.CSR)
		}
	}
	return out
}

// PrivateKeys returns the private key objects (opened or not) in file order.
func (f *File) PrivateKeys() []Object {
	var out []Object
	for _, o := range f.Objects {
		if o.Kind == KindPrivateKey {
			out = append(out, o)
		}
	}
	return out
}

func password(opts Options) ([]byte, error) {
	if opts.Password == nil {
		return nil, errNoPasswordFunc
	}
	pw, err := opts.Password()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNeedsPassword, err)
	}
	return pw, nil
}
