// Package usage names key usages and extended key usages, in both
// directions, with the names `inspect --json` and plan.json use (spec cli.md
// `inspect`: `digitalSignature`, `keyEncipherment`, `keyCertSign`, ...;
// `serverAuth`, `clientAuth`, ...). One table serves every verb, so a name a
// plan asks for is the name inspect shows.
package usage

import (
	"crypto/x509"
	"encoding/asn1"
	"slices"
)

// keyUsages are the RFC 5280 §4.2.1.3 names of the keyUsage bits, in bit order.
var keyUsages = []struct {
	bit  x509.KeyUsage
	name string
}{
	{x509.KeyUsageDigitalSignature, "digitalSignature"},
	{x509.KeyUsageContentCommitment, "nonRepudiation"},
	{x509.KeyUsageKeyEncipherment, "keyEncipherment"},
	{x509.KeyUsageDataEncipherment, "dataEncipherment"},
	{x509.KeyUsageKeyAgreement, "keyAgreement"},
	{x509.KeyUsageCertSign, "keyCertSign"},
	{x509.KeyUsageCRLSign, "cRLSign"},
	{x509.KeyUsageEncipherOnly, "encipherOnly"},
	{x509.KeyUsageDecipherOnly, "decipherOnly"},
}

// extKeyUsages are the RFC 5280 §4.2.1.12 (and vendor) names of extended key usages.
var extKeyUsages = []struct {
	eku  x509.ExtKeyUsage
	name string
}{
	{x509.ExtKeyUsageAny, "anyExtendedKeyUsage"},
	{x509.ExtKeyUsageServerAuth, "serverAuth"},
	{x509.ExtKeyUsageClientAuth, "clientAuth"},
	{x509.ExtKeyUsageCodeSigning, "codeSigning"},
	{x509.ExtKeyUsageEmailProtection, "emailProtection"},
	{x509.ExtKeyUsageIPSECEndSystem, "ipsecEndSystem"},
	{x509.ExtKeyUsageIPSECTunnel, "ipsecTunnel"},
	{x509.ExtKeyUsageIPSECUser, "ipsecUser"},
	{x509.ExtKeyUsageTimeStamping, "timeStamping"},
	{x509.ExtKeyUsageOCSPSigning, "OCSPSigning"},
	{x509.ExtKeyUsageMicrosoftServerGatedCrypto, "msSGC"},
	{x509.ExtKeyUsageNetscapeServerGatedCrypto, "nsSGC"},
	{x509.ExtKeyUsageMicrosoftCommercialCodeSigning, "msCodeCom"},
	{x509.ExtKeyUsageMicrosoftKernelCodeSigning, "msKernelCodeSigning"},
}

// KeyUsageNames returns the names of the bits set in ku, in bit order.
func KeyUsageNames(ku x509.KeyUsage) []string {
	names := []string{}
	for _, k := range keyUsages {
		if ku&k.bit != 0 {
			names = append(names, k.name)
		}
	}
	return names
}

// ParseKeyUsage returns the bit of a key usage name; "contentCommitment",
// the newer name of nonRepudiation, is accepted too.
func ParseKeyUsage(name string) (x509.KeyUsage, bool) {
	if name == "contentCommitment" {
		return x509.KeyUsageContentCommitment, true
	}
	for _, k := range keyUsages {
		if k.name == name {
			return k.bit, true
		}
	}
	return 0, false
}

// ExtKeyUsageName returns the name of one extended key usage.
func ExtKeyUsageName(u x509.ExtKeyUsage) string {
	for _, e := range extKeyUsages {
		if e.eku == u {
			return e.name
		}
	}
	return "unknown"
}

// ExtKeyUsageNames returns the names of ekus, then the dotted OIDs of the
// usages Go does not know.
func ExtKeyUsageNames(ekus []x509.ExtKeyUsage, unknown []asn1.ObjectIdentifier) []string {
	names := make([]string, 0, len(ekus)+len(unknown))
	for _, u := range ekus {
		names = append(names, ExtKeyUsageName(u))
	}
	for _, oid := range unknown {
		names = append(names, oid.String())
	}
	return names
}

// ParseExtKeyUsage returns the extended key usage of a name.
func ParseExtKeyUsage(name string) (x509.ExtKeyUsage, bool) {
	for _, e := range extKeyUsages {
		if e.name == name {
			return e.eku, true
		}
	}
	return 0, false
}

// Leaf is the one key usage rule of every end-entity certificate confcert
// makes, whether it requests it (csr, plan's CSRs), plans it (the plan's
// key_usage) or issues it (sign, ca sign, the local CA): digitalSignature,
// plus keyEncipherment for an RSA key that may serve TLS (serverAuth among
// its extended key usages, or none given), which TLS RSA key exchange needs
// (seed 002 Appendix A.1, D.2). A client-only certificate (the database
// client, seed 002 §3.1.5) gets digitalSignature alone: keyEncipherment
// serves the server's key exchange, and RFC 5280 §4.2.1.12 consistency (zlint
// e_key_usage_and_extended_key_usage_inconsistent) rejects it beside
// clientAuth alone.
func Leaf(rsaKey bool, eku []x509.ExtKeyUsage) x509.KeyUsage {
	if rsaKey && (len(eku) == 0 || slices.Contains(eku, x509.ExtKeyUsageServerAuth)) {
		return x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	}
	return x509.KeyUsageDigitalSignature
}
