// Package serial spells certificate serial numbers the one way confcert
// shows and keys them: as openssl prints them (`openssl x509 -serial`).
package serial

import (
	"fmt"
	"math/big"
	"strings"
)

// Hex is upper-case hex with an even number of digits.
func Hex(n *big.Int) string {
	s := strings.ToUpper(n.Text(16))
	if len(s)%2 == 1 {
		s = "0" + s
	}
	return s
}

// ParseHex reads a serial written by Hex (any case).
func ParseHex(s string) (*big.Int, error) {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok || n.Sign() < 0 {
		return nil, fmt.Errorf("serial %q is not a hexadecimal number", s)
	}
	return n, nil
}
