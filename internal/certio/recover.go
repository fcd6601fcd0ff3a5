package certio

import (
	"errors"
	"fmt"
)

// ErrMalformed says a third-party parser failed on input it should have
// refused: the file is damaged or hostile.
var ErrMalformed = errors.New("malformed input")

// recovered runs a third-party parser (PKCS#8, PKCS#12, PKCS#7) and turns a
// panic inside it into an error wrapping ErrMalformed, so no input file can
// crash confcert. what names the parser for the message.
func recovered(what string, parse func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %s failed on it (%v)", ErrMalformed, what, r)
		}
	}()
	return parse()
}
