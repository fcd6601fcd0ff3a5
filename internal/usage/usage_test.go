package usage

import (
	"crypto/x509"
	"encoding/asn1"
	"slices"
	"testing"
)

func TestKeyUsageRoundTrip(t *testing.T) {
	all := KeyUsageNames(x509.KeyUsage(1<<9 - 1))
	if len(all) != 9 || all[0] != "digitalSignature" || all[5] != "keyCertSign" || all[8] != "decipherOnly" {
		t.Fatalf("KeyUsageNames(all bits) = %v", all)
	}
	for _, name := range all {
		bit, ok := ParseKeyUsage(name)
		if !ok || !slices.Equal(KeyUsageNames(bit), []string{name}) {
			t.Errorf("%s: parsed to %v (ok %v)", name, bit, ok)
		}
	}
	if bit, ok := ParseKeyUsage("contentCommitment"); !ok || bit != x509.KeyUsageContentCommitment {
		t.Errorf("contentCommitment not accepted as nonRepudiation")
	}
	if _, ok := ParseKeyUsage("serverAuth"); ok {
		t.Errorf("an extended key usage parsed as a key usage")
	}
}

func TestExtKeyUsageRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		eku  x509.ExtKeyUsage
	}{
		{"serverAuth", x509.ExtKeyUsageServerAuth},
		{"clientAuth", x509.ExtKeyUsageClientAuth},
		{"OCSPSigning", x509.ExtKeyUsageOCSPSigning},
	}
	for _, tc := range tests {
		got, ok := ParseExtKeyUsage(tc.name)
		if !ok || got != tc.eku || ExtKeyUsageName(tc.eku) != tc.name {
			t.Errorf("%s: parsed to %v (ok %v), named %q", tc.name, got, ok, ExtKeyUsageName(tc.eku))
		}
	}
	names := ExtKeyUsageNames([]x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 99}})
	if !slices.Equal(names, []string{"serverAuth", "1.3.6.1.5.5.7.3.99"}) {
		t.Errorf("ExtKeyUsageNames = %v", names)
	}
}
