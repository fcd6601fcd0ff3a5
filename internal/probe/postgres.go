package probe

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// sslRequestCode is the PostgreSQL SSLRequest code (1234 << 16 | 5679).
const sslRequestCode = 80877103

// startPostgres sends an SSLRequest and reads the one-byte answer.
func startPostgres(w io.Writer, r io.Reader) error {
	var req [8]byte
	binary.BigEndian.PutUint32(req[0:4], 8)
	binary.BigEndian.PutUint32(req[4:8], sslRequestCode)
	if _, err := w.Write(req[:]); err != nil {
		return fmt.Errorf("sending SSLRequest: %w", err)
	}
	return readPostgresSSLResponse(r)
}

// readPostgresSSLResponse reads the server's answer to an SSLRequest: 'S' to
// go ahead, 'N' when the server does not do TLS, 'E' an error message from
// a server that does not understand the request.
func readPostgresSSLResponse(r io.Reader) error {
	var b [1]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return fmt.Errorf("reading the SSLRequest answer: %w", noEOF(err))
	}
	switch b[0] {
	case 'S':
		return nil
	case 'N':
		return fmt.Errorf("the server refused TLS (answered 'N' to SSLRequest): ssl is off in its configuration")
	case 'E':
		return fmt.Errorf("the server answered SSLRequest with an error: it is not a PostgreSQL server that supports TLS")
	}
	return fmt.Errorf("the server answered SSLRequest with byte 0x%02x: not a PostgreSQL server", b[0])
}

// noEOF turns a bare EOF into a sentence.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("the server closed the connection")
	}
	return err
}
