package probe

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// XML namespaces of the XMPP stream and its STARTTLS (RFC 6120 §5).
const (
	nsStreams = "http://etherx.jabber.org/streams"
	nsTLS     = "urn:ietf:params:xml:ns:xmpp-tls"
)

// startXMPP opens a stream to domain, waits for the features, asks for
// STARTTLS and waits for <proceed/> (RFC 6120 §5.4).
func startXMPP(w io.Writer, r *bufio.Reader, p Protocol, domain string) error {
	if _, err := io.WriteString(w, xmppStreamHeader(p, domain)); err != nil {
		return fmt.Errorf("opening the XMPP stream: %w", err)
	}
	dec := xml.NewDecoder(r) // a ByteReader: the decoder never reads past <proceed/>
	if err := readXMPPFeatures(dec); err != nil {
		return err
	}
	if _, err := io.WriteString(w, "<starttls xmlns='"+nsTLS+"'/>"); err != nil {
		return fmt.Errorf("sending starttls: %w", err)
	}
	return readXMPPProceed(dec)
}

// xmppStreamHeader opens a client (jabber:client) or server (jabber:server)
// stream addressed to domain.
func xmppStreamHeader(p Protocol, domain string) string {
	ns := "jabber:client"
	if p == XMPPServer {
		ns = "jabber:server"
	}
	var to strings.Builder
	_ = xml.EscapeText(&to, []byte(domain))
	return "<?xml version='1.0'?><stream:stream to='" + strings.ReplaceAll(to.String(), "'", "&#39;") +
		"' version='1.0' xml:lang='en' xmlns='" + ns + "' xmlns:stream='" + nsStreams + "'>"
}

// readXMPPFeatures reads the server's stream header and <stream:features>
// and checks that STARTTLS is among them.
func readXMPPFeatures(dec *xml.Decoder) error {
	depth, offered := 0, false
	for {
		tok, err := xmppToken(dec)
		if err != nil {
			return fmt.Errorf("reading the stream features: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if err := xmppStreamError(dec, t); err != nil {
				return err
			}
			if depth == 3 && t.Name.Space == nsTLS && t.Name.Local == "starttls" {
				offered = true
			}
		case xml.EndElement:
			depth--
			if t.Name.Space == nsStreams && t.Name.Local == "features" {
				return featuresResult(offered)
			}
			if depth <= 0 {
				return errors.New("the server closed the XMPP stream")
			}
		}
	}
}

func featuresResult(offered bool) error {
	if !offered {
		return errors.New("the server does not offer STARTTLS in its stream features")
	}
	return nil
}

// readXMPPProceed waits for <proceed/> (go ahead) or <failure/>.
func readXMPPProceed(dec *xml.Decoder) error {
	for {
		tok, err := xmppToken(dec)
		if err != nil {
			return fmt.Errorf("reading the answer to starttls: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := xmppStreamError(dec, t); err != nil {
				return err
			}
			switch {
			case t.Name.Space == nsTLS && t.Name.Local == "proceed":
				return nil
			case t.Name.Space == nsTLS && t.Name.Local == "failure":
				return errors.New("the server answered starttls with <failure/>")
			}
			return fmt.Errorf("the server answered starttls with <%s>", t.Name.Local)
		case xml.EndElement:
			return errors.New("the server closed the XMPP stream")
		}
	}
}

// xmppStreamError turns a <stream:error> into an error naming its condition.
func xmppStreamError(dec *xml.Decoder, t xml.StartElement) error {
	if t.Name.Space != nsStreams || t.Name.Local != "error" {
		return nil
	}
	var e struct {
		Inner []struct {
			XMLName xml.Name
		} `xml:",any"`
	}
	if err := dec.DecodeElement(&e, &t); err != nil || len(e.Inner) == 0 {
		return errors.New("the server sent a stream error")
	}
	return fmt.Errorf("the server sent the stream error %q", e.Inner[0].XMLName.Local)
}

// xmppToken reads the next token, turning EOF into a sentence.
func xmppToken(dec *xml.Decoder) (xml.Token, error) {
	tok, err := dec.Token()
	var syntax *xml.SyntaxError
	if errors.As(err, &syntax) && syntax.Msg == "unexpected EOF" {
		err = io.EOF // the stream is never closed: an EOF inside it is a hang-up
	}
	if err != nil {
		return nil, noEOF(err)
	}
	return tok, nil
}
