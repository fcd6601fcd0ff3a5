package chain

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"
)

// shortName returns openssl's short name for a name attribute, or the
// dotted object identifier for unusual ones.
func shortName(oid string) string {
	switch oid {
	case "2.5.4.3":
		return "CN"
	case "2.5.4.4":
		return "SN"
	case "2.5.4.5":
		return "serialNumber"
	case "2.5.4.6":
		return "C"
	case "2.5.4.7":
		return "L"
	case "2.5.4.8":
		return "ST"
	case "2.5.4.9":
		return "street"
	case "2.5.4.10":
		return "O"
	case "2.5.4.11":
		return "OU"
	case "2.5.4.12":
		return "title"
	case "2.5.4.17":
		return "postalCode"
	case "2.5.4.42":
		return "GN"
	case "1.2.840.113549.1.9.1":
		return "emailAddress"
	case "0.9.2342.19200300.100.1.25":
		return "DC"
	case "0.9.2342.19200300.100.1.1":
		return "UID"
	}
	return oid
}

// OpenSSLName formats an encoded name the way openssl prints it
// ("C = GB, O = Example, CN = Example CA"), in encoded order, as the Meeting
// Server shows it in verification errors (seed 002 §4.4).
func OpenSSLName(raw []byte) string {
	var seq pkix.RDNSequence
	if rest, err := asn1.Unmarshal(raw, &seq); err != nil || len(rest) > 0 {
		return "(unreadable name)"
	}
	var parts []string
	for _, rdn := range seq {
		for _, atv := range rdn {
			parts = append(parts, fmt.Sprintf("%s = %v", shortName(atv.Type.String()), atv.Value))
		}
	}
	return strings.Join(parts, ", ")
}
