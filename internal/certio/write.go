package certio

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"

	"github.com/smallstep/pkcs7"
	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// Clean PEM, as the Meeting Server and CWMS want it (seed 002 §1.2.4,
// §4.7.1, Appendix D.2): LF line endings, each block starting on its own
// line, no blank lines, nothing outside the blocks, one final newline.
// encoding/pem writes exactly that, so every writer here goes through it.

// CertificatesPEM returns the certificates as clean PEM, in the order given.
func CertificatesPEM(certs ...*x509.Certificate) []byte {
	var b bytes.Buffer
	for _, c := range certs {
		pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.Bytes()
}

// CSRPEM returns a CSR's DER as a PEM "CERTIFICATE REQUEST" block.
func CSRPEM(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

// PrivateKeyPEM returns the key as an unencrypted PKCS#8 "PRIVATE KEY" block,
// the default key format of confcert.
func PrivateKeyPEM(key crypto.Signer) ([]byte, error) {
	return PrivateKeyPEMIn(key, PKCS8)
}

// PrivateKeyPEMIn returns the key unencrypted in format f: PKCS1 (RSA only),
// SEC1 (ECDSA only) or PKCS8.
func PrivateKeyPEMIn(key crypto.Signer, f KeyFormat) ([]byte, error) {
	var (
		typ string
		der []byte
		err error
	)
	switch f {
	case PKCS1:
		rk, ok := key.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("PKCS#1 holds only RSA keys, not %T", key)
		}
		typ, der = "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk)
	case SEC1:
		ek, ok := key.(*ecdsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("SEC1 holds only EC keys, not %T", key)
		}
		typ = "EC PRIVATE KEY"
		der, err = x509.MarshalECPrivateKey(ek)
	default:
		typ = "PRIVATE KEY"
		der, err = x509.MarshalPKCS8PrivateKey(key)
	}
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), nil
}

// ToCRLF converts LF line endings to CRLF, for Windows tools that want them.
func ToCRLF(p []byte) []byte {
	return bytes.ReplaceAll(bytes.ReplaceAll(p, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
}

// EncodePKCS7 returns a DER certs-only PKCS#7 SignedData (a .p7b) holding certs in
// the order given.
func EncodePKCS7(certs ...*x509.Certificate) ([]byte, error) {
	var all []byte
	for _, c := range certs {
		all = append(all, c.Raw...)
	}
	return pkcs7.DegenerateCertificate(all)
}

// legacyIterations is what OpenSSL uses for the legacy PKCS#12 form's key
// derivations and MAC (PKCS12_DEFAULT_ITER).
const legacyIterations = 2048

// EncodePKCS12 returns a PFX holding key, leaf and the CA certificates, encrypted
// with password: modern AES-256/PBKDF2 by default, 3DES when legacy is set
// for appliances that cannot read the modern form.
func EncodePKCS12(key crypto.Signer, leaf *x509.Certificate, cas []*x509.Certificate, password string, legacy bool) ([]byte, error) {
	enc := pkcs12.Modern
	if legacy {
		// openssl pkcs12 -export -legacy: 3DES/RC2 and a SHA-1 MAC, both with
		// 2048 iterations (go-pkcs12's LegacyDES MACs with 1).
		enc = pkcs12.LegacyDES.WithIterations(legacyIterations)
	}
	return enc.Encode(key, leaf, cas, password)
}
