package expressway

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/product"
	"github.com/confcert/confcert/internal/release"
	"github.com/confcert/confcert/internal/rolecheck"
	"github.com/confcert/confcert/internal/strictyaml"
)

// Product is Cisco Expressway-C and Expressway-E (spec plan.md "Cisco
// Expressway").
type Product struct{}

// Name implements product.Product.
func (Product) Name() string { return "expressway" }

// Cluster roles and the public: values that name them.
const (
	roleC   = "c"
	roleE   = "e"
	publicC = "expressway-c"
	publicE = "expressway-e"
)

// maxPeers: an Expressway cluster has at most six peers (Expressway
// Administrator Guide X15.4, "Clustering").
const maxPeers = 6

type spec struct {
	Product               strictyaml.Str      `key:"product,required"`
	Version               strictyaml.Str      `key:"version,required"`
	Domain                strictyaml.Str      `key:"domain,required"`
	Key                   strictyaml.Str      `key:"key"`
	Days                  strictyaml.Int      `key:"days"`
	Subject               product.SubjectSpec `key:"subject"`
	InternalCA            strictyaml.Str      `key:"internal_ca"`
	CAServer              strictyaml.Str      `key:"ca_server"`
	CAKey                 strictyaml.Str      `key:"ca_key"`
	Public                []strictyaml.Str    `key:"public"`
	MRA                   *mraSpec            `key:"mra"`
	PhoneSecurityProfiles []strictyaml.Str    `key:"phone_security_profiles"`
	XMPPFederation        []strictyaml.Str    `key:"xmpp_federation_domains"`
	ChatNodeAliases       []strictyaml.Str    `key:"chat_node_aliases"`
	CMSJoinURL            strictyaml.Str      `key:"cms_join_url"`
	Clusters              []clusterSpec       `key:"clusters,required"`
	CUCM                  *cucmSpec           `key:"cucm"`
	Line                  int                 `key:",line"`
}

type mraSpec struct {
	Domains []strictyaml.Str `key:"domains,required"`
	Format  strictyaml.Str   `key:"format"`
	Line    int              `key:",line"`
}

type clusterSpec struct {
	Name    strictyaml.Str   `key:"name,required"`
	Role    strictyaml.Str   `key:"role,required"`
	FQDN    strictyaml.Str   `key:"fqdn,required"`
	Peers   []strictyaml.Str `key:"peers,required"`
	Aliases []strictyaml.Str `key:"aliases"`
	Line    int              `key:",line"`
}

type cucmSpec struct {
	Nodes []strictyaml.Str `key:"nodes,required"`
	Line  int              `key:",line"`
}

// cluster is a checked cluster.
type cluster struct {
	name, role, fqdn string
	peers, aliases   []string
}

// deploy is a checked deployment.
type deploy struct {
	s          *spec
	o          product.Options
	version    release.Version
	era        ekuEra
	key, caKey keys.Type
	days       int
	subject    plan.Subject
	internalCA string
	public     map[string]bool
	mraNames   []string // MRA domains as they go into E's SANs
	clusters   []cluster
}

// Plan implements product.Product.
func (Product) Plan(doc *yaml.Node, o product.Options) (*plan.Plan, []strictyaml.Problem) {
	s, probs := product.Decode[spec](doc)
	if probs != nil {
		return nil, probs
	}
	d, bad := check(s, o)
	if len(bad) > 0 {
		return nil, bad
	}
	return product.Finish(newBuild(d).build(), s.Line)
}

func check(s *spec, o product.Options) (*deploy, product.Problems) {
	var p product.Problems
	d := &deploy{s: s, o: o, public: map[string]bool{publicE: true}}
	d.checkGlobals(&p)
	d.checkNames(&p)
	d.checkClusters(&p)
	d.checkNeeds(&p)
	return d, p
}

func (d *deploy) checkGlobals(p *product.Problems) {
	s := d.s
	v, err := ParseVersion(s.Version.Value)
	if err != nil {
		p.Add(s.Version.Line, "%v", err)
	} else if !v.AtLeast(8, 10, 0) || v.Major > 15 {
		p.Add(s.Version.Line, "version %q: confcert plans Expressway X8.10 to X15.x", s.Version.Value)
	}
	d.version, d.era = v, eraOf(v)
	d.key = keyType(s.Key, p)
	d.caKey = product.KeyType(s.CAKey, "ca_key", false, p)
	d.days = product.ValidityDays(s.Days, p)
	d.subject = s.Subject.Check(p)
	d.internalCA = s.InternalCA.Value
	if d.internalCA == "" {
		d.internalCA = product.FirstLabel(s.Domain.Value) + "ca"
	}
	product.CheckCAName(strictyaml.Str{Value: d.internalCA, Line: max(s.InternalCA.Line, s.Domain.Line)}, "internal_ca", p)
	product.CheckCAServer(s.CAServer, p)
	if len(s.Public) > 0 {
		d.public = map[string]bool{}
	}
	for _, pub := range s.Public {
		if pub.Value != publicC && pub.Value != publicE {
			p.Add(pub.Line, "public: %q is not expressway-c or expressway-e", pub.Value)
		}
		d.public[pub.Value] = true
	}
}

