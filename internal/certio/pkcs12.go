package certio

import (
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"

	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// isPKCS12 reports whether data has the shape of a PFX:
// SEQUENCE { INTEGER 3, ContentInfo, ... }.
func isPKCS12(data []byte) bool {
	var pfx struct {
		Version  int
		AuthSafe asn1.RawValue
		MacData  asn1.RawValue `asn1:"optional"`
	}
	rest, err := asn1.Unmarshal(data, &pfx)
	return err == nil && len(rest) == 0 && pfx.Version == 3
}

// parsePKCS12 opens a PFX with go-pkcs12 (legacy 3DES/RC2 and modern
// AES/PBES2). The empty password is tried first, as Windows exports often use
// it; without a password source the file is reported Locked and empty.
func parsePKCS12(data []byte, opts Options) (*File, error) {
	f := &File{Encoding: PKCS12}
	if costlyKDF(data, opts.MaxKDFIterations) {
		return nil, fmt.Errorf("PKCS#12: %w", errCostlyKDF)
	}
	objs, err := openPKCS12(data, "")
	if err == nil {
		f.Objects = objs
		return f, nil
	}
	if !errors.Is(err, pkcs12.ErrIncorrectPassword) {
		return nil, fmt.Errorf("PKCS#12: %w", err)
	}
	pw, err := password(opts)
	if errors.Is(err, errNoPasswordFunc) {
		f.Locked = true
		return f, nil
	}
	if err != nil {
		return nil, err
	}
	objs, err = openPKCS12(data, string(pw))
	if errors.Is(err, pkcs12.ErrIncorrectPassword) {
		return nil, ErrWrongPassword
	}
	if err != nil {
		return nil, fmt.Errorf("PKCS#12: %w", err)
	}
	f.Objects = objs
	return f, nil
}

// openPKCS12 returns the key first, then the certificates in bag order.
// Files go-pkcs12's entry points refuse for their shape (certificate only,
// no MAC, more safe contents) are repacked (pkcs12repack.go).
func openPKCS12(data []byte, pw string) ([]Object, error) {
	var blocks []*pem.Block
	err := recovered("the PKCS#12 decoder", func() (err error) {
		blocks, err = pkcs12.ToPEM(data, pw)
		return err
	})
	if errors.Is(err, pkcs12.ErrIncorrectPassword) {
		return nil, err
	}
	if err != nil {
		objs, cerr := openPKCS12Chain(data, pw, err)
		if cerr == nil {
			return objs, nil
		}
		var rerr error
		if blocks, rerr = repackPKCS12(data, pw); rerr != nil {
			if errors.Is(rerr, errPKCS12WrongStructure) {
				return nil, cerr
			}
			return nil, rerr
		}
	}
	return pkcs12Objects(blocks)
}

func pkcs12Objects(blocks []*pem.Block) ([]Object, error) {
	var keys, certs []Object
	for _, b := range blocks {
		if b.Type == "CERTIFICATE" {
			o, err := certificateObject(b.Bytes)
			if err != nil {
				return nil, err
			}
			certs = append(certs, o)
			continue
		}
		key, _, err := parsePlainKey(b.Bytes, formatHint(b.Type))
		if err != nil {
			return nil, err
		}
		keys = append(keys, keyObject(key, PKCS8, true))
	}
	return append(keys, certs...), nil
}

// openPKCS12Chain is the fallback for files ToPEM cannot convert (more than
// two safe contents, or key types it does not map to PEM).
func openPKCS12Chain(data []byte, pw string, toPEMErr error) ([]Object, error) {
	if errors.Is(toPEMErr, pkcs12.ErrIncorrectPassword) {
		return nil, toPEMErr
	}
	var (
		key   any
		leaf  *x509.Certificate
		cas   []*x509.Certificate
		certs []*x509.Certificate
		terr  error
	)
	err := recovered("the PKCS#12 decoder", func() (err error) {
		key, leaf, cas, err = pkcs12.DecodeChain(data, pw)
		return err
	})
	if err != nil {
		terr = recovered("the PKCS#12 decoder", func() (err error) {
			certs, err = pkcs12.DecodeTrustStore(data, pw)
			return err
		})
		if terr != nil {
			return nil, err
		}
		var objs []Object
		for _, c := range certs {
			objs = append(objs, certObject(c))
		}
		return objs, nil
	}
	s, err := asSigner(key)
	if err != nil {
		return nil, err
	}
	objs := []Object{keyObject(s, PKCS8, true)}
	for _, c := range append([]*x509.Certificate{leaf}, cas...) {
		objs = append(objs, certObject(c))
	}
	return objs, nil
}
