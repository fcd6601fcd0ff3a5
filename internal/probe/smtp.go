package probe

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// maxSMTPLine bounds one reply line (RFC 5321 §4.5.3.1.5 allows 512 octets).
const maxSMTPLine = 4096

// startSMTP reads the greeting, says EHLO, checks that STARTTLS is offered
// and asks for it (RFC 3207).
func startSMTP(w io.Writer, r *bufio.Reader) error {
	if _, _, err := expectSMTP(r, 220, "greeting"); err != nil {
		return err
	}
	if _, err := io.WriteString(w, "EHLO confcert.invalid\r\n"); err != nil {
		return fmt.Errorf("sending EHLO: %w", err)
	}
	_, lines, err := expectSMTP(r, 250, "EHLO")
	if err != nil {
		return err
	}
	if !smtpOffersStartTLS(lines) {
		return errors.New("the server does not offer STARTTLS in its EHLO reply")
	}
	if _, err := io.WriteString(w, "STARTTLS\r\n"); err != nil {
		return fmt.Errorf("sending STARTTLS: %w", err)
	}
	_, _, err = expectSMTP(r, 220, "STARTTLS")
	return err
}

// expectSMTP reads one reply and checks its code; step names the command.
func expectSMTP(r *bufio.Reader, want int, step string) (int, []string, error) {
	code, lines, err := readSMTPReply(r)
	if err != nil {
		return code, lines, fmt.Errorf("reading the %s reply: %w", step, err)
	}
	if code != want {
		return code, lines, fmt.Errorf("the server answered %s with %d %q", step, code, strings.Join(lines, " "))
	}
	return code, lines, nil
}

// smtpOffersStartTLS reports whether an EHLO reply lists STARTTLS.
func smtpOffersStartTLS(lines []string) bool {
	for _, l := range lines {
		if f := strings.Fields(l); len(f) > 0 && strings.EqualFold(f[0], "STARTTLS") {
			return true
		}
	}
	return false
}

// readSMTPReply reads one (possibly multi-line) reply: "250-first",
// "250-second", "250 last". It returns the code and the text of each line.
func readSMTPReply(r *bufio.Reader) (int, []string, error) {
	var lines []string
	code := 0
	for {
		line, err := readLine(r, maxSMTPLine)
		if err != nil {
			return code, lines, err
		}
		c, more, text, err := splitSMTPLine(line)
		if err != nil {
			return code, lines, err
		}
		if code != 0 && c != code {
			return code, lines, fmt.Errorf("reply lines with different codes %d and %d", code, c)
		}
		code = c
		lines = append(lines, text)
		if !more {
			return code, lines, nil
		}
	}
}

// splitSMTPLine splits "250-text" or "250 text" (or a bare "250").
func splitSMTPLine(line string) (code int, more bool, text string, err error) {
	if len(line) < 3 {
		return 0, false, "", fmt.Errorf("malformed reply line %q", line)
	}
	code, err = strconv.Atoi(line[:3])
	if err != nil || code < 200 || code > 599 || line[0] == '+' || line[0] == '-' {
		return 0, false, "", fmt.Errorf("malformed reply line %q", line)
	}
	if len(line) == 3 {
		return code, false, "", nil
	}
	switch line[3] {
	case '-':
		return code, true, line[4:], nil
	case ' ':
		return code, false, line[4:], nil
	}
	return 0, false, "", fmt.Errorf("malformed reply line %q", line)
}

// readLine reads one CRLF- or LF-terminated line of at most max bytes.
func readLine(r *bufio.Reader, max int) (string, error) {
	var b []byte
	for {
		c, err := r.ReadByte()
		if err != nil {
			return "", noEOF(err)
		}
		if c == '\n' {
			return strings.TrimSuffix(string(b), "\r"), nil
		}
		if len(b) >= max {
			return "", fmt.Errorf("a reply line longer than %d bytes", max)
		}
		b = append(b, c)
	}
}