// keyType: the Expressway CSR page offers RSA 2048 and 4096 and ECDSA P-256,
// P-384 and P-521; 8192-bit keys can stop SIP TLS zones from becoming active
// (Certificate Creation and Use Deployment Guide X15.4, "Generating a
// Certificate Signing Request"; Troubleshooting; research EXP-26).
func keyType(s strictyaml.Str, p *product.Problems) keys.Type {
	t := product.KeyType(s, "key", false, p)
	if t == keys.RSA3072 {
		p.Add(s.Line, "key: Expressway takes RSA 2048 or 4096 or ECDSA P-256 or P-384 keys, not %s (Expressway Certificate Creation and Use Deployment Guide, \"Generating a Certificate Signing Request\")", s.Value)
	}
	return t
}

// checkNames checks every deployment-wide name: DNS names, no wildcard
// (EXP-04), phone security profile names as real FQDNs (EXP-05), the CMS
// join URL apart from every MRA domain (EXP-12).
func (d *deploy) checkNames(p *product.Problems) {
	s := d.s
	dns := func(key string, v strictyaml.Str) {
		if v.Value == "" {
			return
		}
		if strings.Contains(v.Value, "*") {
			p.Add(v.Line, "%s: %q is a wildcard: Expressway does not support wildcard certificates (Expressway Certificate Creation and Use Deployment Guide, \"Points to be Aware\")", key, v.Value)
			return
		}
		if err := product.CheckDNSName(v.Value); err != nil {
			p.Add(v.Line, "%s: %v", key, err)
		}
	}
	dns("domain", s.Domain)
	dns("cms_join_url", s.CMSJoinURL)
	for _, n := range s.XMPPFederation {
		dns("xmpp_federation_domains", n)
	}
	for _, n := range s.ChatNodeAliases {
		dns("chat_node_aliases", n)
	}
	for _, n := range s.PhoneSecurityProfiles {
		dns("phone_security_profiles", n)
		if !profileFQDN().MatchString(n.Value) {
			p.Add(n.Line, "phone_security_profiles: %q must be an FQDN of letters, digits and hyphens whose last label starts with a letter (from X12.6; Expressway Certificate Creation and Use Deployment Guide X15.5, \"Server Certificate Requirements for Unified Communications\")", n.Value)
		}
	}
	d.checkMRA(dns, p)
}

