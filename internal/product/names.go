package product

import (
	"fmt"
	"net"
	"regexp"
	"strings"
	"sync"

	"github.com/confcert/confcert/internal/pkiattr"
	"github.com/confcert/confcert/internal/strictyaml"
)

var (
	// fileBase is a name for files on the Meeting Server: letters, digits and
	// '-' only, since the MMP refuses '.' before the extension and '_'
	// (seed 002 §4.2 note, §3.1 note, Appendix B; spec plan.md "Output directory").
	fileBase = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$`) })
)

// CheckDNSName reports why s is not a host name fit for a certificate: the
// rules of pkiattr.CheckDNSName (RFC 1123 labels, 253 characters), without a
// wildcard, since every name in a deployment file names one host.
func CheckDNSName(s string) error {
	if strings.HasPrefix(s, "*") {
		return fmt.Errorf("%q is a wildcard: give the host's own name", s)
	}
	if strings.HasSuffix(s, ".") {
		return fmt.Errorf("%q ends with a dot: write the name without it", s)
	}
	return pkiattr.CheckDNSName(s)
}

// CheckNoWildcardName adds to p, at v's line under the key, why v is not a
// host name, for a product that takes no wildcard certificate: noWildcard
// says so and names the guide, e.g. "Unified CM does not support wildcard
// certificates (Security Guide …)".
func CheckNoWildcardName(key string, v strictyaml.Str, noWildcard string, p *Problems) {
	if strings.Contains(v.Value, "*") {
		p.Add(v.Line, "%s: %q is a wildcard: %s", key, v.Value, noWildcard)
		return
	}
	if err := CheckDNSName(v.Value); err != nil {
		p.Add(v.Line, "%s: %v", key, err)
	}
}

// CheckHost accepts a DNS name or, when allowIP, an IP address.
func CheckHost(s string, allowIP bool) error {
	if ip := net.ParseIP(s); ip != nil {
		if allowIP {
			return nil
		}
		return fmt.Errorf("%q is an IP address: a DNS name is needed here", s)
	}
	return CheckDNSName(s)
}

// CheckFileBase reports why name cannot name certificate files.
func CheckFileBase(name string) error {
	if !fileBase().MatchString(name) || len(name) > 64 {
		return fmt.Errorf("%q cannot name files on the server: use letters, digits and '-' only (the MMP refuses '.' and '_', Cisco Meeting Server Certificate Guidelines 2.9, §4.2 note, Appendix B)", name)
	}
	return nil
}

// FirstLabel is the first label of a DNS name.
func FirstLabel(name string) string {
	label, _, _ := strings.Cut(name, ".")
	return label
}

// ParentDomain is name without its first label ("" for a single label).
func ParentDomain(name string) string {
	_, rest, _ := strings.Cut(name, ".")
	return rest
}

// Uniq returns names without empty and repeated entries (case-insensitive), in order.
func Uniq(names ...string) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		k := strings.ToLower(n)
		if n == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, n)
	}
	return out
}
