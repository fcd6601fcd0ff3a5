package rolecheck

import (
	"crypto/x509"
	"net"
	"slices"
	"strings"
)

// SANs returns the leaf's DNS and IP subject alternative names.
func SANs(c *x509.Certificate) []string {
	out := slices.Clone(c.DNSNames)
	for _, ip := range c.IPAddresses {
		out = append(out, ip.String())
	}
	return out
}

// HasSAN reports whether the certificate carries any subject alternative name.
func HasSAN(c *x509.Certificate) bool {
	return len(c.DNSNames)+len(c.IPAddresses)+len(c.EmailAddresses)+len(c.URIs) > 0
}

// covers reports whether pattern (a SAN or CN) matches name: exact, case
// insensitive, or a wildcard standing for exactly one label ("*.example.com"
// covers "a.example.com", not "example.com" nor "a.b.example.com"). IP
// addresses match only themselves.
func covers(pattern, name string) bool {
	pattern, name = strings.ToLower(strings.TrimSuffix(pattern, ".")), strings.ToLower(strings.TrimSuffix(name, "."))
	if pip, nip := net.ParseIP(pattern), net.ParseIP(name); pip != nil || nip != nil {
		return pip != nil && nip != nil && pip.Equal(nip)
	}
	if pattern == name {
		return true
	}
	rest, ok := strings.CutPrefix(pattern, "*.")
	if !ok {
		return false
	}
	label, parent, ok := strings.Cut(name, ".")
	return ok && label != "" && parent == rest
}

// CoveredBy reports whether any of patterns covers name.
func CoveredBy(patterns []string, name string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return covers(p, name) })
}

// Listed reports whether name is among names exactly (case insensitive).
func Listed(names []string, name string) bool {
	return slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, name) })
}

// isHostName reports whether s looks like a DNS name or an IP address rather
// than a label such as "postgres" or "My company CA".
func isHostName(s string) bool {
	if net.ParseIP(s) != nil {
		return true
	}
	return strings.Contains(s, ".") && !strings.ContainsAny(s, " _/")
}

// InternalOnly reports why no public CA will certify name, or "" when it can:
// internal top-level domains, single labels (a wildcard's "*." aside), private
// addresses (seeds 000, 001). It is the one such rule: plan and check both use it.
func InternalOnly(name string) string {
	if ip := net.ParseIP(name); ip != nil {
		if ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() {
			return "a private IP address"
		}
		return ""
	}
	n := strings.ToLower(strings.TrimPrefix(strings.TrimSuffix(name, "."), "*."))
	if !strings.Contains(n, ".") {
		return "a single-label name"
	}
	for _, tld := range []string{".local", ".lan", ".internal", ".corp", ".localdomain", ".home.arpa"} {
		if strings.HasSuffix(n, tld) {
			return "an internal domain (" + tld + ")"
		}
	}
	return ""
}
