// Package keys generates, describes and compares the private keys confcert
// creates: the key types of the command line, parallel generation on every
// core, and matching a private key to a certificate or CSR.
package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"strings"
)

// Type names a kind of private key as written on the command line.
type Type string

// The key types confcert generates (cli.md "Conventions for every verb").
const (
	RSA2048   Type = "rsa2048"
	RSA3072   Type = "rsa3072"
	RSA4096   Type = "rsa4096"
	ECDSAP256 Type = "ecdsa-p256"
	ECDSAP384 Type = "ecdsa-p384"
	Ed25519   Type = "ed25519"
	// RSA1024 exists only for Unified MeetingPlace Release 6.0 MR5 and later,
	// which does not support keys stronger than 1024 bits (seed 004
	// Restrictions). It is insecure and needs an explicit opt-in.
	RSA1024 Type = "rsa1024"
)

// Default is the key type used when none is asked for.
const Default = RSA2048

// LegacyWarning is the warning to print whenever an RSA1024 key is made.
const LegacyWarning = "rsa1024 keys are insecure: use them only for Unified MeetingPlace " +
	"Release 6.0 MR5 and later, which does not support keys stronger than 1024 bits (the Cisco Unified MeetingPlace web conferencing SSL guide, Restrictions)"

// ErrUnknownType is returned by ParseType for a name that is not a key type.
var ErrUnknownType = errors.New("unknown key type")

// ErrLegacyType is returned by ParseType for rsa1024 when legacy keys are not allowed.
var ErrLegacyType = errors.New("key type rsa1024 is insecure and needs an explicit opt-in")

// Types returns the key types accepted without the legacy opt-in, default first.
func Types() []Type {
	return []Type{RSA2048, RSA3072, RSA4096, ECDSAP256, ECDSAP384, Ed25519}
}

// ParseType parses a key type name (case-insensitive). rsa1024 is accepted
// only when allowLegacy is true.
func ParseType(s string, allowLegacy bool) (Type, error) {
	t := Type(strings.ToLower(strings.TrimSpace(s)))
	if t == RSA1024 {
		if !allowLegacy {
			return "", ErrLegacyType
		}
		return t, nil
	}
	for _, known := range Types() {
		if t == known {
			return t, nil
		}
	}
	return "", fmt.Errorf("%w %q (known: %s)", ErrUnknownType, s, typeList())
}

func typeList() string {
	names := make([]string, 0, len(Types()))
	for _, t := range Types() {
		names = append(names, string(t))
	}
	return strings.Join(names, ", ")
}

// Generate makes a new private key of type t.
func Generate(t Type) (crypto.Signer, error) {
	switch t {
	case RSA1024, RSA2048, RSA3072, RSA4096:
		return rsaKey(t)
	case ECDSAP256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case ECDSAP384:
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case Ed25519:
		_, key, err := ed25519.GenerateKey(rand.Reader)
		return key, err
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownType, string(t))
}

func rsaKey(t Type) (crypto.Signer, error) {
	return rsa.GenerateKey(rand.Reader, rsaBits(t))
}

// rsaBits is the modulus size of an RSA key type, 0 for other types.
func rsaBits(t Type) int {
	return map[Type]int{RSA1024: 1024, RSA2048: 2048, RSA3072: 3072, RSA4096: 4096}[t]
}

// Describe returns the algorithm ("RSA", "ECDSA", "Ed25519") and size in bits
// of a public key (a private key is described by its public half). Unknown
// keys give ("unknown", 0).
func Describe(pub crypto.PublicKey) (alg string, bits int) {
	if s, ok := pub.(crypto.Signer); ok {
		pub = s.Public()
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return "RSA", k.N.BitLen()
	case *ecdsa.PublicKey:
		return "ECDSA", k.Curve.Params().BitSize
	case ed25519.PublicKey:
		return "Ed25519", 256
	}
	return "unknown", 0
}

// TypeOf returns the key type of a public (or private) key, and false when
// the key is not one confcert makes (an RSA size other than 1024/2048/3072/4096,
// another curve).
func TypeOf(pub crypto.PublicKey) (Type, bool) {
	alg, bits := Describe(pub)
	t := map[string]Type{
		"RSA1024": RSA1024, "RSA2048": RSA2048, "RSA3072": RSA3072, "RSA4096": RSA4096,
		"ECDSA256": ECDSAP256, "ECDSA384": ECDSAP384, "Ed25519256": Ed25519,
	}[fmt.Sprintf("%s%d", alg, bits)]
	return t, t != ""
}

// Label is a short human description such as "RSA 2048", "ECDSA P-256" or "Ed25519".
func Label(pub crypto.PublicKey) string {
	alg, bits := Describe(pub)
	switch alg {
	case "ECDSA":
		return fmt.Sprintf("ECDSA P-%d", bits)
	case "Ed25519", "unknown":
		return alg
	}
	return fmt.Sprintf("%s %d", alg, bits)
}

// Match reports whether pub is the public half of key. pub may be a
// certificate's or CSR's public key.
func Match(key crypto.Signer, pub crypto.PublicKey) bool {
	if key == nil || pub == nil {
		return false
	}
	mine, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && mine.Equal(pub)
}
