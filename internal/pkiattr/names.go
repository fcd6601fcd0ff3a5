package pkiattr

import (
	"errors"
	"fmt"
	"strings"
)

// CheckDNSName reports whether name is a host name a certificate may carry:
// labels of letters, digits and '-' (not at either end) of at most 63
// characters, 253 in all, with an optional leading "*." wildcard label.
func CheckDNSName(name string) error {
	if name == "" {
		return errors.New("empty DNS name")
	}
	if len(name) > 253 {
		return fmt.Errorf("DNS name %q is longer than 253 characters", name)
	}
	labels := strings.Split(name, ".")
	if labels[0] == "*" {
		if len(labels) < 2 {
			return fmt.Errorf("wildcard %q needs a domain after \"*.\"", name)
		}
		labels = labels[1:]
	}
	for _, label := range labels {
		if err := checkLabel(label); err != nil {
			return fmt.Errorf("%q is not a valid DNS name: %w", name, err)
		}
	}
	return nil
}

func checkLabel(label string) error {
	switch {
	case label == "":
		return errors.New("empty label (two dots in a row, or a dot at the start or end)")
	case len(label) > 63:
		return fmt.Errorf("label %q is longer than 63 characters", label)
	case label[0] == '-' || label[len(label)-1] == '-':
		return fmt.Errorf("label %q starts or ends with '-'", label)
	}
	for _, r := range label {
		if !isHostChar(r) {
			return fmt.Errorf("label %q contains %s", label, describeRune(r))
		}
	}
	return nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isHostChar is true for ASCII letters, digits and '-'.
func isHostChar(r rune) bool {
	return r < 0x80 && (isLetter(byte(r)) || isDigit(byte(r)) || r == '-')
}

// checkEmail accepts local@domain with a non-empty local part and a DNS domain.
func checkEmail(addr string) error {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" || strings.Contains(domain, "@") {
		return fmt.Errorf("%q is not an email address", addr)
	}
	if strings.ContainsAny(local, " \t\"<>()[],;:\\") {
		return fmt.Errorf("%q is not an email address", addr)
	}
	if err := CheckDNSName(domain); err != nil || strings.HasPrefix(domain, "*") {
		return fmt.Errorf("%q is not an email address: bad domain", addr)
	}
	return nil
}

// CheckBasename accepts a file basename made only of letters, digits and
// '-'. The MMP refuses '.' and '_' in a basename ("pki csr base.name" and
// "base_name" are not allowed, Cisco Meeting Server Certificate Guidelines
// 2.9, §3.1; the 3-node cluster certificate lab: "Must be alphanumeric"), and
// the error names the offending character.
func CheckBasename(name string) error {
	if name == "" {
		return errors.New("the basename is empty: give a name such as callbridge")
	}
	pos := 0
	for _, r := range name {
		pos++
		if isHostChar(r) {
			continue
		}
		return fmt.Errorf("basename %q contains %s at position %d: use only letters, digits and '-' "+
			"(the Meeting Server refuses others, Cisco Meeting Server Certificate Guidelines 2.9, §3.1)", name, describeRune(r), pos)
	}
	return nil
}

// describeRune names a character so that a space or a dot is unmistakable.
func describeRune(r rune) string {
	switch r {
	case ' ':
		return "a space"
	case '\t':
		return "a tab"
	case '.':
		return "'.' (a dot)"
	case '_':
		return "'_' (an underscore)"
	}
	if r < 0x20 || r == 0x7f || r == 0xfffd {
		return fmt.Sprintf("the character %U", r)
	}
	return fmt.Sprintf("%q", r)
}
