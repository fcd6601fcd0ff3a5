package certio

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// go-pkcs12 decrypts every PKCS#12 bag and PBE scheme real files use, but its
// entry points only take PFX files of one shape: a MAC (unless the password
// is empty), and exactly two safe contents (ToPEM) or a key and a
// certificate (DecodeChain). Certificate-only files, files without a MAC and
// PBES1 PKCS#8 keys are refused although the library can decrypt them. So
// confcert repacks: each safe content (or the PBES1 key as a shrouded key
// bag) goes into a PFX of the shape ToPEM takes, with a PBMAC1 MAC (RFC 9579:
// PBKDF2 and HMAC-SHA256, from the standard library) made with the same
// password. The library then does all the decryption. The original file's MAC,
// when it has one, is checked first by the library itself (verifiedMAC).

var (
	oidData                 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidPKCS8ShroudedKeyBag  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidPBMAC1               = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 14}
	oidPBKDF2               = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACWithSHA256       = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidPKCS12PBEPrefix      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1}
	errPKCS12WrongStructure = errors.New("not a PKCS#12 file confcert can read")
)

// pfxOuter is a PFX with its parts left raw.
type pfxOuter struct {
	Version  int
	AuthSafe contentInfo
	MacData  asn1.RawValue `asn1:"optional"`
}

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"optional"`
}

type macData struct {
	Mac struct {
		Algorithm pkix.AlgorithmIdentifier
		Digest    []byte
	}
	MacSalt    []byte
	Iterations int
}

type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	KeyLength  int
	Prf        pkix.AlgorithmIdentifier
}

type pbmac1Params struct {
	KDF    pkix.AlgorithmIdentifier
	MacAlg pkix.AlgorithmIdentifier
}

type safeBag struct {
	ID    asn1.ObjectIdentifier
	Value asn1.RawValue
}

// isPKCS12PBE reports whether oid is one of PKCS#12's password-based
// encryption schemes (pbeWithSHAAnd3-KeyTripleDES-CBC and its siblings),
// which OpenSSL's `pkcs8 -v1 PBE-SHA1-3DES`, Java and Windows use for PBES1
// PKCS#8 keys.
func isPKCS12PBE(oid asn1.ObjectIdentifier) bool {
	return len(oid) == len(oidPKCS12PBEPrefix)+1 && oid[:len(oidPKCS12PBEPrefix)].Equal(oidPKCS12PBEPrefix)
}

// decryptPBES1 opens a PKCS#8 key encrypted with a PKCS#12 PBE scheme.
func decryptPBES1(der, pw []byte) (any, error) {
	bag := safeBag{ID: oidPKCS8ShroudedKeyBag, Value: explicit0(der)}
	contents, err := asn1.Marshal([]safeBag{bag})
	if err != nil {
		return nil, err
	}
	blocks, err := decodeRepacked(dataContent(contents), string(pw))
	if err != nil {
		if isDecryptionFailure(err) {
			return nil, ErrWrongPassword
		}
		return nil, fmt.Errorf("PBES1 key: %w", err)
	}
	if len(blocks) != 1 {
		return nil, fmt.Errorf("PBES1 key: %w", errPKCS12WrongStructure)
	}
	key, _, err := parsePlainKey(blocks[0].Bytes, PKCS8)
	if err != nil {
		return nil, ErrWrongPassword // PBES1 has no integrity check: a wrong password decrypts to garbage
	}
	return key, nil
}

// repackPKCS12 reads a PFX that go-pkcs12's entry points refuse for its
// shape: each safe content is decoded on its own. A file without a MAC that
// does not decrypt gives pkcs12.ErrIncorrectPassword, as a MAC would have.
func repackPKCS12(data []byte, pw string) ([]*pem.Block, error) {
	var pfx pfxOuter
	if rest, err := asn1.Unmarshal(data, &pfx); err != nil || len(rest) > 0 || !pfx.AuthSafe.ContentType.Equal(oidData) {
		return nil, errPKCS12WrongStructure
	}
	hasMAC := len(pfx.MacData.FullBytes) > 0
	if hasMAC && !verifiedMAC(data, pw) {
		return nil, pkcs12.ErrIncorrectPassword
	}
	cis, err := safeContents(pfx.AuthSafe.Content)
	if err != nil {
		return nil, err
	}
	var blocks []*pem.Block
	for _, ci := range cis {
		b, err := decodeRepacked(ci, pw)
		if err != nil {
			if !hasMAC && isDecryptionFailure(err) {
				return nil, pkcs12.ErrIncorrectPassword
			}
			return nil, err
		}
		blocks = append(blocks, b...)
	}
	return blocks, nil
}

// verifiedMAC reports whether go-pkcs12 accepts the file's MAC with pw: its
// trust-store reader checks the MAC before anything else, so any answer but
// ErrIncorrectPassword means the MAC verified.
func verifiedMAC(data []byte, pw string) bool {
	_, err := pkcs12.DecodeTrustStore(data, pw)
	return !errors.Is(err, pkcs12.ErrIncorrectPassword)
}

// safeContents returns the ContentInfos of the authenticated safe, re-encoded.
func safeContents(content asn1.RawValue) ([]asn1.RawValue, error) {
	var octets []byte
	if _, err := asn1.Unmarshal(content.Bytes, &octets); err != nil {
		return nil, errPKCS12WrongStructure
	}
	var cis []asn1.RawValue
	if rest, err := asn1.Unmarshal(octets, &cis); err != nil || len(rest) > 0 {
		return nil, errPKCS12WrongStructure
	}
	return cis, nil
}

// decodeRepacked decodes one safe content through a PFX of ToPEM's shape.
func decodeRepacked(ci asn1.RawValue, pw string) ([]*pem.Block, error) {
	empty, _ := asn1.Marshal([]safeBag{})
	authSafe, err := asn1.Marshal([]asn1.RawValue{ci, dataContent(empty)})
	if err != nil {
		return nil, err
	}
	pfx, err := pfxWithPBMAC1(authSafe, pw)
	if err != nil {
		return nil, err
	}
	var blocks []*pem.Block
	err = recovered("the PKCS#12 decoder", func() error {
		blocks, err = pkcs12.ToPEM(pfx, pw)
		return err
	})
	return blocks, err
}

// pfxWithPBMAC1 wraps an authenticated safe in a PFX whose MAC is PBMAC1
// over it with pw (one PBKDF2 iteration: the MAC only satisfies the decoder).
func pfxWithPBMAC1(authSafe []byte, pw string) ([]byte, error) {
	salt := []byte("confcert")
	key, err := pbkdf2.Key(sha256.New, pw, salt, 1, 32)
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(authSafe)
	sha256Alg := pkix.AlgorithmIdentifier{Algorithm: oidHMACWithSHA256, Parameters: asn1.NullRawValue}
	kdf, err := asn1.Marshal(pbkdf2Params{Salt: salt, Iterations: 1, KeyLength: 32, Prf: sha256Alg})
	if err != nil {
		return nil, err
	}
	params, err := asn1.Marshal(pbmac1Params{KDF: pkix.AlgorithmIdentifier{Algorithm: oidPBKDF2, Parameters: asn1.RawValue{FullBytes: kdf}}, MacAlg: sha256Alg})
	if err != nil {
		return nil, err
	}
	var md macData
	md.Mac.Algorithm = pkix.AlgorithmIdentifier{Algorithm: oidPBMAC1, Parameters: asn1.RawValue{FullBytes: params}}
	md.Mac.Digest, md.MacSalt, md.Iterations = mac.Sum(nil), salt, 1
	mdDER, err := asn1.Marshal(md)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(pfxOuter{Version: 3, AuthSafe: dataContentInfo(authSafe), MacData: asn1.RawValue{FullBytes: mdDER}})
}

// dataContent is a ContentInfo of type data holding octets, as raw DER.
func dataContent(octets []byte) asn1.RawValue {
	der, _ := asn1.Marshal(dataContentInfo(octets))
	return asn1.RawValue{FullBytes: der}
}

func dataContentInfo(octets []byte) contentInfo {
	inner, _ := asn1.Marshal(octets)
	return contentInfo{ContentType: oidData, Content: explicit0(inner)}
}

// explicit0 wraps DER in an [0] EXPLICIT tag.
func explicit0(der []byte) asn1.RawValue {
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: der}
}

// isDecryptionFailure recognises go-pkcs12's bad-padding error, however
// wrapped: without a MAC it is how a wrong password shows.
func isDecryptionFailure(err error) bool {
	return errors.Is(err, pkcs12.ErrDecryption) || strings.Contains(err.Error(), pkcs12.ErrDecryption.Error())
}
