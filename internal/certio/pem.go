package certio

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"runtime"
	"sync"
)

var pemStart = []byte("-----BEGIN ")

// looksLikePEM reports whether data holds at least one PEM block start.
// Text around the blocks is allowed (openssl's "Bag Attributes" lines).
func looksLikePEM(data []byte) bool {
	return bytes.Contains(data, pemStart)
}

// parsePEM reads every block in data. Blocks that carry no certificate
// material (EC PARAMETERS written by `openssl ecparam -genkey`) are skipped;
// unknown block types are an error that names them.
func parsePEM(data []byte, opts Options) (*File, error) {
	blocks, err := splitPEM(data)
	if err != nil {
		return nil, err
	}
	f := &File{Encoding: PEM}
	var pending []int // objects whose certificate DER is parsed below, in parallel
	for i, b := range blocks {
		if der, ok, err := certificateDER(b); ok || err != nil {
			if err != nil {
				return nil, fmt.Errorf("PEM block %d (%s): %w", i+1, b.Type, err)
			}
			pending = append(pending, len(f.Objects))
			f.Objects = append(f.Objects, Object{Kind: KindCertificate, Certificate: &x509.Certificate{Raw: der}})
			continue
		}
		objs, enc, err := parseBlock(b, opts)
		if err != nil {
			return nil, fmt.Errorf("PEM block %d (%s): %w", i+1, b.Type, err)
		}
		if enc != "" {
			f.Encoding = enc
		}
		for _, o := range objs {
			if o.Kind == KindPrivateKey && o.Encrypted && o.PrivateKey == nil {
				f.Locked = true
			}
		}
		f.Objects = append(f.Objects, objs...)
	}
	if err := parseCertificates(f.Objects, pending); err != nil {
		return nil, err
	}
	if len(f.Objects) == 0 {
		return nil, ErrUnknownFormat
	}
	return f, nil
}

// splitPEM returns every block in data. A block start with no valid block
// (a truncated or corrupted armour) is an error, so a damaged bundle is not
// silently read short.
func splitPEM(data []byte) ([]*pem.Block, error) {
	var blocks []*pem.Block
	rest := data
	for {
		start := bytes.Index(rest, pemStart)
		if start < 0 {
			return blocks, nil
		}
		b, after := pem.Decode(rest[start:])
		if b == nil {
			return nil, fmt.Errorf("PEM block %d is damaged or truncated", len(blocks)+1)
		}
		blocks = append(blocks, b)
		rest = after
	}
}

// certificateDER returns the certificate DER of a certificate block; ok is
// false for other block types.
func certificateDER(b *pem.Block) (der []byte, ok bool, err error) {
	switch b.Type {
	case "CERTIFICATE", "X509 CERTIFICATE":
		return b.Bytes, true, nil
	case "TRUSTED CERTIFICATE":
		der, err := firstElement(b.Bytes)
		return der, true, err
	}
	return nil, false, nil
}

// parseBlock turns one non-certificate PEM block into objects.
func parseBlock(b *pem.Block, opts Options) ([]Object, Encoding, error) {
	switch b.Type {
	case "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST":
		o, err := parseCSR(b.Bytes)
		return []Object{o}, "", err
	case "PKCS7", "CMS":
		objs, err := parsePKCS7(b.Bytes)
		return objs, PKCS7, err
	case "PUBLIC KEY", "RSA PUBLIC KEY":
		o, err := parsePublicKey(b.Type, b.Bytes)
		return []Object{o}, "", err
	case "EC PARAMETERS":
		return nil, "", nil
	}
	if isPrivateKeyBlock(b.Type) {
		o, err := parsePrivateKeyBlock(b, opts)
		return []Object{o}, "", err
	}
	return nil, "", fmt.Errorf("unsupported PEM block type %q", b.Type)
}

// firstElement returns the first DER element of data: a TRUSTED CERTIFICATE
// block is a certificate followed by OpenSSL's trust settings.
func firstElement(data []byte) ([]byte, error) {
	var v asn1.RawValue
	if _, err := asn1.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("malformed trusted certificate: %w", err)
	}
	return v.FullBytes, nil
}

// parseCertificates parses the certificate DER held by objs[i] for each i in
// idx, in parallel across all cores: a 21,600-certificate system bundle is the
// common large input.
func parseCertificates(objs []Object, idx []int) error {
	errs := make([]error, len(idx))
	workers := min(runtime.NumCPU(), len(idx)/64+1)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := w; j < len(idx); j += workers {
				objs[idx[j]], errs[j] = certificateObject(objs[idx[j]].Certificate.Raw)
			}
		}()
	}
	wg.Wait()
	for j, err := range errs {
		if err != nil {
			return fmt.Errorf("certificate %d: %w", idx[j]+1, err)
		}
	}
	return nil
}

func certificateObject(der []byte) (Object, error) {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return Object{}, err
	}
	return Object{Kind: KindCertificate, Certificate: c, PublicKey: c.PublicKey}, nil
}

func parseCSR(der []byte) (Object, error) {
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return Object{}, err
	}
	return Object{Kind: KindCSR, CSR: csr, PublicKey: csr.PublicKey}, nil
}

func parsePublicKey(typ string, der []byte) (Object, error) {
	var (
		pub any
		err error
	)
	if typ == "RSA PUBLIC KEY" {
		pub, err = x509.ParsePKCS1PublicKey(der)
	} else {
		pub, err = x509.ParsePKIXPublicKey(der)
	}
	if err != nil {
		return Object{}, err
	}
	return Object{Kind: KindPublicKey, PublicKey: pub}, nil
}
