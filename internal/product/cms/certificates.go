package cms

import (
	"slices"
	"strings"

	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/product"
)

// cmsBuild works out the plan of a checked deployment.
type cmsBuild struct {
	d      *cmsDeploy
	p      *plan.Plan
	certOf map[string]*plan.Certificate // "<node>/<service>" -> certificate
	// xmppTrust and c2wTrust are xmppTrustFile and c2wTrustFile, found once
	// when the install steps are written (each walks every node).
	xmppTrust, c2wTrust string
	// c2wURLs are the C2W URLs of the Web Bridges 3 that have a C2W
	// certificate, found once (each Call Bridge registers them all).
	c2wURLs  []string
	c2wFound bool
}

func newCMSBuild(d *cmsDeploy) *cmsBuild {
	b := &cmsBuild{d: d, p: product.NewPlan("cms", d.version), certOf: map[string]*plan.Certificate{}}
	b.p.Warnings = append(b.p.Warnings, d.warnings...)
	d.allowPublicClientAuth = product.ChoiceAllowPublicClientAuth.Resolve(d.s.AllowPublicClientAuth, d.o.AllowPublicClientAuth, b.p)
	return b
}

func (b *cmsBuild) build() {
	if b.d.public[svcDatabase] {
		product.Warnf(b.p, "public lists database: the database cluster's certificates are always signed by its dedicated CA %s (Cisco Meeting Server Certificate Guidelines 2.9, §4.8 caution)", b.d.dbCA)
	}
	if b.d.lyncOverCluster() && b.d.runsAnywhere(svcCallbridge) {
		product.Warnf(b.p, "lync_fqdn %s differs from callbridge_cluster %s: a combined certificate has one CN, and the Lync Front End trusts the Call Bridge only when that CN is its trusted-application FQDN (Cisco Meeting Server Certificate Guidelines 2.9, §3.1.1): the Call Bridge certificates have CN %s and keep %s among their subject alternative names; make them equal or use certificates: per-service to have the cluster name as CN",
			b.d.s.LyncFQDN.Value, b.d.s.CallbridgeCluster.Value, b.d.s.LyncFQDN.Value, b.d.s.CallbridgeCluster.Value)
	}
	if b.d.public[svcTURN] != b.d.public[svcWebbridge] && b.d.hasWB2 && b.d.runsAnywhere(svcTURN) {
		product.Warnf(b.p, "public: turn follows webbridge, since the TURN certificate must come from the Web Bridge's CA (Cisco Meeting Server Certificate Guidelines 2.9, §3.1.6)")
	}
	for _, n := range b.d.nodes {
		if b.d.perService {
			b.perService(n)
		} else {
			b.combined(n)
		}
		b.webbridge3(n)
		b.scheduler(n)
		b.loadbalancer(n)
	}
	b.trunks()
	b.warnMissingTrunks()
	b.database()
	b.cas()
	b.bundles()
	b.installs()
}

// signer picks who signs a certificate serving services. A certificate that
// needs clientAuth stays internal even when listed public, since public CAs
// stopped issuing clientAuth (spec plan.md CMS rule 4a).
func (b *cmsBuild) signer(name string, services []string, clientBy string) string {
	if !slices.ContainsFunc(services, b.d.isPublic) {
		return b.d.internalCA
	}
	if clientBy != "" && !b.d.allowPublicClientAuth {
		product.Warnf(b.p, "%s needs clientAuth (%s) but public CAs no longer put clientAuth into server certificates (browser root-program rules, 2026): planned with the internal CA %s instead; allow_public_client_auth: true in the deployment file keeps it public for a CA that still issues it", name, clientBy, b.d.internalCA)
		return b.d.internalCA
	}
	return plan.SignerPublic
}

// eku: serverAuth + clientAuth unless the certificate is public and needs no
// clientAuth, which public CAs no longer issue (spec plan.md CMS rules 3, 4a).
func eku(signer, clientBy string) []string {
	if signer == plan.SignerPublic && clientBy == "" {
		return []string{product.ServerAuth}
	}
	return []string{product.ServerAuth, product.ClientAuth}
}

