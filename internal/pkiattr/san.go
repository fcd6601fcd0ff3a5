package pkiattr

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/confcert/confcert/internal/certgen"
)

// sanList holds parsed subjectAltName entries, in the order given.
type sanList struct {
	dns    []string
	ips    []net.IP
	emails []string
	uris   []*url.URL
}

// parseSANs parses a comma-separated subjectAltName list with no spaces
// (seed 002 §3.1: "ensure there are no spaces between the ',' delimiter and
// the items"). Items are DNS names (wildcards allowed), IPv4/IPv6 addresses
// or email addresses, optionally prefixed DNS:, IP:, email: or URI:.
func parseSANs(value string) (*sanList, error) {
	if i := strings.IndexAny(value, " \t"); i >= 0 {
		return nil, fmt.Errorf("space in subjectAltName at character %d (%q): separate the items with ',' and no spaces",
			i+1, around(value, i))
	}
	l := &sanList{}
	for n, item := range strings.Split(value, ",") {
		if item == "" {
			return nil, fmt.Errorf("subjectAltName item %d is empty (two commas in a row, or a comma at the start or end)", n+1)
		}
		if err := l.add(item); err != nil {
			return nil, fmt.Errorf("subjectAltName item %d %q: %w", n+1, item, err)
		}
	}
	return l, nil
}

// around quotes a few characters either side of position i.
func around(s string, i int) string {
	return s[max(0, i-10):min(len(s), i+11)]
}

// add parses one item, skipping duplicates.
func (l *sanList) add(item string) error {
	kind, value := classify(item)
	switch kind {
	case "IP":
		ip := net.ParseIP(value)
		if ip == nil {
			return fmt.Errorf("%q is not an IPv4 or IPv6 address", value)
		}
		l.addIP(ip)
	case "email":
		if err := checkEmail(value); err != nil {
			return err
		}
		l.emails = appendFold(l.emails, value)
	case "URI":
		u, err := url.Parse(value)
		if err != nil || u.Scheme == "" {
			return fmt.Errorf("%q is not an absolute URI", value)
		}
		l.uris = append(l.uris, u)
	case "DNS":
		if err := CheckDNSName(value); err != nil {
			return err
		}
		l.dns = appendFold(l.dns, value)
	default:
		return fmt.Errorf("unknown type %q: use DNS:, IP:, email: or URI:", kind)
	}
	return nil
}

// classify returns the item's type from its prefix, or guesses it: an IP
// address, an email address (has '@'), else a DNS name.
func classify(item string) (kind, value string) {
	if net.ParseIP(item) != nil {
		return "IP", item
	}
	if prefix, rest, ok := strings.Cut(item, ":"); ok {
		for _, known := range []string{"DNS", "IP", "email", "URI"} {
			if strings.EqualFold(prefix, known) {
				return known, rest
			}
		}
		return prefix, rest
	}
	if strings.Contains(item, "@") {
		return "email", item
	}
	return "DNS", item
}

func (l *sanList) addIP(ip net.IP) {
	if v4 := ip.To4(); v4 != nil {
		ip = v4
	}
	for _, have := range l.ips {
		if have.Equal(ip) {
			return
		}
	}
	l.ips = append(l.ips, ip)
}

// appendFold appends s unless list already holds it in any case.
func appendFold(list []string, s string) []string {
	for _, have := range list {
		if strings.EqualFold(have, s) {
			return list
		}
	}
	return append(list, s)
}

// withSANs puts the subjectAltName entries into r. The CN is appended to a
// given list when it is a DNS name or IP address not already there (seed 002
// §3.1 note: "pki csr will automatically append the CN to the SAN list if a
// SAN list exists"); with no list, such a CN becomes the list, because
// browsers ignore the CN.
func withSANs(r certgen.Request, l *sanList) certgen.Request {
	if l == nil {
		l = &sanList{}
	}
	if cn := r.Subject.CommonName; cn != "" {
		if ip := net.ParseIP(cn); ip != nil {
			l.addIP(ip)
		} else if CheckDNSName(cn) == nil {
			l.dns = appendFold(l.dns, cn)
		}
	}
	r.DNSNames, r.IPAddresses, r.EmailAddresses, r.URIs = l.dns, l.ips, l.emails, l.uris
	return r
}
