package probe

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Target is one service to probe: a host (name or IP address) and a port.
type Target struct {
	Host string
	Port int
}

// String returns the target as host:port (IPv6 addresses in brackets).
func (t Target) String() string {
	return net.JoinHostPort(t.Host, strconv.Itoa(t.Port))
}

// ErrBadTarget is wrapped by every error ParseTarget returns.
var ErrBadTarget = errors.New("bad target")

// maxTargetLen bounds one target; no host name or URL a person types is longer.
const maxTargetLen = 2048

// ParseTarget reads one target: "host", "host:port", "[v6]:port", a bare IPv6
// address, or "https://host[:port]/...". defaultPort is used when none is
// given (443, or the STARTTLS protocol's port).
func ParseTarget(s string, defaultPort int) (Target, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Target{}, fmt.Errorf("%w: empty", ErrBadTarget)
	case len(s) > maxTargetLen:
		return Target{}, fmt.Errorf("%w: longer than %d characters", ErrBadTarget, maxTargetLen)
	case strings.Contains(s, "://"):
		return parseURL(s, defaultPort)
	}
	return parseHostPort(s, s, defaultPort)
}

// parseURL reads "https://host[:port]/...": the only scheme a target may have.
func parseURL(s string, defaultPort int) (Target, error) {
	u, err := url.Parse(s)
	if err != nil {
		return Target{}, fmt.Errorf("%w %q: %v", ErrBadTarget, s, err)
	}
	if !strings.EqualFold(u.Scheme, "https") {
		return Target{}, fmt.Errorf("%w %q: scheme %q is not supported (use https:// or host:port)", ErrBadTarget, s, u.Scheme)
	}
	if u.Host == "" || u.User != nil {
		return Target{}, fmt.Errorf("%w %q: a URL target needs a host and no user", ErrBadTarget, s)
	}
	return parseHostPort(s, u.Host, defaultPort)
}

// parseHostPort splits host and optional port; orig is quoted in errors.
func parseHostPort(orig, s string, defaultPort int) (Target, error) {
	if ip := net.ParseIP(s); ip != nil {
		return Target{Host: ip.String(), Port: defaultPort}, nil
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		if ip := net.ParseIP(s[1 : len(s)-1]); ip != nil {
			return Target{Host: ip.String(), Port: defaultPort}, nil
		}
	}
	host, port := s, defaultPort
	if h, p, err := net.SplitHostPort(s); err == nil {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return Target{}, fmt.Errorf("%w %q: port %q is not a number from 1 to 65535", ErrBadTarget, orig, p)
		}
		host, port = h, n
	} else if strings.ContainsAny(s, "[]") || strings.Count(s, ":") > 0 {
		return Target{}, fmt.Errorf("%w %q: %v", ErrBadTarget, orig, err)
	}
	if err := checkHost(host); err != nil {
		return Target{}, fmt.Errorf("%w %q: %v", ErrBadTarget, orig, err)
	}
	if ip := net.ParseIP(host); ip != nil {
		host = ip.String()
	}
	return Target{Host: strings.TrimSuffix(host, "."), Port: port}, nil
}

// checkHost accepts an IP address or a DNS name made of letters, digits,
// hyphens, underscores and dots.
func checkHost(h string) error {
	if h == "" {
		return errors.New("no host")
	}
	if net.ParseIP(h) != nil {
		return nil
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" || len(label) > 63 {
			return fmt.Errorf("host %q has an empty or over-long label", h)
		}
		for _, r := range label {
			if !isHostRune(r) {
				return fmt.Errorf("host %q contains %q", h, r)
			}
		}
	}
	return nil
}

func isHostRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
}

// ReadTargets reads a target list: one target a line; blank lines and
// everything after a '#' are ignored. name is used in error messages.
func ReadTargets(name string, r io.Reader, defaultPort int) ([]Target, error) {
	var out []Target
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxTargetLen+2)
	for line := 1; sc.Scan(); line++ {
		text, _, _ := strings.Cut(sc.Text(), "#")
		if strings.TrimSpace(text) == "" {
			continue
		}
		t, err := ParseTarget(text, defaultPort)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		out = append(out, t)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}
