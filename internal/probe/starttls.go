package probe

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Protocol names a protocol that negotiates TLS inside itself (STARTTLS)
// before the handshake. The empty Protocol is plain TLS.
type Protocol string

// The STARTTLS protocols probe speaks.
const (
	// XMPP is client-to-server XMPP, the Meeting Server XMPP service on port
	// 5222 (seed 002 §3.1.3, §4.11).
	XMPP Protocol = "xmpp"
	// XMPPServer is server-to-server XMPP on port 5269.
	XMPPServer Protocol = "xmpp-server"
	// SMTP is mail submission/relay on port 25.
	SMTP Protocol = "smtp"
	// LDAP is LDAP with the StartTLS extended operation on port 389.
	LDAP Protocol = "ldap"
	// Postgres is the PostgreSQL SSLRequest on port 5432, the Meeting Server
	// database cluster port (seed 002 §3.1.5).
	Postgres Protocol = "postgres"
)

// Protocols lists every STARTTLS protocol, for help texts and errors.
func Protocols() []Protocol {
	return []Protocol{XMPP, XMPPServer, SMTP, LDAP, Postgres}
}

// ParseProtocol checks a --starttls value; "" is plain TLS.
func ParseProtocol(s string) (Protocol, error) {
	if s == "" {
		return "", nil
	}
	for _, p := range Protocols() {
		if strings.EqualFold(s, string(p)) {
			return p, nil
		}
	}
	return "", fmt.Errorf("unknown STARTTLS protocol %q (want one of xmpp, xmpp-server, smtp, ldap, postgres)", s)
}

// DefaultPort is the port a target without one is probed on.
func (p Protocol) DefaultPort() int {
	switch p {
	case XMPP:
		return 5222
	case XMPPServer:
		return 5269
	case SMTP:
		return 25
	case LDAP:
		return 389
	case Postgres:
		return 5432
	}
	return 443
}

// maxReply bounds what a server may send before TLS starts; a real
// greeting, feature list or response is far smaller.
const maxReply = 64 << 10

// negotiate runs the protocol's STARTTLS exchange on conn, leaving it ready
// for the TLS ClientHello. domain is the XMPP stream's "to".
func negotiate(conn io.ReadWriter, p Protocol, domain string) error {
	r := bufio.NewReader(&capReader{r: conn, left: maxReply})
	var err error
	switch p {
	case XMPP, XMPPServer:
		err = startXMPP(conn, r, p, domain)
	case SMTP:
		err = startSMTP(conn, r)
	case LDAP:
		err = startLDAP(conn, r)
	case Postgres:
		err = startPostgres(conn, r)
	default:
		return nil
	}
	if err != nil {
		return err
	}
	if r.Buffered() > 0 {
		// Bytes after the go-ahead and before our ClientHello would be
		// read as if protected by TLS: a known injection attack.
		return fmt.Errorf("server sent %d unexpected bytes after agreeing to start TLS", r.Buffered())
	}
	return nil
}

// capReader fails once more than left bytes have been read: a server that
// talks on and on before TLS is broken or hostile.
type capReader struct {
	r    io.Reader
	left int
}

// Read implements io.Reader, failing once the cap is passed.
func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, fmt.Errorf("the server sent more than %d KiB before TLS started", maxReply>>10)
	}
	if len(p) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= n
	return n, err
}
