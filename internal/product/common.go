package product

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/strictyaml"
	"github.com/confcert/confcert/internal/usage"
	"github.com/confcert/confcert/internal/validity"
)

// Extended key usages as the plan document names them.
const (
	ServerAuth = "serverAuth"
	ClientAuth = "clientAuth"
)

// Problems collects the Problems of one deployment file.
type Problems []strictyaml.Problem

// Decode reads a deployment document into a new S (a product's schema),
// with every problem at its line.
func Decode[S any](doc *yaml.Node) (*S, []strictyaml.Problem) {
	var s S
	if probs := strictyaml.Into(doc, &s, "the deployment"); len(probs) > 0 {
		return nil, probs
	}
	return &s, nil
}

// Finish returns the plan a product built, or why not: two of its
// certificates share a name (reported at the deployment's line).
func Finish(p *plan.Plan, line int) (*plan.Plan, []strictyaml.Problem) {
	var after Problems
	CheckUniqueNames(p.Certificates, line, &after)
	if len(after) > 0 {
		return nil, after
	}
	return p, nil
}

func (p *Problems) Add(line int, format string, args ...any) {
	*p = append(*p, strictyaml.Problemf(line, format, args...))
}

// SubjectSpec is the optional subject of every CSR (spec plan.md: O, OU, L, ST, C, emailAddress).
type SubjectSpec struct {
	O            strictyaml.Str `key:"O"`
	OU           strictyaml.Str `key:"OU"`
	L            strictyaml.Str `key:"L"`
	ST           strictyaml.Str `key:"ST"`
	C            strictyaml.Str `key:"C"`
	EmailAddress strictyaml.Str `key:"emailAddress"`
	Line         int            `key:",line"`
}

