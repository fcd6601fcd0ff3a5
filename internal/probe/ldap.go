package probe

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// ldapStartTLSOID names the StartTLS extended operation (RFC 4511 §4.14).
const ldapStartTLSOID = "1.3.6.1.4.1.1466.20037"

// BER tags used by the StartTLS exchange (RFC 4511 §4.12).
const (
	berSequence    = 0x30
	berInteger     = 0x02
	berEnumerated  = 0x0a
	berOctetString = 0x04
	ldapExtReq     = 0x77 // [APPLICATION 23] constructed
	ldapExtResp    = 0x78 // [APPLICATION 24] constructed
	ldapReqName    = 0x80 // [0] primitive
)

// ldapStartTLSRequest is LDAPMessage{messageID 1, ExtendedRequest{StartTLS}}.
func ldapStartTLSRequest() []byte {
	name := append([]byte{ldapReqName, byte(len(ldapStartTLSOID))}, ldapStartTLSOID...)
	op := append([]byte{ldapExtReq, byte(len(name))}, name...)
	body := append([]byte{berInteger, 1, 1}, op...)
	return append([]byte{berSequence, byte(len(body))}, body...)
}

// startLDAP sends the StartTLS extended request and checks the response.
func startLDAP(w io.Writer, r *bufio.Reader) error {
	if _, err := w.Write(ldapStartTLSRequest()); err != nil {
		return fmt.Errorf("sending the StartTLS request: %w", err)
	}
	return readLDAPStartTLSResponse(r)
}

// readLDAPStartTLSResponse reads one LDAPMessage and checks that it is an
// ExtendedResponse with resultCode success. Servers send BER, not DER
// (OpenLDAP writes four-byte lengths), so this reads BER.
func readLDAPStartTLSResponse(r io.ByteReader) error {
	tag, msg, err := readBER(r)
	if err != nil {
		return fmt.Errorf("reading the StartTLS response: %w", err)
	}
	if tag != berSequence {
		return fmt.Errorf("the StartTLS response is not an LDAP message (tag 0x%02x)", tag)
	}
	br := bytes.NewReader(msg)
	if tag, _, err = readBER(br); err != nil || tag != berInteger {
		return errors.New("the StartTLS response has no message ID")
	}
	tag, op, err := readBER(br)
	if err != nil || tag != ldapExtResp {
		return fmt.Errorf("the StartTLS response is not an extended response (tag 0x%02x)", tag)
	}
	return ldapResult(op)
}

// ldapResult checks an LDAPResult's resultCode and reports the diagnostic
// message when it is not success (0).
func ldapResult(op []byte) error {
	br := bytes.NewReader(op)
	tag, code, err := readBER(br)
	if err != nil || tag != berEnumerated || len(code) == 0 || len(code) > 4 {
		return errors.New("the StartTLS response has no result code")
	}
	n := 0
	for _, b := range code {
		n = n<<8 | int(b)
	}
	if n == 0 {
		return nil
	}
	_, _, _ = readBER(br) // matchedDN
	_, diag, _ := readBER(br)
	return fmt.Errorf("the server refused StartTLS: result code %d %q", n, diag)
}

// maxBER bounds one BER element; a StartTLS response is tiny.
const maxBER = 16 << 10

// readBER reads one element with a single-byte tag and a definite length.
func readBER(r io.ByteReader) (byte, []byte, error) {
	tag, err := r.ReadByte()
	if err != nil {
		return 0, nil, noEOF(err)
	}
	if tag&0x1f == 0x1f {
		return tag, nil, errors.New("multi-byte BER tags are not expected here")
	}
	n, err := readBERLength(r)
	if err != nil {
		return tag, nil, err
	}
	body := make([]byte, n)
	for i := range body {
		if body[i], err = r.ReadByte(); err != nil {
			return tag, nil, noEOF(err)
		}
	}
	return tag, body, nil
}

// readBERLength reads a short- or long-form definite length.
func readBERLength(r io.ByteReader) (int, error) {
	b, err := r.ReadByte()
	if err != nil {
		return 0, noEOF(err)
	}
	if b < 0x80 {
		return int(b), nil
	}
	octets := int(b & 0x7f)
	if octets == 0 || octets > 4 {
		return 0, errors.New("indefinite or over-long BER length")
	}
	n := 0
	for range octets {
		if b, err = r.ReadByte(); err != nil {
			return 0, noEOF(err)
		}
		n = n<<8 | int(b)
	}
	if n > maxBER {
		return 0, fmt.Errorf("a BER element of %d bytes is too long", n)
	}
	return n, nil
}
