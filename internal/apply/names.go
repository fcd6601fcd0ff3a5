package apply

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/confcert/confcert/internal/pkiattr"

	"github.com/confcert/confcert/internal/usage"

	"github.com/confcert/confcert/internal/certgen"
	"github.com/confcert/confcert/internal/plan"
)

// request turns a planned certificate into what its CSR asks for.
func request(c *plan.Certificate) certgen.Request {
	r := certgen.Request{Subject: subject(c)}
	for _, san := range c.SANs {
		if ip := net.ParseIP(san); ip != nil {
			r.IPAddresses = append(r.IPAddresses, ip)
			continue
		}
		r.DNSNames = append(r.DNSNames, san)
	}
	for _, name := range c.ExtKeyUsage {
		if eku, ok := usage.ParseExtKeyUsage(name); ok {
			r.ExtKeyUsage = append(r.ExtKeyUsage, eku)
		}
	}
	return r
}

// subject is the planned subject: the CN and the deployment's O, OU, L, ST, C
// and emailAddress.
func subject(c *plan.Certificate) pkix.Name {
	n := pkix.Name{CommonName: c.CN}
	add := func(dst *[]string, v string) {
		if v != "" {
			*dst = []string{v}
		}
	}
	add(&n.Organization, c.Subject.O)
	add(&n.OrganizationalUnit, c.Subject.OU)
	add(&n.Locality, c.Subject.L)
	add(&n.Province, c.Subject.ST)
	add(&n.Country, c.Subject.C)
	if c.Subject.EmailAddress != "" {
		n.ExtraNames = append(n.ExtraNames, pkiattr.EmailAttribute(c.Subject.EmailAddress))
	}
	return n
}

// sanList spells DNS names and IP addresses as the plan does.
func sanList(dns []string, ips []net.IP) []string {
	out := append([]string{}, dns...)
	for _, ip := range ips {
		out = append(out, ip.String())
	}
	return out
}

// subjectDiff says how a subject differs from the planned one ("" when equal).
func subjectDiff(c *plan.Certificate, got pkix.Name) string {
	want := subject(c)
	if got.CommonName != want.CommonName {
		return fmt.Sprintf("CN changed from %q to %q", got.CommonName, want.CommonName)
	}
	pairs := []struct {
		attr      string
		got, want []string
	}{
		{"O", got.Organization, want.Organization}, {"OU", got.OrganizationalUnit, want.OrganizationalUnit},
		{"L", got.Locality, want.Locality}, {"ST", got.Province, want.Province},
		{"C", got.Country, want.Country},
	}
	for _, p := range pairs {
		if !slices.Equal(p.got, p.want) {
			return fmt.Sprintf("subject %s changed from %q to %q", p.attr, strings.Join(p.got, ","), strings.Join(p.want, ","))
		}
	}
	return ""
}

// sanDiff says which SANs were added to or removed from the plan ("" when the
// sets are equal; order does not matter).
func sanDiff(c *plan.Certificate, got []string) string {
	added, removed := setDiff(c.SANs, got), setDiff(got, c.SANs)
	var parts []string
	if len(added) > 0 {
		parts = append(parts, "added "+strings.Join(added, ", "))
	}
	if len(removed) > 0 {
		parts = append(parts, "removed "+strings.Join(removed, ", "))
	}
	if len(parts) == 0 {
		return ""
	}
	return "SANs changed: " + strings.Join(parts, "; ")
}

// missingSANs lists planned SANs a certificate does not carry.
func missingSANs(c *plan.Certificate, cert *x509.Certificate) []string {
	return setDiff(c.SANs, sanList(cert.DNSNames, cert.IPAddresses))
}

// setDiff lists the entries of a not in b (case-insensitive), in a's order.
func setDiff(a, b []string) []string {
	in := make(map[string]bool, len(b))
	for _, s := range b {
		in[strings.ToLower(s)] = true
	}
	var out []string
	for _, s := range a {
		if !in[strings.ToLower(s)] {
			out = append(out, s)
		}
	}
	return out
}

// extKeyUsages turns the planned EKU names into x509 values.
func extKeyUsages(c *plan.Certificate) ([]x509.ExtKeyUsage, error) {
	out := make([]x509.ExtKeyUsage, 0, len(c.ExtKeyUsage))
	for _, name := range c.ExtKeyUsage {
		u, ok := usage.ParseExtKeyUsage(name)
		if !ok {
			return nil, fmt.Errorf("certificate %s: unknown extended key usage %q", c.Name, name)
		}
		out = append(out, u)
	}
	return out, nil
}

// ekuDiff says how a certificate's extended key usages differ from the plan.
func ekuDiff(c *plan.Certificate, cert *x509.Certificate) string {
	got := usage.ExtKeyUsageNames(cert.ExtKeyUsage, nil)
	if len(setDiff(c.ExtKeyUsage, got)) == 0 && len(setDiff(got, c.ExtKeyUsage)) == 0 {
		return ""
	}
	return fmt.Sprintf("extended key usage changed from %s to %s", orNone(got), orNone(c.ExtKeyUsage))
}

// plannedKeyUsage is the plan's key_usage as bits (names it does not know
// are left out: the plan document is confcert's own).
func plannedKeyUsage(c *plan.Certificate) x509.KeyUsage {
	var ku x509.KeyUsage
	for _, name := range c.KeyUsage {
		if bit, ok := usage.ParseKeyUsage(name); ok {
			ku |= bit
		}
	}
	return ku
}

// kuDiff says how a certificate's key usage differs from the plan's
// key_usage (usage.Leaf, the rule every signer of confcert applies).
func kuDiff(c *plan.Certificate, cert *x509.Certificate) string {
	want := plannedKeyUsage(c)
	if len(c.KeyUsage) == 0 || cert.KeyUsage == want {
		return ""
	}
	return fmt.Sprintf("key usage changed from %s to %s", orNone(usage.KeyUsageNames(cert.KeyUsage)), orNone(c.KeyUsage))
}

// kuMissing lists the planned key usages a certificate from a public CA
// lacks that TLS cannot do without: digitalSignature. A CA may add usages,
// no keyUsage extension allows every use, and keyEncipherment is left to the
// CA: public CAs have begun to drop it from RSA certificates, since TLS 1.3
// and ECDHE never use it (choice, docs/plan.md).
func kuMissing(c *plan.Certificate, cert *x509.Certificate) []string {
	want := plannedKeyUsage(c) & x509.KeyUsageDigitalSignature
	if cert.KeyUsage == 0 || cert.KeyUsage&want == want {
		return nil
	}
	return usage.KeyUsageNames(want &^ cert.KeyUsage)
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, "+")
}