func (b *cmsBuild) cert(s product.CertSpec, clientBy string, services ...string) *plan.Certificate {
	if s.Signer == "" {
		s.Signer = b.signer(s.Name, services, clientBy)
	}
	if s.EKU == nil {
		s.EKU = eku(s.Signer, clientBy)
	}
	s.Key, s.Days, s.Subject = b.d.key, b.d.days, b.d.subject
	c := product.NewCert(s)
	b.p.Certificates = append(b.p.Certificates, c)
	return c
}

func (b *cmsBuild) use(c *plan.Certificate, n cmsNode, service string) {
	product.AddUse(c, n.name, service)
	b.certOf[n.name+"/"+service] = c
}

func addRole(c *plan.Certificate, r plan.RoleCheck) {
	for _, have := range c.Roles {
		if have.Role == r.Role && have.PeerCert == r.PeerCert {
			return
		}
	}
	c.Roles = append(c.Roles, r)
}

// combined: one certificate per node, named after it, for all its TLS
// services but database, trunk and load balancer (spec plan.md CMS rule 1;
// seed 003). A node whose public services (Web Bridge for WebRTC browsers,
// Table 2) share it with a Call Bridge that must stay internal (clientAuth,
// rule 4a) gets two: <node> from the internal CA and <node>-public from the
// public CA, said in a warning (spec plan.md CMS rule 2; seed 002 §3.1,
// Table 2): never a public service quietly moved to the internal CA.
func (b *cmsBuild) combined(n cmsNode) {
	var svcs []string
	for _, s := range sharedServices() {
		if n.runs(s) {
			svcs = append(svcs, s)
		}
	}
	if len(svcs) == 0 {
		return
	}
	clientBy := ""
	if n.runs(svcCallbridge) {
		clientBy = b.d.callbridgeClientBy
	}
	internal, public := b.splitCombined(svcs, clientBy)
	if len(internal) == 0 || len(public) == 0 {
		b.combinedCert(n, n.name, svcs, "", clientBy)
		return
	}
	b.combinedCert(n, n.name, internal, b.d.internalCA, clientBy)
	b.combinedCert(n, n.name+"-public", public, plan.SignerPublic, "")
	b.warn("node %s: one combined certificate cannot serve %s from a public CA and %s from the internal CA (%s needs clientAuth, which public CAs no longer issue): split into %s (%s, internal CA %s) and %s-public (%s, public CA), so that browsers and apps meet a publicly trusted certificate (%s)",
		n.name, strings.Join(public, ", "), svcCallbridge, clientBy, n.name, strings.Join(internal, ", "), b.d.internalCA, n.name, strings.Join(public, ", "), cite("§3.1, Table 2"))
}

// splitCombined sorts a node's services into those that stay internal and
// those a public CA signs, when a Call Bridge that needs clientAuth shares
// the node with public services; otherwise everything is in one list.
func (b *cmsBuild) splitCombined(svcs []string, clientBy string) (internal, public []string) {
	if clientBy == "" || b.d.allowPublicClientAuth {
		return svcs, nil
	}
	for _, sv := range svcs {
		if sv != svcCallbridge && b.d.isPublic(sv) {
			public = append(public, sv)
		} else {
			internal = append(internal, sv)
		}
	}
	return internal, public
}

// combinedCert plans one combined certificate for svcs. CN is the Call
// Bridge cluster name on a Call Bridge (seed 003), the Lync
// trusted-application FQDN when given (seed 002 §3.1.1; the cluster name then
// stays among the SANs), the Web Bridge's name for a public Web Bridge part,
// else the node FQDN; SANs: node FQDN, domain, (cluster name), XMPP domain,
// Web Bridge names, CN.
func (b *cmsBuild) combinedCert(n cmsNode, name string, svcs []string, signer, clientBy string) {
	s := b.d.s
	runs := func(sv string) bool { return slices.Contains(svcs, sv) }
	cn := n.fqdn
	switch {
	case runs(svcCallbridge):
		cn = firstOf(s.LyncFQDN.Value, s.CallbridgeCluster.Value, n.fqdn)
	case runs(svcWebbridge) && signer == plan.SignerPublic:
		cn = firstOf(s.Webbridge.Value, n.fqdn)
	}
	sans := []string{n.fqdn, s.Domain.Value}
	if runs(svcCallbridge) && b.d.lyncOverCluster() {
		sans = append(sans, s.CallbridgeCluster.Value)
	}
	if runs(svcXMPP) {
		sans = append(sans, s.XMPPDomain.Value)
	}
	if runs(svcWebbridge) {
		sans = append(sans, s.Webbridge.Value, s.Expressway.Value)
	}
	c := b.cert(product.CertSpec{Name: name, CN: cn, SANs: sans, Signer: signer}, clientBy, svcs...)
	for _, sv := range svcs {
		b.use(c, n, sv)
		b.serviceRole(c, n, sv)
	}
}

