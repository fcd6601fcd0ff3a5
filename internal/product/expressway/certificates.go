package expressway

import (
	"strings"

	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/product"
	"github.com/confcert/confcert/internal/strictyaml"
)

// build works out the plan of a checked deployment.
type build struct {
	d *deploy
	p *plan.Plan
	// servers and clients name each cluster's certificates, in peer order.
	servers, clients map[string][]string
}

func newBuild(d *deploy) *build {
	return &build{d: d, p: product.NewPlan("expressway", d.s.Version.Value),
		servers: map[string][]string{}, clients: map[string][]string{}}
}

func (b *build) build() *plan.Plan {
	for _, c := range b.d.clusters {
		for _, peer := range c.peers {
			b.peer(c, peer)
		}
	}
	b.cas()
	b.expects()
	b.bundles()
	b.installs()
	b.warnings()
	return b.p
}

// peer plans one peer's server certificate, and from X15.5 its client
// certificate when a public CA signs the server one. One key per peer: each
// peer makes its own CSR and the key never leaves it (Certificate Creation
// and Use Deployment Guide X15.4, "Server Certificates and Clustered
// Systems"; EXP-03). CN = the cluster FQDN; SANs = the peer, the cluster and
// the names the role requires (EXP-02, EXP-05 to EXP-14).
func (b *build) peer(c cluster, peer string) {
	name := strings.ToLower(product.FirstLabel(peer))
	public := b.d.isPublic(c.role)
	signer := b.d.internalCA
	if public {
		signer = plan.SignerPublic
	}
	sans := append([]string{peer, c.fqdn}, b.roleNames(c)...)
	srv := b.cert(product.CertSpec{Name: name, CN: c.fqdn, SANs: sans, Signer: signer, EKU: b.serverEKU(c.role, public)})
	product.AddUse(srv, c.name, "server certificate ("+peer+")")
	srv.Roles = []plan.RoleCheck{b.roleCheck(c, serverRole(c.role), sans)}
	b.servers[c.name] = append(b.servers[c.name], srv.Name)
	if b.d.era == eraX155 && public {
		cl := b.cert(product.CertSpec{Name: name + "-client", CN: c.fqdn, SANs: []string{peer, c.fqdn},
			Signer: b.d.internalCA, EKU: []string{product.ClientAuth}})
		product.AddUse(cl, c.name, "client certificate ("+peer+")")
		cl.Roles = []plan.RoleCheck{b.roleCheck(c, RoleClient, []string{c.fqdn})}
		b.clients[c.name] = append(b.clients[c.name], cl.Name)
	}
}

func serverRole(role string) plan.RoleName {
	if role == roleC {
		return RoleC
	}
	return RoleE
}

func (b *build) roleCheck(c cluster, role plan.RoleName, names []string) plan.RoleCheck {
	rc := plan.RoleCheck{Role: role, Names: product.Uniq(names...), Version: b.d.s.Version.Value, Trust: c.name + "-trust"}
	if c.role == roleE && b.d.s.MRA != nil && len(b.d.s.MRA.Domains) > 0 {
		rc.Domain = b.d.s.MRA.Domains[0].Value
	}
	return rc
}

// roleNames are the SANs a cluster's role requires. Expressway-E: the MRA
// domains in the chosen format (EXP-08), the XMPP federation domains in DNS
// form (EXP-10), the chat node aliases (EXP-07), the Meeting Server join URL
// (EXP-12), every alias (EXP-11). Expressway-C: the phone security profile
// names (EXP-05), the chat node aliases (EXP-07), its aliases.
func (b *build) roleNames(c cluster) []string {
	s := b.d.s
	var out []string
	if c.role == roleE {
		out = append(out, b.d.mraNames...)
		out = append(out, values(s.XMPPFederation)...)
		out = append(out, values(s.ChatNodeAliases)...)
		if s.CMSJoinURL.Value != "" {
			out = append(out, s.CMSJoinURL.Value)
		}
	} else {
		out = append(out, values(s.PhoneSecurityProfiles)...)
		out = append(out, values(s.ChatNodeAliases)...)
	}
	return append(out, c.aliases...)
}

// serverEKU: serverAuth + clientAuth up to X15.3, and on Expressway-C up to
// X15.4 (EXP-15, EXP-16). From X15.4 a public Expressway-E certificate is
// serverAuth only (public CAs stop issuing clientAuth); from X15.5 a public
// server certificate is serverAuth only and a client certificate from the
// internal CA carries clientAuth (EXP-17, EXP-18). A certificate from the
// internal CA keeps both: it serves as the client certificate too.
func (b *build) serverEKU(role string, public bool) []string {
	both := []string{product.ServerAuth, product.ClientAuth}
	switch {
	case !public:
		return both
	case b.d.era == eraX155:
		return []string{product.ServerAuth}
	case b.d.era == eraX154 && role == roleE:
		return []string{product.ServerAuth}
	}
	return both
}

func (b *build) cert(s product.CertSpec) *plan.Certificate {
	s.Key, s.Days, s.Subject = b.d.key, b.d.days, b.d.subject
	c := product.NewCert(s)
	if s.Signer == plan.SignerPublic && b.d.s.Days.Set {
		// The validity asked for, which the public-CA calendar judges.
		c.Days = b.d.days
	}
	b.p.Certificates = append(b.p.Certificates, c)
	return c
}

// expects: the Unified CM node names configured on Expressway-C must be in
// Unified CM's tomcat certificate (Expressway Administrator Guide X15.4,
// Unified Communications; research EXP-19, UCM-10).
func (b *build) expects() {
	cu := b.d.s.CUCM
	if cu == nil || !b.d.hasRole(roleC) {
		return
	}
	b.p.Expects = append(b.p.Expects, plan.Expectation{Role: "cucm-tomcat", Names: values(cu.Nodes), By: "Expressway-C",
		Why: "Expressway-C checks the tomcat certificate against the node name it is configured with, and MRA login fails (" + docAdminGuide + ")"})
}

func (b *build) cas() {
	b.p.CAServer = b.d.s.CAServer.Value
	for _, c := range b.p.Certificates {
		if c.Signer == b.d.internalCA {
			b.p.CAs = []plan.CA{{Name: b.d.internalCA, KeyType: string(b.d.caKey), Purpose: "internal"}}
			return
		}
	}
}

// bundles: each cluster's Trusted CA list <cluster>-trust.pem holds the full
// chains (root and intermediates) of both C and E certificates, server and
// client (EXP-20, EXP-22; Certificate Creation and Use Deployment Guide,
// "Loading Certificates and Keys"). The Unified CM chain that C must trust
// is added when Unified CM is planned with it (EXP-19).
func (b *build) bundles() {
	var all []string
	for _, c := range b.d.clusters {
		all = append(all, b.servers[c.name]...)
		all = append(all, b.clients[c.name]...)
	}
	for _, c := range b.d.clusters {
		b.p.Bundles = append(b.p.Bundles, plan.Bundle{Name: c.name + "-trust", File: c.name + "-trust.pem",
			Layout: "trust", Members: append([]string{}, all...), Issuers: true})
	}
}

func values(ss []strictyaml.Str) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Value)
	}
	return out
}
