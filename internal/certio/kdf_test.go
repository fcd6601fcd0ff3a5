package certio

import (
	"encoding/asn1"
	"os"
	"testing"
)

func TestCostlyKDF(t *testing.T) {
	params := func(ints ...int64) []byte {
		seq := []any{[]byte("saltsalt")}
		for _, i := range ints {
			seq = append(seq, i)
		}
		der, err := asn1.Marshal(seq)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	wrapped := func(inner []byte) []byte {
		der, err := asn1.Marshal(struct{ Data []byte }{inner})
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	tests := []struct {
		name string
		data []byte
		want bool
	}{
		{"openssl default", params(2048), false},
		{"PBKDF2 with key length", params(600_000, 32), false},
		{"iteration bomb", params(1 << 31), true},
		{"huge integer", params(1<<62, 32), true},
		{"scrypt as openssl writes it", params(16384, 8, 1), false},
		{"scrypt memory bomb", params(1<<20, 8, 1), true},
		{"bomb inside an OCTET STRING", wrapped(params(1 << 31)), true},
		{"negative iterations", []byte{0x30, 0x07, 0x04, 0x02, 0x01, 0x02, 0x02, 0x01, 0xff}, false},
	}
	for _, tt := range tests {
		if got := costlyKDF(tt.data, 0); got != tt.want {
			t.Errorf("%s: costlyKDF = %t, want %t", tt.name, got, tt.want)
		}
	}
	for _, name := range []string{"modern.p12", "legacy.p12", "ec-pkcs8-enc.der"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if costlyKDF(data, 0) {
			t.Errorf("%s: an openssl default file is refused as costly", name)
		}
	}
}