func firstOf(names ...string) string {
	for _, n := range names {
		if n != "" {
			return n
		}
	}
	return ""
}

// perService: a certificate per node and service, <node>-<service> (spec
// plan.md CMS rule 2; seed 002 §3.1.1-§3.1.6).
func (b *cmsBuild) perService(n cmsNode) {
	s := b.d.s
	for _, sv := range sharedServices() {
		if !n.runs(sv) {
			continue
		}
		spec := product.CertSpec{Name: n.name + "-" + sv, CN: n.fqdn, SANs: []string{n.fqdn}}
		clientBy := ""
		switch sv {
		case svcCallbridge: // CN = Lync trusted-application FQDN (seed 002 §3.1.1)
			spec.CN, clientBy = firstOf(s.LyncFQDN.Value, n.fqdn), b.d.callbridgeClientBy
		case svcWebbridge, svcTURN: // CN = the Web Bridge's A record, + Expressway's name (§3.1.2, §3.1.6)
			spec.CN, spec.SANs = firstOf(s.Webbridge.Value, n.fqdn), []string{s.Expressway.Value}
		case svcXMPP: // CN = the SRV target, SANs + node + XMPP domain (§3.1 points to note, §3.1.3)
			spec.CN, spec.SANs = b.d.srvTarget(n), []string{n.fqdn, s.XMPPDomain.Value}
		}
		c := b.cert(spec, clientBy, sv)
		b.use(c, n, sv)
		b.serviceRole(c, n, sv)
	}
}

// serviceRole adds the `confcert check` role of a shared service (spec roles.md).
func (b *cmsBuild) serviceRole(c *plan.Certificate, n cmsNode, sv string) {
	s := b.d.s
	switch sv {
	case svcCallbridge:
		addRole(c, plan.RoleCheck{Role: RoleCallbridge, CUCM: b.d.callbridgeClient, LyncFQDN: s.LyncFQDN.Value})
	case svcWebbridge:
		addRole(c, plan.RoleCheck{Role: RoleWebbridge, Names: product.Uniq(firstOf(s.Webbridge.Value, n.fqdn), s.Expressway.Value), Domain: webbridgeCNDomain(c, firstOf(s.Webbridge.Value, n.fqdn), s.Domain.Value)})
	case svcXMPP:
		addRole(c, plan.RoleCheck{Role: RoleXMPP, Names: []string{n.fqdn}, Domain: s.XMPPDomain.Value})
	case svcTURN:
		r := plan.RoleCheck{Role: RoleTURN}
		if wb := b.certOf[n.name+"/"+svcWebbridge]; wb != nil && wb != c {
			r.PeerCert = wb.Name
		}
		addRole(c, r)
	default: // webadmin, recorder, streamer: generic rules (spec roles.md)
		addRole(c, plan.RoleCheck{Role: genericRole(sv), Names: []string{n.fqdn}})
	}
}

// scheduler: a C2W client with its own full-chain certificate (spec plan.md
// CMS services, 3.3+); as a client it needs clientAuth.
func (b *cmsBuild) scheduler(n cmsNode) {
	if !n.runs(svcScheduler) {
		return
	}
	c := b.cert(product.CertSpec{Name: n.name + "-scheduler", CN: n.fqdn, SANs: []string{n.fqdn}, FullChain: true},
		"scheduler connecting to Web Bridge 3 over C2W", svcScheduler)
	b.use(c, n, svcScheduler)
}

// loadbalancer: each edge with a load balancer gets <edge> (spec plan.md CMS
// rule 7; seed 002 §3.1.4); <edge>-loadbalancer when a combined certificate
// already has the node's name.
func (b *cmsBuild) loadbalancer(n cmsNode) {
	if !n.runs(svcLoadbalancer) {
		return
	}
	name := n.name
	if b.byName(name) != nil {
		name = n.name + "-loadbalancer"
	}
	c := b.cert(product.CertSpec{Name: name, CN: n.fqdn, SANs: []string{n.fqdn}}, "load balancer authenticating the trunk", svcLoadbalancer)
	b.use(c, n, svcLoadbalancer)
}

