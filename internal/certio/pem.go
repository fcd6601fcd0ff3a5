package certio

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"fmt"

	"github.com/confcert/confcert/internal/parallel"
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
	if costlyKDFBlocks(encryptedKeyBlocks(blocks), opts.MaxKDFIterations) {
		return nil, fmt.Errorf("encrypted keys: %w", errCostlyKDF)
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

// splitPEM returns every block in data. Each block start must begin a valid
// block (pem.Decode alone would skip a damaged block and return the next
// one), so a damaged bundle is an error, never silently read short. Blocks
// are found serially and decoded in parallel.
func splitPEM(data []byte) ([]*pem.Block, error) {
	starts := blockStarts(data)
	blocks := make([]*pem.Block, len(starts))
	parallel.For(len(starts), func(i int) {
		end := len(data)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		blocks[i] = decodeBlock(data[starts[i]:end])
	})
	for i, b := range blocks {
		if b == nil {
			return nil, fmt.Errorf("PEM block %d is damaged or truncated", i+1)
		}
	}
	return blocks, nil
}

// decodeBlock decodes the PEM block at the start of seg. The common shape
// (no headers, base64 in lines) is decoded here, as pem.Decode's base64 path
// is slow on line breaks; anything else is left to pem.Decode.
func decodeBlock(seg []byte) *pem.Block {
	if b := plainBlock(seg); b != nil {
		return b
	}
	b, _ := pem.Decode(seg)
	return b
}

// plainBlock decodes a block without headers whose BEGIN and END lines
// match, or returns nil.
func plainBlock(seg []byte) *pem.Block {
	line, rest, ok := bytes.Cut(seg, []byte("\n"))
	typ, ok2 := bytes.CutPrefix(bytes.TrimSuffix(line, []byte("\r")), pemStart)
	typ, ok3 := bytes.CutSuffix(typ, []byte("-----"))
	if !ok || !ok2 || !ok3 || bytes.Contains(typ, []byte("-----")) {
		return nil
	}
	marker := []byte("-----END " + string(typ) + "-----")
	end := bytes.Index(rest, marker)
	if end < 0 || (end > 0 && rest[end-1] != '\n') || !blankToEOL(rest[end+len(marker):]) {
		return nil
	}
	der, ok := decodeBody(rest[:end])
	if !ok {
		return nil
	}
	return &pem.Block{Type: string(typ), Bytes: der}
}

// decodeBody decodes base64 split in lines; a colon means headers, which
// are left to pem.Decode. Lines of whole base64 quanta (the usual 64
// characters) are decoded straight into the DER buffer, line by line, with
// no copy of the text; anything else is cleaned of its line breaks first.
func decodeBody(body []byte) ([]byte, bool) {
	if bytes.IndexByte(body, ':') >= 0 {
		return nil, false
	}
	der := make([]byte, base64.StdEncoding.DecodedLen(len(body)))
	if n, ok := decodeLines(der, body); ok {
		return der[:n], true
	}
	clean := make([]byte, 0, len(body))
	for _, c := range body {
		if c != '\n' && c != '\r' && c != ' ' && c != '\t' {
			clean = append(clean, c)
		}
	}
	n, err := base64.StdEncoding.Decode(der, clean)
	return der[:n], err == nil
}

// decodeLines decodes body line by line into der; ok is false when a line
// is not whole base64 quanta, holds a space, or padding comes before the
// last line, which the caller then decodes the slow way (and which decides
// whether the body is valid).
func decodeLines(der, body []byte) (int, bool) {
	n := 0
	for len(body) > 0 {
		line, rest, _ := bytes.Cut(body, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		body = rest
		if len(line) == 0 {
			continue
		}
		if len(line)%4 != 0 || bytes.IndexByte(line, ' ') >= 0 || bytes.IndexByte(line, '\t') >= 0 || bytes.IndexByte(line, '\r') >= 0 {
			return 0, false
		}
		if line[len(line)-1] == '=' && len(bytes.TrimSpace(body)) > 0 {
			return 0, false // padding, then more base64
		}
		m, err := base64.StdEncoding.Decode(der[n:], line)
		if err != nil {
			return 0, false
		}
		n += m
	}
	return n, true
}

// blankToEOL reports whether b holds only spaces and tabs before its first
// line end, as encoding/pem requires after an END line.
func blankToEOL(b []byte) bool {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	return len(bytes.Trim(line, " \t\r")) == 0
}

// blockStarts returns the offset of every "-----BEGIN " in data.
func blockStarts(data []byte) []int {
	var starts []int
	for off := 0; ; {
		i := bytes.Index(data[off:], pemStart)
		if i < 0 {
			return starts
		}
		starts = append(starts, off+i)
		off += i + len(pemStart)
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
	parallel.For(len(idx), func(j int) {
		objs[idx[j]], errs[j] = certificateObject(objs[idx[j]].Certificate.Raw)
	})
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
	return certObject(c), nil
}

// certObject is the object of a parsed certificate.
func certObject(c *x509.Certificate) Object {
	return Object{Kind: KindCertificate, Certificate: c, PublicKey: c.PublicKey}
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

// encryptedKeyBlocks returns the DER of the file's encrypted PKCS#8 keys,
// whose key derivations share the file's budget.
func encryptedKeyBlocks(blocks []*pem.Block) [][]byte {
	var out [][]byte
	for _, b := range blocks {
		if b.Type == "ENCRYPTED PRIVATE KEY" {
			out = append(out, b.Bytes)
		}
	}
	return out
}
