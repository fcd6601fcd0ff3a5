package chain

import (
	"crypto/x509"
	"testing"
)

func TestSignatureStrength(t *testing.T) {
	for _, tc := range []struct {
		alg  x509.SignatureAlgorithm
		want Strength
	}{
		{x509.SHA256WithRSA, Sound},
		{x509.ECDSAWithSHA384, Sound},
		{x509.PureEd25519, Sound},
		{x509.SHA1WithRSA, Weak},
		{x509.ECDSAWithSHA1, Weak},
		{x509.MD5WithRSA, Broken},
		{x509.MD2WithRSA, Broken},
	} {
		if got := SignatureStrength(&x509.Certificate{SignatureAlgorithm: tc.alg}); got != tc.want {
			t.Errorf("%v: strength %d, want %d", tc.alg, got, tc.want)
		}
	}
}