// profileFQDN: letters, digits and hyphens in dot-separated labels, the last
// label starting with a letter (EXP-05).
var profileFQDN = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([A-Za-z0-9-]+\.)+[A-Za-z][A-Za-z0-9-]*$`) })

func (d *deploy) checkMRA(dns func(string, strictyaml.Str), p *product.Problems) {
	m := d.s.MRA
	if m == nil {
		return
	}
	collab := true
	switch m.Format.Value {
	case "", "collab-edge":
	case "dns":
		collab = false
	default:
		p.Add(m.Format.Line, "mra format: %q is neither collab-edge (SAN collab-edge.<domain>) nor dns (SAN <domain>)", m.Format.Value)
	}
	if len(m.Domains) == 0 {
		p.Add(m.Line, "mra domains is empty: list the domains of the _collab-edge._tls SRV records")
	}
	for _, dom := range m.Domains {
		dns("mra domains", dom)
		if why := rolecheck.InternalOnly(dom.Value); why != "" {
			p.Add(dom.Line, "mra domains: %s is %s: list only the public edge domain (Expressway Administrator Guide X15.4, Unified Communications)", dom.Value, why)
		}
		name := dom.Value
		if collab {
			name = "collab-edge." + dom.Value
		}
		d.mraNames = append(d.mraNames, name)
		// The Web Proxy URL and the MRA domain cannot be the same (MRA
		// Deployment Guide X15.0, "Requirements for MRA"; EXP-12).
		if j := d.s.CMSJoinURL.Value; j != "" && (strings.EqualFold(j, dom.Value) || strings.EqualFold(j, name)) {
			p.Add(d.s.CMSJoinURL.Line, "cms_join_url %s is also an MRA domain: the Meeting Server Web Proxy URL and the MRA domain cannot be the same (MRA Through Cisco Expressway Deployment Guide X15.0, \"Requirements for MRA\")", j)
		}
	}
}

func (d *deploy) checkClusters(p *product.Problems) {
	if len(d.s.Clusters) == 0 {
		p.Add(d.s.Line, "clusters is empty: list the Expressway-C and Expressway-E clusters with their peers")
	}
	names, peers := map[string]bool{}, map[string]bool{}
	for _, cs := range d.s.Clusters {
		c := cluster{name: cs.Name.Value, role: strings.ToLower(cs.Role.Value), fqdn: cs.FQDN.Value}
		if err := product.CheckFileBase(c.name); err != nil {
			p.Add(cs.Name.Line, "cluster name: %v", err)
		}
		if names[c.name] {
			p.Add(cs.Name.Line, "duplicate cluster name %q", c.name)
		}
		names[c.name] = true
		if c.role != roleC && c.role != roleE {
			p.Add(cs.Role.Line, "cluster %s: role must be c (Expressway-C) or e (Expressway-E), not %q", c.name, cs.Role.Value)
		}
		d.checkHost(fmt.Sprintf("cluster %s fqdn", c.name), cs.FQDN, p)
		d.checkPeers(cs, &c, peers, p)
		for _, a := range cs.Aliases {
			d.checkHost(fmt.Sprintf("cluster %s aliases", c.name), a, p)
			c.aliases = append(c.aliases, a.Value)
		}
		d.clusters = append(d.clusters, c)
	}
}

func (d *deploy) checkPeers(cs clusterSpec, c *cluster, seen map[string]bool, p *product.Problems) {
	switch n := len(cs.Peers); {
	case n == 0:
		p.Add(cs.Line, "cluster %s lists no peers", c.name)
	case n > maxPeers:
		p.Add(cs.Line, "cluster %s has %d peers: an Expressway cluster has at most %d", c.name, n, maxPeers)
	}
	for _, pe := range cs.Peers {
		d.checkHost(fmt.Sprintf("cluster %s peers", c.name), pe, p)
		label := strings.ToLower(product.FirstLabel(pe.Value))
		if err := product.CheckFileBase(label); err != nil {
			p.Add(pe.Line, "peer %s: its first label names the certificate files: %v", pe.Value, err)
		}
		if seen[label] {
			p.Add(pe.Line, "peer %s: another peer's name also starts with %q, and the first label names each peer's certificate", pe.Value, label)
		}
		seen[label] = true
		c.peers = append(c.peers, pe.Value)
	}
}

// checkHost: a DNS name, never a wildcard (EXP-04). An IP address is
// refused too: Expressway peers are addressed by FQDN, which then must be in
// the SANs (EXP-13).
func (d *deploy) checkHost(what string, v strictyaml.Str, p *product.Problems) {
	product.CheckNoWildcardName(what, v, `Expressway does not support wildcard certificates (Expressway Certificate Creation and Use Deployment Guide, "Points to be Aware")`, p)
}

// checkNeeds: what each feature needs of the clusters.
func (d *deploy) checkNeeds(p *product.Problems) {
	s := d.s
	hasC, hasE := d.hasRole(roleC), d.hasRole(roleE)
	if s.MRA != nil && !hasE {
		p.Add(s.MRA.Line, "mra needs an Expressway-E cluster (role: e): the MRA domains go into its certificates")
	}
	if len(s.PhoneSecurityProfiles) > 0 && !hasC {
		p.Add(s.PhoneSecurityProfiles[0].Line, "phone_security_profiles need an Expressway-C cluster (role: c): the names go into its certificates")
	}
	if (len(s.XMPPFederation) > 0 || s.CMSJoinURL.Value != "") && !hasE {
		line := s.CMSJoinURL.Line
		if len(s.XMPPFederation) > 0 {
			line = s.XMPPFederation[0].Line
		}
		p.Add(line, "xmpp_federation_domains and cms_join_url go into Expressway-E certificates: add a cluster with role: e")
	}
	if s.CUCM != nil {
		for _, n := range s.CUCM.Nodes {
			d.checkHost("cucm nodes", n, p)
		}
	}
}

func (d *deploy) hasRole(role string) bool {
	return slices.ContainsFunc(d.clusters, func(c cluster) bool { return c.role == role })
}

// isPublic says whether a public CA signs the server certificates of a
// cluster of role.
func (d *deploy) isPublic(role string) bool {
	if role == roleC {
		return d.public[publicC]
	}
	return d.public[publicE]
}
