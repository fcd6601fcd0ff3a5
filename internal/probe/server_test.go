package probe

import (
	"bufio"
	"crypto/tls"
	"encoding/xml"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/loopback"
)

// serve runs handle for every connection to a loopback port until the test
// ends and returns the target to probe.
func serve(t testing.TB, handle func(net.Conn)) Target {
	t.Helper()
	return target(t, loopback.Serve(t, handle))
}

// target is the Target of a loopback "127.0.0.1:port".
func target(t testing.TB, addr string) Target {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(port)
	return Target{Host: "127.0.0.1", Port: n}
}

// serveTLS serves the given certificate over plain TLS.
func serveTLS(t testing.TB, cert tls.Certificate) Target {
	return serve(t, loopback.TLS(&tls.Config{Certificates: []tls.Certificate{cert}}))
}

// closedPort returns a loopback target nothing listens on.
func closedPort(t testing.TB) Target {
	return target(t, loopback.ClosedAddr(t))
}

// xmppServer offers STARTTLS in a ns stream, then serves cfg. The domain
// the client addressed is sent on gotTo.
func xmppServer(ns string, cfg *tls.Config, gotTo chan<- string) func(net.Conn) {
	return func(conn net.Conn) {
		dec := xml.NewDecoder(conn)
		start, ok := nextStart(dec)
		if !ok || start.Name.Local != "stream" {
			return
		}
		for _, a := range start.Attr {
			if a.Name.Local == "to" {
				gotTo <- a.Value
			}
		}
		io.WriteString(conn, "<?xml version='1.0'?><stream:stream from='x' id='1' version='1.0' xmlns='"+ns+
			"' xmlns:stream='http://etherx.jabber.org/streams'><stream:features><mechanisms/>"+
			"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>")
		if s, ok := nextStart(dec); !ok || s.Name.Local != "starttls" {
			return
		}
		io.WriteString(conn, "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
		loopback.TLS(cfg)(conn)
	}
}

func nextStart(dec *xml.Decoder) (xml.StartElement, bool) {
	for {
		tok, err := dec.Token()
		if err != nil {
			return xml.StartElement{}, false
		}
		if s, ok := tok.(xml.StartElement); ok {
			return s, true
		}
	}
}

// smtpServer greets, offers STARTTLS after EHLO, then serves cfg.
func smtpServer(cfg *tls.Config) func(net.Conn) {
	return func(conn net.Conn) {
		r := bufio.NewReader(conn)
		io.WriteString(conn, "220-mail.example.test ESMTP\r\n220 ready\r\n")
		if l, _ := r.ReadString('\n'); !strings.HasPrefix(l, "EHLO ") {
			return
		}
		io.WriteString(conn, "250-mail.example.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n")
		if l, _ := r.ReadString('\n'); l != "STARTTLS\r\n" {
			return
		}
		io.WriteString(conn, "220 2.0.0 go ahead\r\n")
		loopback.TLS(cfg)(conn)
	}
}

// ldapServer answers the StartTLS extended request with success, using
// OpenLDAP's four-byte BER lengths, then serves cfg.
func ldapServer(cfg *tls.Config) func(net.Conn) {
	return func(conn net.Conn) {
		req := ldapStartTLSRequest()
		got := make([]byte, len(req))
		if _, err := io.ReadFull(conn, got); err != nil || string(got) != string(req) {
			return
		}
		conn.Write([]byte{0x30, 0x84, 0, 0, 0, 0x10, 0x02, 0x01, 0x01,
			0x78, 0x84, 0, 0, 0, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00})
		loopback.TLS(cfg)(conn)
	}
}

// postgresServer answers an SSLRequest with answer; 'S' then serves cfg.
func postgresServer(answer byte, cfg *tls.Config) func(net.Conn) {
	return func(conn net.Conn) {
		var req [8]byte
		if _, err := io.ReadFull(conn, req[:]); err != nil || req != [8]byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f} {
			return
		}
		conn.Write([]byte{answer})
		if answer == 'S' {
			loopback.TLS(cfg)(conn)
		}
	}
}
