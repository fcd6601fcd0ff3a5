package certio

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
)

// Object identifiers of the encrypted PKCS#8 schemes (RFC 8018).
var (
	oidPBES2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidDESEDE3   = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
	oidAES128CBC = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
)

// encryptedPrivateKeyInfo is RFC 5208's EncryptedPrivateKeyInfo.
type encryptedPrivateKeyInfo struct {
	Algo pkix.AlgorithmIdentifier
	Data []byte
}

// pbes2Scheme is the encryptionScheme of PBES2-params with a CBC cipher,
// whose parameter is the IV.
type pbes2Scheme struct {
	KDF    asn1.RawValue
	Scheme struct {
		Algo   asn1.ObjectIdentifier
		Params asn1.RawValue `asn1:"optional"`
	}
}

// cbcBlockSize is the block (and IV) size of each CBC cipher PBES2 may name.
var cbcBlockSize = map[string]int{
	oidDESEDE3.String():   8,
	oidAES128CBC.String(): 16,
	oidAES192CBC.String(): 16,
	oidAES256CBC.String(): 16,
}

// errBadPBES2 refuses PBES2 parameters the PKCS#8 library would crash on.
var errBadPBES2 = errors.New("encrypted PKCS#8 key is damaged")

// checkPBES2Shape refuses a PBES2 key whose CBC IV is not one block or whose
// ciphertext is not a whole, non-zero number of blocks: github.com/youmark/pkcs8
// hands both to crypto/cipher, which panics on them.
func checkPBES2Shape(info encryptedPrivateKeyInfo) error {
	var p pbes2Scheme
	if _, err := asn1.Unmarshal(info.Algo.Parameters.FullBytes, &p); err != nil {
		return fmt.Errorf("%w: PBES2 parameters: %w", errBadPBES2, err)
	}
	block, ok := cbcBlockSize[p.Scheme.Algo.String()]
	if !ok {
		return nil // GCM and unknown ciphers: the library checks those itself
	}
	var iv []byte
	if _, err := asn1.Unmarshal(p.Scheme.Params.FullBytes, &iv); err != nil || len(iv) != block {
		return fmt.Errorf("%w: its IV is %d bytes, want %d", errBadPBES2, len(iv), block)
	}
	if len(info.Data) == 0 || len(info.Data)%block != 0 {
		return fmt.Errorf("%w: %d bytes of ciphertext is not a whole number of %d-byte blocks", errBadPBES2, len(info.Data), block)
	}
	return nil
}
