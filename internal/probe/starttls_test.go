package probe

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// script is a fake connection: reads come from the server's words, writes
// are recorded.
type script struct {
	io.Reader
	sent bytes.Buffer
}

func (s *script) Write(p []byte) (int, error) { return s.sent.Write(p) }

const (
	xmppFeatures = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' " +
		"xmlns:stream='http://etherx.jabber.org/streams' id='1' version='1.0'><stream:features>" +
		"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>"
	xmppProceed = "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
)

func TestNegotiate(t *testing.T) {
	ldapOK := "\x30\x0c\x02\x01\x01\x78\x07\x0a\x01\x00\x04\x00\x04\x00"
	tests := []struct {
		name    string
		proto   Protocol
		server  string
		wantErr string // empty: success
		sent    string // what the client must have written (substring)
	}{
		{"xmpp", XMPP, xmppFeatures + xmppProceed, "", "to='example.com'"},
		{"xmpp-server namespace", XMPPServer, xmppFeatures + xmppProceed, "", "xmlns='jabber:server'"},
		{"xmpp without starttls", XMPP, strings.Replace(xmppFeatures, "starttls", "other", 2), "does not offer STARTTLS", ""},
		{"xmpp failure", XMPP, xmppFeatures + "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", "<failure/>", ""},
		{"xmpp stream error", XMPP, "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'><stream:error>" +
			"<host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>", `"host-unknown"`, ""},
		{"xmpp closed", XMPP, xmppFeatures, "closed the connection", ""},
		{"xmpp bytes after proceed", XMPP, xmppFeatures + xmppProceed + "\x16\x03", "unexpected bytes", ""},
		{"smtp", SMTP, "220 hi\r\n250-x\r\n250 STARTTLS\r\n220 go\r\n", "", "EHLO confcert.invalid\r\nSTARTTLS\r\n"},
		{"smtp lf only", SMTP, "220 hi\n250-x\n250-STARTTLS\n250 SIZE 10\n220 go\n", "", "STARTTLS"},
		{"smtp busy", SMTP, "554 no service\r\n", "answered greeting with 554", ""},
		{"smtp no starttls", SMTP, "220 hi\r\n250 PIPELINING\r\n", "does not offer STARTTLS", ""},
		{"smtp refused", SMTP, "220 hi\r\n250 STARTTLS\r\n454 TLS not available\r\n", "454", ""},
		{"smtp garbage", SMTP, "HTTP/1.1 400 Bad\r\n", "malformed", ""},
		{"smtp mixed codes", SMTP, "220-a\r\n250 b\r\n", "different codes", ""},
		{"smtp injection", SMTP, "220 hi\r\n250 STARTTLS\r\n220 go\r\n250 injected\r\n", "unexpected bytes", ""},
		{"ldap", LDAP, ldapOK, "", "1.3.6.1.4.1.1466.20037"},
		{"ldap refused", LDAP, "\x30\x13\x02\x01\x01\x78\x0e\x0a\x01\x02\x04\x00\x04\x07nope!!!", "result code 2", ""},
		{"ldap not a message", LDAP, "\x04\x00", "not an LDAP message", ""},
		{"ldap truncated", LDAP, "\x30\x0c\x02\x01", "closed the connection", ""},
		{"ldap huge length", LDAP, "\x30\x84\x7f\xff\xff\xff", "too long", ""},
		{"postgres", Postgres, "S", "", "\x00\x00\x00\x08\x04\xd2\x16\x2f"},
		{"postgres no ssl", Postgres, "N", "refused TLS", ""},
		{"postgres error", Postgres, "E", "error", ""},
		{"postgres other", Postgres, "H", "0x48", ""},
		{"postgres injection", Postgres, "SX", "unexpected bytes", ""},
		{"plain tls sends nothing", "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := &script{Reader: strings.NewReader(tt.server)}
			err := negotiate(conn, tt.proto, "example.com")
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want one with %q", err, tt.wantErr)
			case !strings.Contains(conn.sent.String(), tt.sent):
				t.Fatalf("sent %q, want %q in it", conn.sent.String(), tt.sent)
			}
		})
	}
}

func TestNegotiateBoundsWhatItReads(t *testing.T) {
	endless := io.MultiReader(strings.NewReader("220-hi\r\n"), strings.NewReader(strings.Repeat("220-more\r\n", 10000)))
	err := negotiate(&script{Reader: endless}, SMTP, "x")
	if err == nil || !strings.Contains(err.Error(), "64 KiB") {
		t.Fatalf("error %v, want the 64 KiB limit", err)
	}
}

func TestXMPPStreamHeaderEscapesDomain(t *testing.T) {
	h := xmppStreamHeader(XMPP, "a'b<c")
	if !strings.Contains(h, "to='a&#39;b&lt;c'") {
		t.Errorf("header %q does not escape the domain", h)
	}
}

func FuzzStartTLSResponses(f *testing.F) {
	seeds := map[Protocol][]string{
		XMPP:     {xmppFeatures + xmppProceed, xmppFeatures + "<failure/>", "<a"},
		SMTP:     {"220 hi\r\n250-x\r\n250 STARTTLS\r\n220 go\r\n", "220-\n250 STARTTLS\n220\n"},
		LDAP:     {"\x30\x0c\x02\x01\x01\x78\x07\x0a\x01\x00\x04\x00\x04\x00", "\x30\x84\x00\x00\x00\x03\x02\x01\x01"},
		Postgres: {"S", "N"},
	}
	for i, p := range Protocols() {
		for _, s := range seeds[p] {
			f.Add(uint8(i), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		protos := Protocols()
		p := protos[int(which)%len(protos)]
		conn := &script{Reader: bytes.NewReader(data)}
		if err := negotiate(conn, p, "example.com"); err == nil && len(data) == 0 {
			t.Fatalf("%s: success on an empty reply", p)
		}
	})
}
