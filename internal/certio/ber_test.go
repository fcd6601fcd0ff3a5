package certio

import (
	"bytes"
	"os"
	"testing"
)

func TestTooDeep(t *testing.T) {
	p7, err := os.ReadFile("testdata/chain.p7b")
	if err != nil {
		t.Fatal(err)
	}
	nested := func(depth int, open, close []byte) []byte {
		return append(bytes.Repeat(open, depth), bytes.Repeat(close, depth)...)
	}
	tests := []struct {
		name string
		data []byte
		want bool
	}{
		{"real PKCS#7", p7, false},
		{"indefinite, shallow", nested(10, []byte{0x30, 0x80}, []byte{0, 0}), false},
		{"indefinite bomb", nested(100, []byte{0x30, 0x80}, []byte{0, 0}), true},
		{"indefinite bomb, never closed", bytes.Repeat([]byte{0x30, 0x80}, 1000), true},
		{"definite, at the limit", nestedDER(maxBERDepth - 1), false},
		{"definite bomb", nestedDER(1000), true},
		{"truncated", p7[:10], false},
		{"high tag number", []byte{0x3f, 0x81, 0x01, 0x00}, false},
		{"empty", nil, false},
	}
	for _, tt := range tests {
		if got := tooDeep(tt.data, maxBERDepth); got != tt.want {
			t.Errorf("%s: tooDeep = %t, want %t", tt.name, got, tt.want)
		}
	}
}

// nestedDER returns depth nested SEQUENCEs around a NULL, with short
// lengths only while they fit.
func nestedDER(depth int) []byte {
	v := []byte{0x05, 0x00}
	for range depth {
		switch n := len(v); {
		case n < 0x80:
			v = append([]byte{0x30, byte(n)}, v...)
		default:
			v = append([]byte{0x30, 0x82, byte(n >> 8), byte(n)}, v...)
		}
	}
	return v
}