// trunks: each core in trunks gets <core>-trunk, reused for all its trunks
// (seed 002 §4.1.1), never the load balancer's key (§3.1.4, §4.5).
func (b *cmsBuild) trunks() {
	for _, t := range b.d.s.Trunks {
		core, _ := b.d.node(t.Core.Value)
		edge, _ := b.d.node(t.Edge.Value)
		tc := b.byName(core.name + "-trunk")
		if tc == nil {
			tc = b.cert(product.CertSpec{Name: core.name + "-trunk", CN: core.fqdn, SANs: []string{core.fqdn}}, "trunk authenticating the load balancer", svcTrunk)
		}
		b.use(tc, core, svcTrunk)
		lb := b.certOf[edge.name+"/"+svcLoadbalancer]
		if lb == nil {
			continue
		}
		addRole(tc, plan.RoleCheck{Role: RoleTrunk, PeerCert: lb.Name})
		addRole(lb, plan.RoleCheck{Role: RoleLoadbalancer, PeerCert: tc.Name})
	}
}

// database: dbserver (CN = first cluster node, SANs = the others) and
// dbclient (CN exactly "postgres"), signed by the cluster's dedicated CA; the
// pair goes to every database node, dbclient alone to Call Bridges without a
// database (spec plan.md CMS rule 6; seed 002 §3.1.5, §4.8.1, A.3; seed 003).
func (b *cmsBuild) database() {
	if len(b.d.dbNodes) == 0 {
		return
	}
	var fqdns []string
	for _, name := range b.d.dbNodes {
		n, _ := b.d.node(name)
		fqdns = append(fqdns, n.fqdn)
	}
	server := b.cert(product.CertSpec{Name: "dbserver", CN: fqdns[0], SANs: fqdns[1:], Signer: b.d.dbCA,
		EKU: []string{product.ServerAuth, product.ClientAuth}}, "")
	addRole(server, plan.RoleCheck{Role: RoleDBServer, Names: fqdns, Trust: b.d.dbCA})
	// CN must be exactly "postgres" (seed 002 §3.1.5, §4.8); no SAN, as in seed 003.
	client := b.cert(product.CertSpec{Name: "dbclient", CN: "postgres", Signer: b.d.dbCA, EKU: []string{product.ClientAuth}}, "")
	client.SANs = []string{}
	addRole(client, plan.RoleCheck{Role: RoleDBClient, Trust: b.d.dbCA})
	for _, n := range b.d.nodes {
		if slices.Contains(b.d.dbNodes, n.name) {
			b.use(server, n, svcDatabase)
			b.use(client, n, svcDatabase)
		} else if n.runs(svcCallbridge) {
			b.use(client, n, svcDatabase)
		}
	}
}

func (b *cmsBuild) byName(name string) *plan.Certificate {
	for _, c := range b.p.Certificates {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// cas lists the local CAs the plan uses.
func (b *cmsBuild) cas() {
	b.p.CAServer = b.d.s.CAServer.Value
	if slices.ContainsFunc(b.p.Certificates, func(c *plan.Certificate) bool { return c.Signer == b.d.internalCA }) {
		b.p.CAs = append(b.p.CAs, plan.CA{Name: b.d.internalCA, KeyType: string(b.d.caKey), Purpose: "internal"})
	}
	if b.d.dbCA != "" && len(b.d.dbNodes) > 0 {
		b.p.CAs = append(b.p.CAs, plan.CA{Name: b.d.dbCA, KeyType: string(b.d.caKey), Purpose: "database cluster", Cluster: b.d.clusterID()})
	}
}

// webbridgeCNDomain is the --domain the cms-webbridge role accepts as the CN.
// A combined certificate carries the Call Bridge cluster name as its CN and
// the Web Bridge name only in its SANs (seed 003), which Web Bridge clients
// accept because they match SANs (seed 002 Table 4); so for it the accepted
// CN is its own, and WEBBRIDGE-NAME still requires the A record in the SANs.
func webbridgeCNDomain(c *plan.Certificate, name, domain string) string {
	if c.CN != name && c.CN != domain {
		return c.CN
	}
	return domain
}