// Check reports a country that is not a two-letter ISO code (seed 002 Table 4)
// or an email address without '@', and returns the subject.
func (s SubjectSpec) Check(p *Problems) plan.Subject {
	if c := s.C.Value; c != "" && (len(c) != 2 || strings.ToUpper(c) != c || !isLetters(c)) {
		p.Add(s.C.Line, "subject C %q must be the two-letter ISO country code in capitals, e.g. US, GB (Cisco Meeting Server Certificate Guidelines 2.9, Table 4)", c)
	}
	if e := s.EmailAddress.Value; e != "" && !strings.Contains(e, "@") {
		p.Add(s.EmailAddress.Line, "subject emailAddress %q is not an email address", e)
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

// KeyType parses a key type of the deployment file (default rsa2048).
// Ed25519 is refused: browsers and the appliances do not accept Ed25519
// server certificates (choice documented in docs/plan-rules.md).
func KeyType(s strictyaml.Str, key string, allowLegacy bool, p *Problems) keys.Type {
	if s.Value == "" {
		return keys.Default
	}
	t, err := keys.ParseType(s.Value, allowLegacy)
	switch {
	case errors.Is(err, keys.ErrLegacyType):
		p.Add(s.Line, "%s: rsa1024 is insecure and only for Unified MeetingPlace's legacy_keysize", key)
	case err != nil:
		p.Add(s.Line, "%s: %v", key, err)
	case t == keys.Ed25519:
		p.Add(s.Line, "%s: ed25519 certificates are not accepted by browsers or the conferencing servers: use rsa2048 or ecdsa-p256", key)
	}
	return t
}

// ValidityDays reads the validity of internally signed certificates (1 to 3650 ValidityDays:
// never past the 10-year local CA, spec plan.md "The local CA").
func ValidityDays(d strictyaml.Int, p *Problems) int {
	if !d.Set {
		return validity.DefaultDays
	}
	if d.Value < 1 || d.Value > validity.MaxPlannedDays {
		p.Add(d.Line, "days must be between 1 and %d, not %d", validity.MaxPlannedDays, d.Value)
	}
	return d.Value
}

// CheckCAName checks a local CA name: it names files (<ca>.crt, <ca>-bundle.crt)
// and must not be a reserved signer value (spec plan.md "The plan document").
func CheckCAName(s strictyaml.Str, key string, p *Problems) {
	if s.Value == plan.SignerPublic || s.Value == plan.SignerSelf {
		p.Add(s.Line, "%s: %q is a reserved signer name; choose another CA name", key, s.Value)
		return
	}
	if err := CheckFileBase(s.Value); err != nil {
		p.Add(s.Line, "%s: %v", key, err)
	}
}

// CheckCAServer checks a deployment's ca_server: the https:// (or, on a
// test bench, http://) address of a confcert CA service (spec serve.md).
func CheckCAServer(s strictyaml.Str, p *Problems) {
	if s.Value == "" {
		return
	}
	u, err := url.Parse(s.Value)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		p.Add(s.Line, "ca_server: %q is not the address of a CA service; give https://HOST[:PORT], e.g. https://ca.example.com:8443", s.Value)
	}
}

// KeyUsage is the plan's key_usage of a certificate for a key of type t with
// the extended key usages eku: the names of usage.Leaf, the one rule that
// certgen applies when it requests and signs (seed 002 D.2, A.1, §3.1.5).
func KeyUsage(t keys.Type, eku []string) []string {
	var ekus []x509.ExtKeyUsage
	for _, name := range eku {
		if u, ok := usage.ParseExtKeyUsage(name); ok {
			ekus = append(ekus, u)
		}
	}
	return usage.KeyUsageNames(usage.Leaf(strings.HasPrefix(string(t), "rsa"), ekus))
}

// CertSpec is what a product decides about one certificate.
type CertSpec struct {
	Name      string
	CN        string
	SANs      []string
	EKU       []string
	Signer    string
	Key       keys.Type
	Days      int
	Subject   plan.Subject
	FullChain bool // a <name>-fullchain.crt file too
}

// NewCert builds the plan's certificate from a spec: SANs always hold the CN
// (spec plan.md "The plan document"; seed 002 §3.1.2, D.2), files are named
// after the certificate, a local CA signs now and a public CA later.
func NewCert(s CertSpec) *plan.Certificate {
	c := &plan.Certificate{
		Name: s.Name, CN: s.CN, SANs: Uniq(append(s.SANs, s.CN)...),
		Subject: s.Subject, KeyType: string(s.Key), KeyUsage: KeyUsage(s.Key, s.EKU),
		ExtKeyUsage: s.EKU, Signer: s.Signer,
		Files:  plan.Files{Key: s.Name + ".key", CSR: s.Name + ".csr", Cert: s.Name + ".crt"},
		UsedBy: []plan.Use{}, Status: plan.StatusSigned,
	}
	if s.FullChain {
		c.Files.FullChain = s.Name + "-fullchain.crt"
	}
	if s.Signer == plan.SignerPublic {
		c.Status = plan.StatusAwaitingCA
		c.Template = plan.TemplateFor(s.EKU)
	} else {
		c.Days = s.Days
	}
	return c
}

// AddUse records that node's service uses c, once.
func AddUse(c *plan.Certificate, node, service string) {
	u := plan.Use{Node: node, Service: service}
	for _, have := range c.UsedBy {
		if have == u {
			return
		}
	}
	c.UsedBy = append(c.UsedBy, u)
}

// CheckUniqueNames reports two planned certificates with one name.
func CheckUniqueNames(certs []*plan.Certificate, line int, p *Problems) {
	seen := map[string]bool{}
	for _, c := range certs {
		if seen[c.Name] {
			p.Add(line, "two certificates would be named %q: rename a node", c.Name)
		}
		seen[c.Name] = true
	}
}

// NewPlan starts an empty plan document with non-nil lists (JSON [] not null).
func NewPlan(product, version string) *plan.Plan {
	return &plan.Plan{Product: product, Version: version, Certificates: []*plan.Certificate{},
		Bundles: []plan.Bundle{}, Install: []plan.Install{}, Warnings: []string{}}
}

// Warnf adds a warning to the plan.
func Warnf(p *plan.Plan, format string, args ...any) {
	p.Warnings = append(p.Warnings, fmt.Sprintf(format, args...))
}
