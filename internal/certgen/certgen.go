// Package certgen creates certificate signing requests, self-signed CA
// certificates and CA-signed certificates with the extensions Cisco
// conferencing servers expect (seed 002 §3.1, §3.2, Appendix A).
package certgen

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/url"

	"github.com/confcert/confcert/internal/usage"
)

// Request is what a CSR or certificate says about its owner: the subject and
// the subjectAltName entries.
type Request struct {
	Subject        pkix.Name
	DNSNames       []string
	IPAddresses    []net.IP
	EmailAddresses []string
	URIs           []*url.URL
	// ExtKeyUsage is what the certificate will be used for, when known: a
	// client-only RSA key then asks for digitalSignature alone, as it will be
	// issued (usage.Leaf); nil asks for what any TLS key may need.
	ExtKeyUsage []x509.ExtKeyUsage
}

// oidKeyUsage is id-ce-keyUsage (RFC 5280 §4.2.1.3).
var oidKeyUsage = asn1.ObjectIdentifier{2, 5, 29, 15}

// CSR creates a DER certificate signing request for key, signed with SHA-256
// (or the matching ECDSA/Ed25519 signature). It requests keyUsage
// digitalSignature, plus keyEncipherment for RSA keys, as openssl does with
// -addext "keyUsage=digitalSignature" (seed 002 Appendix A.1).
func CSR(key crypto.Signer, r Request) ([]byte, error) {
	if key == nil {
		return nil, errors.New("no private key for the CSR")
	}
	ku, err := keyUsageExtension(leafKeyUsage(key.Public(), r.ExtKeyUsage))
	if err != nil {
		return nil, err
	}
	tmpl := &x509.CertificateRequest{
		Subject:            r.Subject,
		DNSNames:           r.DNSNames,
		IPAddresses:        r.IPAddresses,
		EmailAddresses:     r.EmailAddresses,
		URIs:               r.URIs,
		SignatureAlgorithm: signatureAlgorithm(key.Public()),
		ExtraExtensions:    []pkix.Extension{ku},
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		return nil, fmt.Errorf("create CSR: %w", err)
	}
	return der, nil
}

// leafKeyUsage is what a CSR requests: usage.Leaf, the one key usage rule,
// for the extended key usages the certificate will have (none known: any TLS
// use, so digitalSignature plus keyEncipherment for RSA keys, seed 002
// Appendix A.1).
func leafKeyUsage(pub crypto.PublicKey, eku []x509.ExtKeyUsage) x509.KeyUsage {
	_, isRSA := pub.(*rsa.PublicKey)
	return usage.Leaf(isRSA, eku)
}

// keyUsageExtension encodes a critical keyUsage extension as RFC 5280
// §4.2.1.3 and DER (trailing zero bits removed) require.
func keyUsageExtension(ku x509.KeyUsage) (pkix.Extension, error) {
	var bits asn1.BitString
	for i := 0; i < 9; i++ {
		if ku&(1<<i) == 0 {
			continue
		}
		for len(bits.Bytes) <= i/8 {
			bits.Bytes = append(bits.Bytes, 0)
		}
		bits.Bytes[i/8] |= 0x80 >> (i % 8)
		bits.BitLength = i + 1
	}
	value, err := asn1.Marshal(bits)
	if err != nil {
		return pkix.Extension{}, fmt.Errorf("encode keyUsage: %w", err)
	}
	return pkix.Extension{Id: oidKeyUsage, Critical: true, Value: value}, nil
}

// signatureAlgorithm picks SHA-256 for RSA and the curve's own hash for ECDSA
// (P-256 → SHA-256, P-384 → SHA-384); Ed25519 has only one.
func signatureAlgorithm(pub crypto.PublicKey) x509.SignatureAlgorithm {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return x509.SHA256WithRSA
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P384() {
			return x509.ECDSAWithSHA384
		}
		if k.Curve == elliptic.P521() {
			return x509.ECDSAWithSHA512
		}
		return x509.ECDSAWithSHA256
	case ed25519.PublicKey:
		return x509.PureEd25519
	}
	return x509.UnknownSignatureAlgorithm
}

// KeyID is the key identifier of a public key: the leftmost 160 bits of the
// SHA-256 hash of the subjectPublicKey bits (RFC 7093 §2 method 1). It is
// used for the subjectKeyIdentifier and authorityKeyIdentifier extensions.
func KeyID(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("key identifier: %w", err)
	}
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &spki); err != nil {
		return nil, fmt.Errorf("key identifier: %w", err)
	}
	sum := sha256.Sum256(spki.PublicKey.Bytes)
	return sum[:20], nil
}

// RandomSerial returns a positive serial number of 128 random bits.
func RandomSerial() (*big.Int, error) {
	limit := new(big.Int).Lsh(big.NewInt(1), 128)
	for {
		n, err := rand.Int(rand.Reader, limit)
		if err != nil {
			return nil, fmt.Errorf("random serial: %w", err)
		}
		if n.Sign() > 0 {
			return n, nil
		}
	}
}
