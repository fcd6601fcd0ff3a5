package products

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/confcert/confcert/internal/deploy/decode"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/plan"
)

// Extended key usages as the plan document names them.
const (
	serverAuth = "serverAuth"
	clientAuth = "clientAuth"
)

// problems collects the problems of one deployment file.
type problems []decode.Problem

func (p *problems) add(line int, format string, args ...any) {
	*p = append(*p, decode.Problemf(line, format, args...))
}

// subjectSpec is the optional subject of every CSR (spec plan.md: O, OU, L, ST, C, emailAddress).
type subjectSpec struct {
	O            decode.Str `key:"O"`
	OU           decode.Str `key:"OU"`
	L            decode.Str `key:"L"`
	ST           decode.Str `key:"ST"`
	C            decode.Str `key:"C"`
	EmailAddress decode.Str `key:"emailAddress"`
	Line         int        `key:",line"`
}

// check reports a country that is not a two-letter ISO code (seed 002 Table 4)
// or an email address without '@', and returns the subject.
func (s subjectSpec) check(p *problems) plan.Subject {
	if c := s.C.Value; c != "" && (len(c) != 2 || strings.ToUpper(c) != c || !isLetters(c)) {
		p.add(s.C.Line, "subject C %q must be the two-letter ISO country code in capitals, e.g. US, GB (seed 002 Table 4)", c)
	}
	if e := s.EmailAddress.Value; e != "" && !strings.Contains(e, "@") {
		p.add(s.EmailAddress.Line, "subject emailAddress %q is not an email address", e)
	}
	return plan.Subject{O: s.O.Value, OU: s.OU.Value, L: s.L.Value, ST: s.ST.Value, C: s.C.Value, EmailAddress: s.EmailAddress.Value}
}

func isLetters(s string) bool {
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// keyType parses a key type of the deployment file (default rsa2048).
// Ed25519 is refused: browsers and the appliances do not accept Ed25519
// server certificates (choice documented in docs/plan-rules.md).
func keyType(s decode.Str, key string, allowLegacy bool, p *problems) keys.Type {
	if s.Value == "" {
		return keys.Default
	}
	t, err := keys.ParseType(s.Value, allowLegacy)
	switch {
	case errors.Is(err, keys.ErrLegacyType):
		p.add(s.Line, "%s: rsa1024 is insecure and only for Unified MeetingPlace's legacy_keysize", key)
	case err != nil:
		p.add(s.Line, "%s: %v", key, err)
	case t == keys.Ed25519:
		p.add(s.Line, "%s: ed25519 certificates are not accepted by browsers or the conferencing servers: use rsa2048 or ecdsa-p256", key)
	}
	return t
}

// days reads the validity of internally signed certificates (1 to 3650 days:
// never past the 10-year local CA, spec plan.md "The local CA").
func days(d decode.Int, p *problems) int {
	if !d.Set {
		return plan.DefaultDays
	}
	if d.Value < 1 || d.Value > 3650 {
		p.add(d.Line, "days must be between 1 and 3650, not %d", d.Value)
	}
	return d.Value
}

// caName checks a local CA name: it names files (<ca>.crt, <ca>-bundle.crt)
// and must not be a reserved signer value (spec plan.md "The plan document").
func caName(s decode.Str, key string, p *problems) {
	if s.Value == plan.SignerPublic || s.Value == plan.SignerSelf {
		p.add(s.Line, "%s: %q is a reserved signer name; choose another CA name", key, s.Value)
		return
	}
	if err := checkFileBase(s.Value); err != nil {
		p.add(s.Line, "%s: %v", key, err)
	}
}

// keyUsage is digitalSignature, plus keyEncipherment for an RSA key that
// serves TLS (seed 002 D.2, A.1). A client-only certificate (the database
// client, seed 002 §3.1.5) gets digitalSignature alone: keyEncipherment is for
// the server's RSA key exchange, and RFC 5280 lints (zlint
// e_key_usage_and_extended_key_usage_inconsistent) reject it beside clientAuth
// alone. certgen.Sign applies the same rule.
func keyUsage(t keys.Type, eku []string) []string {
	if strings.HasPrefix(string(t), "rsa") && (len(eku) == 0 || slices.Contains(eku, serverAuth)) {
		return []string{"digitalSignature", "keyEncipherment"}
	}
	return []string{"digitalSignature"}
}

// certSpec is what a product decides about one certificate.
type certSpec struct {
	name    string
	cn      string
	sans    []string
	eku     []string
	signer  string
	key     keys.Type
	days    int
	subject plan.Subject
	full    bool // a <name>-fullchain.crt file too
}

// newCert builds the plan's certificate from a spec: SANs always hold the CN
// (spec plan.md "The plan document"; seed 002 §3.1.2, D.2), files are named
// after the certificate, a local CA signs now and a public CA later.
func newCert(s certSpec) *plan.Certificate {
	c := &plan.Certificate{
		Name: s.name, CN: s.cn, SANs: uniq(append(s.sans, s.cn)...),
		Subject: s.subject, KeyType: string(s.key), KeyUsage: keyUsage(s.key, s.eku),
		ExtKeyUsage: s.eku, Signer: s.signer,
		Files:  plan.Files{Key: s.name + ".key", CSR: s.name + ".csr", Cert: s.name + ".crt"},
		UsedBy: []plan.Use{}, Status: plan.StatusSigned,
	}
	if s.full {
		c.Files.FullChain = s.name + "-fullchain.crt"
	}
	if s.signer == plan.SignerPublic {
		c.Status = plan.StatusAwaitingCA
		c.Template = plan.TemplateFor(s.eku)
	} else {
		c.Days = s.days
	}
	return c
}

// addUse records that node's service uses c, once.
func addUse(c *plan.Certificate, node, service string) {
	u := plan.Use{Node: node, Service: service}
	for _, have := range c.UsedBy {
		if have == u {
			return
		}
	}
	c.UsedBy = append(c.UsedBy, u)
}

// checkUniqueNames reports two planned certificates with one name.
func checkUniqueNames(certs []*plan.Certificate, line int, p *problems) {
	seen := map[string]bool{}
	for _, c := range certs {
		if seen[c.Name] {
			p.add(line, "two certificates would be named %q: rename a node", c.Name)
		}
		seen[c.Name] = true
	}
}

// newPlan starts an empty plan document with non-nil lists (JSON [] not null).
func newPlan(product, version string) *plan.Plan {
	return &plan.Plan{Product: product, Version: version, Certificates: []*plan.Certificate{},
		Bundles: []plan.Bundle{}, Install: []plan.Install{}, Warnings: []string{}}
}

// warnf adds a warning to the plan.
func warnf(p *plan.Plan, format string, args ...any) {
	p.Warnings = append(p.Warnings, fmt.Sprintf(format, args...))
}
