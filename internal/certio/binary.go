package certio

import (
	"encoding/asn1"
	"fmt"

	"github.com/smallstep/pkcs7"
)

// parseBinary recognises DER input: a certificate, CSR, private or public key,
// PKCS#7 or PKCS#12. Each parser is tried in turn; the first that accepts the
// whole input wins.
func parseBinary(data []byte, opts Options) (*File, error) {
	if isJavaKeystore(data) {
		return parseJKS(data, opts)
	}
	if !isDERSequence(data) {
		return nil, ErrUnknownFormat
	}
	if o, err := certificateObject(data); err == nil {
		return single(DER, o), nil
	}
	if o, err := parseCSR(data); err == nil {
		return single(DER, o), nil
	}
	if key, f, err := parsePlainKey(data, PKCS8); err == nil {
		return single(DER, keyObject(key, f, false)), nil
	}
	if o, err := parsePublicKey("PUBLIC KEY", data); err == nil {
		return single(DER, o), nil
	}
	if isEncryptedPKCS8(data) {
		o, err := openEncryptedPKCS8(data, opts)
		if err != nil {
			return nil, err
		}
		return &File{Encoding: DER, Objects: []Object{o}, Locked: o.PrivateKey == nil}, nil
	}
	if objs, err := parsePKCS7(data); err == nil {
		return &File{Encoding: PKCS7, Objects: objs}, nil
	}
	if isPKCS12(data) {
		return parsePKCS12(data, opts)
	}
	return nil, ErrUnknownFormat
}

func single(enc Encoding, o Object) *File {
	return &File{Encoding: enc, Objects: []Object{o}}
}

// isDERSequence reports whether data starts like a DER SEQUENCE, as every
// binary format read here does; the parsers check the rest (BER indefinite
// lengths, as some PKCS#7 writers use, included).
func isDERSequence(data []byte) bool {
	return len(data) >= 2 && data[0] == 0x30
}

// isEncryptedPKCS8 reports whether data has the shape of an
// EncryptedPrivateKeyInfo: SEQUENCE { AlgorithmIdentifier, OCTET STRING }.
func isEncryptedPKCS8(data []byte) bool {
	var info struct {
		Algo          asn1.RawValue
		EncryptedData []byte
	}
	rest, err := asn1.Unmarshal(data, &info)
	return err == nil && len(rest) == 0 && info.Algo.Tag == asn1.TagSequence
}

// parsePKCS7 returns the certificates of a PKCS#7 SignedData (a .p7b),
// including what OpenSSL 3 writes without the empty CRL field.
func parsePKCS7(der []byte) ([]Object, error) {
	if tooDeep(der, maxBERDepth) {
		return nil, fmt.Errorf("PKCS#7: %w", errTooDeep)
	}
	p7, err := pkcs7.Parse(der)
	if err != nil {
		return nil, fmt.Errorf("PKCS#7: %w", err)
	}
	var objs []Object
	for _, c := range p7.Certificates {
		objs = append(objs, certObject(c))
	}
	if len(objs) == 0 {
		return nil, fmt.Errorf("PKCS#7 holds no certificates")
	}
	return objs, nil
}
