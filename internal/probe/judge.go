package probe

import (
	"github.com/confcert/confcert/internal/validity"

	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/pkiattr"
)

// JudgeOptions say what a served chain is judged against.
type JudgeOptions struct {
	// ServerName is the name the client asked for; empty skips the name check.
	ServerName string
	// Roots are the trust anchors (the --trust file and/or the system roots).
	Roots []*x509.Certificate
	// At is the time of the judgement.
	At time.Time
	// WithinDays is the EXPIRING window in days.
	WithinDays int
	// XMPPDomain, for an XMPP service, is the domain the client asked for in
	// its stream: Cisco Meeting App checks it against the subjectAltNames
	// too (seed 002 §3.1.3; RFC 6120 §13.7.2). Empty skips the check.
	XMPPDomain string
}

// fixChain is the advice for every chain problem: rebuild what is served.
const fixChain = "rebuild the file the server presents with 'confcert bundle --fetch --layout fullchain' " +
	"(CMS ca-bundle: --layout cms; CWMS: --layout cwms-1x or cwms-25) and install it"

// Judge examines the certificates a server presented, in the order served,
// the way the pickiest client would (seed 001: a phone does not fill in a
// missing intermediate the way a desktop browser does).
func Judge(served []*x509.Certificate, o JudgeOptions) []Finding {
	if len(served) == 0 {
		return nil
	}
	var out []Finding
	c, err := chain.Build(served[1:], chain.Options{Leaf: served[0], Roots: o.Roots, At: o.At})
	if err == nil {
		out = append(out, judgePath(served, c)...)
	}
	out = append(out, judgeName(served[0], o.ServerName)...)
	if o.XMPPDomain != "" && !strings.EqualFold(o.XMPPDomain, o.ServerName) {
		out = append(out, judgeXMPPDomain(served[0], o.XMPPDomain)...)
	}
	out = append(out, judgeTimes(served, o)...)
	out = append(out, judgeCrypto(served, c)...)
	slices.SortStableFunc(out, func(a, b Finding) int { return rank(a.Severity) - rank(b.Severity) })
	return out
}

func rank(s Severity) int {
	switch s {
	case Failure:
		return 0
	case Warning:
		return 1
	}
	return 2
}

// judgePath reports completeness, trust, order, extras and a served root.
func judgePath(served []*x509.Certificate, c *chain.Chain) []Finding {
	var out []Finding
	switch {
	case !c.Complete:
		out = append(out, Finding{IncompleteChain, Failure, fmt.Sprintf(
			"the server does not send the issuer of %q, which is %q, and it is not a trust anchor: "+
				"mobile clients (iOS, Android) and strict TLS libraries refuse the connection, while desktop "+
				"browsers may quietly fill the gap; %s",
			chain.DisplayName(c.MissingFor), c.MissingIssuer, fixChain)})
	case !c.Trusted:
		out = append(out, untrusted(c))
	}
	if f, ok := wrongOrder(served, c); ok {
		out = append(out, f)
	}
	if len(c.Dropped) > 0 {
		out = append(out, extraCerts(served, c.Dropped))
	}
	if c.Root != nil && position(served, c.Root) >= 0 {
		out = append(out, Finding{RootSent, Info, fmt.Sprintf(
			"the server sends the root %q: clients ignore it and use their own copy, so it only costs bytes "+
				"in every handshake; expected from a Meeting Server, whose bundles and Web Bridge 3 full chain "+
				"end with the root (Cisco Meeting Server Certificate Guidelines 2.9, §1.2.4, D.1); elsewhere 'confcert bundle --layout chain' leaves it out",
			chain.DisplayName(c.Root))})
	}
	return out
}

// untrusted explains a complete chain whose root no trust anchor vouches for.
func untrusted(c *chain.Chain) Finding {
	top := c.Leaf
	if c.Root != nil {
		top = c.Root
	}
	return Finding{Untrusted, Failure, fmt.Sprintf(
		"the chain ends at the self-signed %q, which is not a trust anchor here: clients without it in their "+
			"trust store refuse the connection; give its certificate with --trust if it is your internal CA "+
			"(and install it on every client), or use a certificate from a CA the clients trust",
		chain.DisplayName(top))}
}

// wrongOrder checks that the served certificates of the path come leaf
// first, each followed by its issuer. Certificates off the path are judged
// by extraCerts instead.
func wrongOrder(served []*x509.Certificate, c *chain.Chain) (Finding, bool) {
	var got, want []string
	seen := map[string]bool{}
	for _, s := range served {
		if onPath(c, s) && !seen[string(s.Raw)] {
			seen[string(s.Raw)] = true
			got = append(got, chain.DisplayName(s))
		}
	}
	for _, p := range c.Certificates() {
		if seen[string(p.Raw)] {
			want = append(want, chain.DisplayName(p))
		}
	}
	if slices.Equal(got, want) {
		return Finding{}, false
	}
	return Finding{WrongOrder, Warning, fmt.Sprintf(
		"the server sends %s but each certificate must be followed by its issuer (%s): strict clients "+
			"may fail to build the chain; %s", quoteAll(got), quoteAll(want), fixChain)}, true
}

func onPath(c *chain.Chain, cert *x509.Certificate) bool {
	return position(c.Certificates(), cert) >= 0
}

// extraCerts names the served certificates that are not on the path.
func extraCerts(served []*x509.Certificate, dropped []chain.Dropped) Finding {
	parts := make([]string, len(dropped))
	for i, d := range dropped {
		parts[i] = fmt.Sprintf("%q (%s)", chain.DisplayName(d.Cert), d.Reason)
	}
	return Finding{ExtraCerts, Warning, fmt.Sprintf(
		"the server also sends %s, not on the path from the leaf: clients ignore them at best and some "+
			"build a wrong path from them; %s", strings.Join(parts, ", "), fixChain)}
}

