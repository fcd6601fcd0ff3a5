package certfacts

import (
	"crypto/x509"
)

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
