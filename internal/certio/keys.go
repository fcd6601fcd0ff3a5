package certio

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/youmark/pkcs8"
)

func isPrivateKeyBlock(typ string) bool {
	switch typ {
	case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
		return true
	}
	return false
}

// parsePrivateKeyBlock reads a private key block in any of the formats of
// spec cli.md. Encrypted keys are opened only when a password is available;
// otherwise they are returned locked.
func parsePrivateKeyBlock(b *pem.Block, opts Options) (Object, error) {
	switch {
	case b.Type == "ENCRYPTED PRIVATE KEY":
		return openEncryptedPKCS8(b.Bytes, opts)
	case x509.IsEncryptedPEMBlock(b): //nolint:staticcheck // legacy PEM encryption is an input format we must read
		return openLegacyPEM(b, opts)
	}
	key, format, err := parsePlainKey(b.Bytes, formatHint(b.Type))
	if err != nil {
		return Object{}, err
	}
	return keyObject(key, format, false), nil
}

func formatHint(typ string) KeyFormat {
	switch typ {
	case "RSA PRIVATE KEY":
		return PKCS1
	case "EC PRIVATE KEY":
		return SEC1
	}
	return PKCS8
}

// parsePlainKey parses unencrypted key DER, trying the hinted format first
// and then the others: PKCS#12 tools and hand-edited files often put PKCS#1
// bytes under a "PRIVATE KEY" label.
func parsePlainKey(der []byte, hint KeyFormat) (crypto.Signer, KeyFormat, error) {
	order := []KeyFormat{hint}
	for _, f := range []KeyFormat{PKCS8, PKCS1, SEC1} {
		if f != hint {
			order = append(order, f)
		}
	}
	var first error
	for _, f := range order {
		key, err := parseKeyAs(der, f)
		if err == nil {
			return key, f, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, "", first
}

func parseKeyAs(der []byte, f KeyFormat) (crypto.Signer, error) {
	var (
		key any
		err error
	)
	switch f {
	case PKCS1:
		key, err = x509.ParsePKCS1PrivateKey(der)
	case SEC1:
		key, err = x509.ParseECPrivateKey(der)
	default:
		key, err = x509.ParsePKCS8PrivateKey(der)
	}
	if err != nil {
		return nil, err
	}
	return asSigner(key)
}

func asSigner(key any) (crypto.Signer, error) {
	s, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("unsupported private key type %T", key)
	}
	return s, nil
}

func keyObject(key crypto.Signer, f KeyFormat, encrypted bool) Object {
	return Object{Kind: KindPrivateKey, PrivateKey: key, PublicKey: key.Public(), KeyFormat: f, Encrypted: encrypted}
}

func lockedKey(f KeyFormat) Object {
	return Object{Kind: KindPrivateKey, KeyFormat: f, Encrypted: true}
}

// openEncryptedPKCS8 decrypts an ENCRYPTED PRIVATE KEY (PBES2 with AES or
// 3DES, PBKDF2 or scrypt) through github.com/youmark/pkcs8.
func openEncryptedPKCS8(der []byte, opts Options) (Object, error) {
	if costlyKDF(der, opts.MaxKDFIterations) {
		return Object{}, fmt.Errorf("encrypted PKCS#8 key: %w", errCostlyKDF)
	}
	pw, err := password(opts)
	if errors.Is(err, errNoPasswordFunc) {
		return lockedKey(EncryptedPKCS8), nil
	}
	if err != nil {
		return Object{}, err
	}
	key, err := decryptPKCS8(der, pw)
	if errors.Is(err, ErrMalformed) || errors.Is(err, errBadPBES2) {
		return Object{}, err
	}
	if err != nil {
		if strings.Contains(err.Error(), "password") || strings.Contains(err.Error(), "decrypt") {
			return Object{}, ErrWrongPassword
		}
		return Object{}, fmt.Errorf("encrypted PKCS#8 key: %w", err)
	}
	s, err := asSigner(key)
	if err != nil {
		return Object{}, err
	}
	return keyObject(s, EncryptedPKCS8, true), nil
}

// openLegacyPEM decrypts an OpenSSL "Proc-Type: 4,ENCRYPTED" key. The format
// has no integrity check, so a wrong password shows up as a key that does
// not parse.
func openLegacyPEM(b *pem.Block, opts Options) (Object, error) {
	pw, err := password(opts)
	if errors.Is(err, errNoPasswordFunc) {
		return lockedKey(LegacyEncryptedPEM), nil
	}
	if err != nil {
		return Object{}, err
	}
	der, err := x509.DecryptPEMBlock(b, pw) //nolint:staticcheck // reading a legacy format
	if err != nil {
		return Object{}, ErrWrongPassword
	}
	key, _, err := parsePlainKey(der, formatHint(b.Type))
	if err != nil {
		return Object{}, ErrWrongPassword
	}
	return keyObject(key, LegacyEncryptedPEM, true), nil
}

// decryptPKCS8 opens an encrypted PKCS#8 key: PBES2 through
// github.com/youmark/pkcs8 (after checking the shapes it would crash on, and
// with a recover as the last line of defence), PKCS#12 PBE (PBES1 as
// OpenSSL 1.0, Java and Windows write it) through go-pkcs12 (pbes1.go).
func decryptPKCS8(der, pw []byte) (any, error) {
	var info encryptedPrivateKeyInfo
	if rest, err := asn1.Unmarshal(der, &info); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("%w: not an EncryptedPrivateKeyInfo", errBadPBES2)
	}
	if isPKCS12PBE(info.Algo.Algorithm) {
		return decryptPBES1(der, pw)
	}
	if info.Algo.Algorithm.Equal(oidPBES2) {
		if err := checkPBES2Shape(info); err != nil {
			return nil, err
		}
	}
	var key any
	err := recovered("the PKCS#8 decrypter", func() error {
		var err error
		key, _, err = pkcs8.ParsePrivateKey(der, pw)
		return err
	})
	return key, err
}