// judgeName checks the server name against the leaf's subjectAltNames.
func judgeName(leaf *x509.Certificate, name string) []Finding {
	if name == "" || leaf.VerifyHostname(name) == nil {
		return nil
	}
	return []Finding{{HostnameMismatch, Failure, fmt.Sprintf(
		"%q is not among the leaf's subjectAltNames (%s): clients refuse the connection with a name "+
			"mismatch (the CN is ignored); request a certificate that lists it, e.g. "+
			"confcert csr <basename> %s %s", name, sanList(leaf), pkiattr.Arg("CN", name), pkiattr.Arg("subjectAltName", name))}}
}

// judgeXMPPDomain checks the XMPP domain against the leaf's subjectAltNames.
func judgeXMPPDomain(leaf *x509.Certificate, domain string) []Finding {
	if leaf.VerifyHostname(domain) == nil {
		return nil
	}
	return []Finding{{HostnameMismatch, Failure, fmt.Sprintf(
		"the XMPP domain %q is not among the leaf's subjectAltNames (%s): Cisco Meeting App and other XMPP "+
			"clients refuse the server (Cisco Meeting Server Certificate Guidelines 2.9, §3.1.3); request a certificate that lists the domain too, e.g. "+
			"confcert csr xmpp %s %s", domain, sanList(leaf), pkiattr.Arg("CN", leaf.Subject.CommonName),
		pkiattr.Arg("subjectAltName", leaf.Subject.CommonName+","+domain))}}
}

// sanList renders the DNS and IP subjectAltNames of c.
func sanList(c *x509.Certificate) string {
	var names []string
	for _, d := range c.DNSNames {
		names = append(names, "DNS:"+d)
	}
	for _, ip := range c.IPAddresses {
		names = append(names, "IP:"+ip.String())
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// judgeTimes reports expired, not yet valid and soon expiring certificates.
func judgeTimes(served []*x509.Certificate, o JudgeOptions) []Finding {
	var out []Finding
	window := time.Duration(o.WithinDays) * 24 * time.Hour
	for _, i := range unique(served) {
		c := served[i]
		what := servedName(i, c)
		switch {
		case o.At.Before(c.NotBefore):
			out = append(out, Finding{Expired, Failure, fmt.Sprintf(
				"%s is not valid before %s: every client refuses it until then; check the server's clock "+
					"and the CA's, or install a certificate valid now", what, day(c.NotBefore))})
		case validity.Expired(c.NotAfter, o.At):
			out = append(out, Finding{Expired, Failure, fmt.Sprintf(
				"%s expired on %s (%d days ago): every client refuses the connection; %s",
				what, day(c.NotAfter), -validity.DaysLeft(c.NotAfter, o.At), renew(i))})
		case validity.ExpiresWithin(c.NotAfter, o.At, window):
			out = append(out, Finding{Expiring, Warning, fmt.Sprintf(
				"%s expires on %s, in %d days: clients will refuse the connection from then on; %s",
				what, day(c.NotAfter), validity.DaysLeft(c.NotAfter, o.At), renew(i))})
		}
	}
	return out
}

// renew is the advice for an expired or expiring certificate at position i.
func renew(i int) string {
	if i == 0 {
		return "renew it ('confcert csr' with the same names, have it signed) and install it before then"
	}
	return "install the CA's current intermediate in its place ('confcert bundle --fetch')"
}

// judgeCrypto reports weak signatures and short RSA keys. A root's own
// signature is not checked by clients, so it is not judged.
func judgeCrypto(served []*x509.Certificate, c *chain.Chain) []Finding {
	var out []Finding
	for _, i := range unique(served) {
		cert := served[i]
		if c != nil && c.Root != nil && cert.Equal(c.Root) {
			continue
		}
		if f, ok := weakSignature(i, cert); ok {
			out = append(out, f)
		}
		if k, ok := cert.PublicKey.(*rsa.PublicKey); ok && k.N.BitLen() < 2048 {
			out = append(out, Finding{WeakKey, Warning, fmt.Sprintf(
				"%s has a %d-bit RSA key: current clients and browsers refuse keys below 2048 bits; "+
					"make a new key and certificate ('confcert csr' makes rsa2048 by default)", servedName(i, cert), k.N.BitLen())})
		}
	}
	return out
}

// weakSignature flags SHA-1 (WARNING) and MD5 or MD2 (FAILURE) signatures.
func weakSignature(i int, c *x509.Certificate) (Finding, bool) {
	switch chain.SignatureStrength(c) {
	case chain.Broken:
		return Finding{WeakSignature, Failure, fmt.Sprintf(
			"%s is signed with %s: every current client refuses it; have it reissued with SHA-256",
			servedName(i, c), c.SignatureAlgorithm)}, true
	case chain.Weak:
		return Finding{WeakSignature, Warning, fmt.Sprintf(
			"%s is signed with %s: browsers and current TLS libraries refuse SHA-1 certificates; "+
				"have it reissued with SHA-256", servedName(i, c), c.SignatureAlgorithm)}, true
	}
	return Finding{}, false
}

// servedName names a served certificate: its position and CN.
func servedName(i int, c *x509.Certificate) string {
	return fmt.Sprintf("certificate %d %q", i, chain.DisplayName(c))
}

func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// unique returns the served positions of the first occurrence of each
// distinct certificate.
func unique(certs []*x509.Certificate) []int {
	var out []int
	for i, c := range certs {
		if position(certs[:i], c) < 0 {
			out = append(out, i)
		}
	}
	return out
}

// position returns the index of cert in certs, or -1.
func position(certs []*x509.Certificate, cert *x509.Certificate) int {
	return slices.IndexFunc(certs, cert.Equal)
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
