// Package dname formats distinguished names the way openssl prints them
// (`C = US, O = "Example, Inc.", CN = host`), which is also how the Meeting
// Server shows them in `pki verify` and `pki inspect` (seed 002 §4.3, §4.4).
// inspect, verify, bundle and probe all print names through it.
package dname

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"github.com/confcert/confcert/internal/termsafe"
	"strings"
)

// shortNames are the attribute names openssl prints in distinguished names.
var shortNames = map[string]string{
	"2.5.4.3":                    "CN",
	"2.5.4.4":                    "SN",
	"2.5.4.5":                    "serialNumber",
	"2.5.4.6":                    "C",
	"2.5.4.7":                    "L",
	"2.5.4.8":                    "ST",
	"2.5.4.9":                    "street",
	"2.5.4.10":                   "O",
	"2.5.4.11":                   "OU",
	"2.5.4.12":                   "title",
	"2.5.4.17":                   "postalCode",
	"2.5.4.42":                   "GN",
	"2.5.4.43":                   "initials",
	"2.5.4.46":                   "dnQualifier",
	"2.5.4.65":                   "pseudonym",
	"2.5.4.97":                   "organizationIdentifier",
	"0.9.2342.19200300.100.1.1":  "UID",
	"0.9.2342.19200300.100.1.25": "DC",
	"1.2.840.113549.1.9.1":       "emailAddress",
	"1.3.6.1.4.1.311.60.2.1.1":   "jurisdictionL",
	"1.3.6.1.4.1.311.60.2.1.2":   "jurisdictionST",
	"1.3.6.1.4.1.311.60.2.1.3":   "jurisdictionC",
	"2.5.4.15":                   "businessCategory",
}

// Format formats a distinguished name the way openssl prints it by default
// (`C = US, O = "Example, Inc.", CN = host`): attributes in certificate order,
// values quoted when they hold a separator.
func Format(n pkix.Name) string {
	var b strings.Builder
	for i, atv := range n.Names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(attrName(atv.Type))
		b.WriteString(" = ")
		writeValue(&b, atv.Value)
	}
	return b.String()
}

func attrName(oid asn1.ObjectIdentifier) string {
	s := oid.String()
	if n, ok := shortNames[s]; ok {
		return n
	}
	return s
}

// writeValue writes one attribute value: quoted when it holds a character
// that separates attributes, with quotes, backslashes and control characters
// escaped, as openssl does.
func writeValue(b *strings.Builder, v any) {
	s, ok := v.(string)
	if !ok {
		b.WriteString("<not text>")
		return
	}
	quote := strings.ContainsAny(s, ",+;<>=#") || strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ")
	if quote {
		b.WriteByte('"')
	}
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\` + strings.ToUpper(hexByte(byte(r))))
		case r >= 0x80 && termsafe.String(string(r)) != string(r):
			b.WriteString(termsafe.String(string(r))) // C1 controls, bidirectional overrides, invalid UTF-8
		default:
			b.WriteRune(r)
		}
	}
	if quote {
		b.WriteByte('"')
	}
}

func hexByte(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&0xf]})
}

// FormatRaw formats a DER-encoded name (a certificate's RawSubject or
// RawIssuer) in encoded order; a name that does not decode is shown as such.
func FormatRaw(raw []byte) string {
	var seq pkix.RDNSequence
	if rest, err := asn1.Unmarshal(raw, &seq); err != nil || len(rest) > 0 {
		return "(unreadable name)"
	}
	var n pkix.Name
	n.FillFromRDNSequence(&seq)
	return Format(n)
}
