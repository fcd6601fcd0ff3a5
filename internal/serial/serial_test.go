package serial

import (
	"math/big"
	"testing"
)

func TestHexRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		n    int64
		want string
	}{{1, "01"}, {255, "FF"}, {256, "0100"}, {0xABCDE, "0ABCDE"}} {
		got := Hex(big.NewInt(tt.n))
		if got != tt.want {
			t.Errorf("Hex(%d) = %s, want %s", tt.n, got, tt.want)
		}
		back, err := ParseHex(got)
		if err != nil || back.Int64() != tt.n {
			t.Errorf("ParseHex(%s) = %v, %v", got, back, err)
		}
	}
	if _, err := ParseHex("-01"); err == nil {
		t.Error("a negative serial was accepted")
	}
	if _, err := ParseHex("xyz"); err == nil {
		t.Error("xyz was accepted")
	}
}
