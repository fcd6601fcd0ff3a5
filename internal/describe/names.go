package describe

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
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

// Name formats a distinguished name the way openssl prints it by default
// (`C = US, O = "Example, Inc.", CN = host`): attributes in certificate order,
// values quoted when they hold a separator.
func Name(n pkix.Name) string {
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

// signatureNames are openssl's names of signature algorithms, the ones
// administrators see in `openssl x509 -text` and on the MMP (seed 002 §4.4).
var signatureNames = map[x509.SignatureAlgorithm]string{
	x509.MD2WithRSA:       "md2WithRSAEncryption",
	x509.MD5WithRSA:       "md5WithRSAEncryption",
	x509.SHA1WithRSA:      "sha1WithRSAEncryption",
	x509.SHA256WithRSA:    "sha256WithRSAEncryption",
	x509.SHA384WithRSA:    "sha384WithRSAEncryption",
	x509.SHA512WithRSA:    "sha512WithRSAEncryption",
	x509.SHA256WithRSAPSS: "rsassaPss",
	x509.SHA384WithRSAPSS: "rsassaPss",
	x509.SHA512WithRSAPSS: "rsassaPss",
	x509.DSAWithSHA1:      "dsaWithSHA1",
	x509.DSAWithSHA256:    "dsa_with_SHA256",
	x509.ECDSAWithSHA1:    "ecdsa-with-SHA1",
	x509.ECDSAWithSHA256:  "ecdsa-with-SHA256",
	x509.ECDSAWithSHA384:  "ecdsa-with-SHA384",
	x509.ECDSAWithSHA512:  "ecdsa-with-SHA512",
	x509.PureEd25519:      "ED25519",
}

// SignatureAlgorithm returns openssl's name of a signature algorithm
// (`sha256WithRSAEncryption`, `ecdsa-with-SHA256`, ...), or "unknown".
func SignatureAlgorithm(a x509.SignatureAlgorithm) string {
	if n, ok := signatureNames[a]; ok {
		return n
	}
	return "unknown"
}
