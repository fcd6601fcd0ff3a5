package cms

import (
	"slices"

	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/product"
)

// cmsBuild works out the plan of a checked deployment.
type cmsBuild struct {
	d      *cmsDeploy
	p      *plan.Plan
	certOf map[string]*plan.Certificate // "<node>/<service>" -> certificate
}

func newCMSBuild(d *cmsDeploy) *cmsBuild {
	b := &cmsBuild{d: d, p: product.NewPlan("cms", d.version), certOf: map[string]*plan.Certificate{}}
	b.p.Warnings = append(b.p.Warnings, d.warnings...)
	d.allowPublicClientAuth = product.ChoiceAllowPublicClientAuth.Resolve(d.s.AllowPublicClientAuth, d.o.AllowPublicClientAuth, b.p)
	return b
}

func (b *cmsBuild) build() {
	if b.d.public[svcDatabase] {
		product.Warnf(b.p, "public lists database: the database cluster's certificates are always signed by its dedicated CA %s (seed 002 §4.8 caution)", b.d.dbCA)
	}
	if b.d.public[svcTURN] != b.d.public[svcWebbridge] && b.d.hasWB2 {
		product.Warnf(b.p, "public: turn follows webbridge, since the TURN certificate must come from the Web Bridge's CA (seed 002 §3.1.6)")
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
// seed 003). CN is the Call Bridge cluster name on a Call Bridge (seed 003),
// the Lync trusted-application FQDN when given (seed 002 §3.1.1), else the
// node FQDN; SANs: node FQDN, domain, XMPP domain, Web Bridge names, CN.
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
	s := b.d.s
	cn := n.fqdn
	if n.runs(svcCallbridge) {
		cn = firstOf(s.LyncFQDN.Value, s.CallbridgeCluster.Value, n.fqdn)
	}
	sans := []string{n.fqdn, s.Domain.Value}
	if n.runs(svcXMPP) {
		sans = append(sans, s.XMPPDomain.Value)
	}
	if n.runs(svcWebbridge) {
		sans = append(sans, s.Webbridge.Value, s.Expressway.Value)
	}
	clientBy := ""
	if n.runs(svcCallbridge) {
		clientBy = b.d.callbridgeClientBy
	}
	c := b.cert(product.CertSpec{Name: n.name, CN: cn, SANs: sans}, clientBy, svcs...)
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
		case svcXMPP: // CN = server, SANs + XMPP domain (§3.1.3)
			spec.SANs = []string{n.fqdn, s.XMPPDomain.Value}
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

// webbridge3: <node>-wb3https (CN = webbridge3.https) and <node>-wb3c2w
// (CN = first c2w name, SANs = all, EKU serverAuth), each with a full-chain
// file (spec plan.md CMS rule 5; seed 002 D.1-D.3). The C2W link is internal:
// no public CA is needed (seed 002 D.1), so the internal CA signs it.
func (b *cmsBuild) webbridge3(n cmsNode) {
	w := b.d.s.Webbridge3
	if !n.runs(svcWebbridge3) || w == nil {
		return
	}
	https := b.cert(product.CertSpec{Name: n.name + "-wb3https", CN: w.HTTPS.Value, FullChain: true}, "", svcWebbridge3)
	b.use(https, n, "webbridge3-https")
	addRole(https, plan.RoleCheck{Role: RoleWebbridge3HTTPS, Names: []string{w.HTTPS.Value}})
	var c2w []string
	for _, s := range w.C2W {
		c2w = append(c2w, s.Value)
	}
	cw := b.cert(product.CertSpec{Name: n.name + "-wb3c2w", CN: c2w[0], SANs: c2w, FullChain: true,
		Signer: b.d.internalCA, EKU: []string{product.ServerAuth}}, "")
	b.use(cw, n, "webbridge3-c2w")
	addRole(cw, plan.RoleCheck{Role: RoleWebbridge3C2W, Names: c2w})
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
	if slices.ContainsFunc(b.p.Certificates, func(c *plan.Certificate) bool { return c.Signer == b.d.internalCA }) {
		b.p.CAs = append(b.p.CAs, plan.CA{Name: b.d.internalCA, KeyType: string(b.d.caKey), Purpose: "internal"})
	}
	if b.d.dbCA != "" && len(b.d.dbNodes) > 0 {
		b.p.CAs = append(b.p.CAs, plan.CA{Name: b.d.dbCA, KeyType: string(b.d.caKey), Purpose: "database cluster"})
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
