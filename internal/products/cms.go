package products

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/confcert/confcert/internal/deploy/decode"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/plan"
)

// cms is Cisco Meeting Server 2.x and 3.x (spec plan.md "Cisco Meeting
// Server"; seed 002, the Meeting Server 2.9 certificate guidelines; seed 003,
// the 3-node lab).
type cms struct{}

// Name implements Product.
func (cms) Name() string { return "cms" }

// Meeting Server services (spec plan.md "Services").
const (
	svcCallbridge   = "callbridge"
	svcWebadmin     = "webadmin"
	svcWebbridge    = "webbridge"
	svcWebbridge3   = "webbridge3"
	svcXMPP         = "xmpp"
	svcTURN         = "turn"
	svcDatabase     = "database"
	svcRecorder     = "recorder"
	svcStreamer     = "streamer"
	svcScheduler    = "scheduler"
	svcLoadbalancer = "loadbalancer"
	svcTrunk        = "trunk"
)

// cmsServices are the services a node may list.
func cmsServices() []string {
	return []string{svcCallbridge, svcWebadmin, svcWebbridge, svcWebbridge3, svcXMPP, svcTURN,
		svcDatabase, svcRecorder, svcStreamer, svcScheduler, svcLoadbalancer}
}

// sharedServices are the TLS services one combined certificate serves, in
// per-service naming order (spec plan.md CMS rules 1 and 2; seed 003).
func sharedServices() []string {
	return []string{svcCallbridge, svcWebadmin, svcWebbridge, svcXMPP, svcTURN, svcRecorder, svcStreamer}
}

// removedIn3 are the services version 3.0 removed (spec plan.md CMS).
func removedIn3() []string { return []string{svcXMPP, svcWebbridge, svcLoadbalancer, svcTrunk} }

type cmsSpec struct {
	Product           decode.Str   `key:"product,required"`
	Version           decode.Str   `key:"version"`
	Domain            decode.Str   `key:"domain,required"`
	Key               decode.Str   `key:"key"`
	Days              decode.Int   `key:"days"`
	Subject           SubjectSpec  `key:"subject"`
	InternalCA        decode.Str   `key:"internal_ca"`
	CAKey             decode.Str   `key:"ca_key"`
	Public            []decode.Str `key:"public"`
	Certificates      decode.Str   `key:"certificates"`
	CallbridgeCluster decode.Str   `key:"callbridge_cluster"`
	XMPPDomain        decode.Str   `key:"xmpp_domain"`
	Webbridge         decode.Str   `key:"webbridge"`
	Expressway        decode.Str   `key:"expressway"`
	CUCM              decode.Bool  `key:"cucm"`
	LyncFQDN          decode.Str   `key:"lync_fqdn"`
	Webbridge3        *wb3Spec     `key:"webbridge3"`
	DatabaseCluster   *dbSpec      `key:"database_cluster"`
	Nodes             []nodeSpec   `key:"nodes,required"`
	Trunks            []trunkSpec  `key:"trunks"`
	Line              int          `key:",line"`
}

type wb3Spec struct {
	HTTPS decode.Str   `key:"https,required"`
	C2W   []decode.Str `key:"c2w,required"`
	Line  int          `key:",line"`
}

type dbSpec struct {
	Nodes []decode.Str `key:"nodes,required"`
	CA    decode.Str   `key:"ca"`
	Line  int          `key:",line"`
}

type nodeSpec struct {
	Name     decode.Str   `key:"name,required"`
	FQDN     decode.Str   `key:"fqdn,required"`
	Services []decode.Str `key:"services,required"`
	Line     int          `key:",line"`
}

type trunkSpec struct {
	Core decode.Str `key:"core,required"`
	Edge decode.Str `key:"edge,required"`
	Line int        `key:",line"`
}

// cmsNode is a checked node.
type cmsNode struct {
	name, fqdn string
	services   []string
	line       int
}

func (n cmsNode) runs(service string) bool { return slices.Contains(n.services, service) }

// cmsDeploy is a checked deployment.
type cmsDeploy struct {
	s                  *cmsSpec
	o                  Options
	version            string
	major, minor       int
	key, caKey         keys.Type
	days               int
	subject            plan.Subject
	internalCA, dbCA   string
	public             map[string]bool
	perService         bool
	nodes              []cmsNode
	dbNodes            []string
	warnings           []string
	hasWB3, hasWB2     bool
	callbridgeClient   bool   // Call Bridge certificates need clientAuth (rule 3)
	callbridgeClientBy string // why
}

// Plan implements Product.
func (c cms) Plan(doc *yaml.Node, o Options) (*plan.Plan, []decode.Problem) {
	var s cmsSpec
	if probs := decode.Into(doc, &s, "the deployment"); len(probs) > 0 {
		return nil, probs
	}
	d, probs := checkCMS(&s, o)
	if len(probs) > 0 {
		return nil, probs
	}
	b := newCMSBuild(d)
	b.build()
	var after Problems
	CheckUniqueNames(b.p.Certificates, s.Line, &after)
	if len(after) > 0 {
		return nil, after
	}
	return b.p, nil
}

var cmsVersion = regexp.MustCompile(`^([0-9]+)\.([0-9]+)$`)

// checkCMS checks everything the deployment file says.
func checkCMS(s *cmsSpec, o Options) (*cmsDeploy, Problems) {
	var p Problems
	d := &cmsDeploy{s: s, o: o, public: map[string]bool{}}
	d.checkGlobals(&p)
	d.checkNames(&p)
	d.checkNodes(&p)
	d.checkRemovedIn3(&p)
	d.checkWB3(&p)
	d.checkDatabase(&p)
	d.checkTrunks(&p)
	return d, p
}

func (d *cmsDeploy) checkGlobals(p *Problems) {
	s := d.s
	d.version = "2.9"
	if s.Version.Value != "" {
		d.version = s.Version.Value
	}
	m := cmsVersion.FindStringSubmatch(d.version)
	if m == nil {
		p.Add(s.Version.Line, "version %q: write the Meeting Server version as 2.x or 3.x, e.g. \"2.9\" or \"3.8\"", d.version)
	} else {
		d.major, _ = strconv.Atoi(m[1])
		d.minor, _ = strconv.Atoi(m[2])
		if d.major != 2 && d.major != 3 {
			p.Add(s.Version.Line, "version %q: confcert plans Meeting Server 2.x and 3.x", d.version)
		}
	}
	d.key = KeyType(s.Key, "key", false, p)
	d.caKey = KeyType(s.CAKey, "ca_key", false, p)
	d.days = ValidityDays(s.Days, p)
	d.subject = s.Subject.Check(p)
	switch s.Certificates.Value {
	case "", "combined":
	case "per-service":
		d.perService = true
	default:
		p.Add(s.Certificates.Line, "certificates must be combined or per-service, not %q", s.Certificates.Value)
	}
	for _, pub := range s.Public {
		if pub.Value != svcTrunk && !slices.Contains(cmsServices(), pub.Value) {
			p.Add(pub.Line, "public: unknown service %q (services: %s)", pub.Value, strings.Join(cmsServices(), ", "))
		}
		d.public[pub.Value] = true
	}
}

// checkNames checks the deployment-wide DNS names and CA names.
func (d *cmsDeploy) checkNames(p *Problems) {
	s := d.s
	for _, n := range []struct {
		key string
		v   decode.Str
	}{{"domain", s.Domain}, {"callbridge_cluster", s.CallbridgeCluster}, {"xmpp_domain", s.XMPPDomain},
		{"webbridge", s.Webbridge}, {"expressway", s.Expressway}, {"lync_fqdn", s.LyncFQDN}} {
		if n.v.Value == "" {
			continue
		}
		if err := CheckDNSName(n.v.Value); err != nil {
			p.Add(n.v.Line, "%s: %v", n.key, err)
		}
	}
	d.internalCA = s.InternalCA.Value
	if d.internalCA == "" {
		// Default internal CA: <domain's first label>ca (spec plan.md CMS example).
		d.internalCA = FirstLabel(s.Domain.Value) + "ca"
	}
	CheckCAName(decode.Str{Value: d.internalCA, Line: max(s.InternalCA.Line, s.Domain.Line)}, "internal_ca", p)
	// A combined certificate has one CN: the Lync trusted-application FQDN
	// must be that CN (seed 002 §3.1.1), so it cannot differ from the Call
	// Bridge cluster name that rule 1 makes the CN.
	cl, ly := s.CallbridgeCluster.Value, s.LyncFQDN.Value
	if !d.perService && cl != "" && ly != "" && !strings.EqualFold(cl, ly) {
		p.Add(s.LyncFQDN.Line, "lync_fqdn %s differs from callbridge_cluster %s: a combined certificate has one CN and Lync needs it to be the trusted-application FQDN (seed 002 §3.1.1); make them equal or use certificates: per-service", ly, cl)
	}
}

func (d *cmsDeploy) checkNodes(p *Problems) {
	if len(d.s.Nodes) == 0 {
		p.Add(d.s.Line, "nodes is empty: list every Meeting Server with its name, fqdn and services")
	}
	names, fqdns := map[string]bool{}, map[string]bool{}
	for _, ns := range d.s.Nodes {
		n := cmsNode{name: ns.Name.Value, fqdn: ns.FQDN.Value, line: ns.Line}
		if err := CheckFileBase(n.name); err != nil {
			p.Add(ns.Name.Line, "node name: %v", err)
		}
		if names[n.name] {
			p.Add(ns.Name.Line, "duplicate node name %q: each node needs its own name", n.name)
		}
		names[n.name] = true
		if err := CheckHost(n.fqdn, true); err != nil {
			p.Add(ns.FQDN.Line, "node %s fqdn: %v", n.name, err)
		}
		if fqdns[strings.ToLower(n.fqdn)] {
			p.Add(ns.FQDN.Line, "node %s: fqdn %s is already another node's", n.name, n.fqdn)
		}
		fqdns[strings.ToLower(n.fqdn)] = true
		n.services = d.checkServices(ns, p)
		d.nodes = append(d.nodes, n)
	}
	d.checkNodeNeeds(p)
}

func (d *cmsDeploy) checkServices(ns nodeSpec, p *Problems) []string {
	if len(ns.Services) == 0 {
		p.Add(ns.Line, "node %s lists no services", ns.Name.Value)
	}
	var out []string
	for _, sv := range ns.Services {
		switch {
		case sv.Value == svcTrunk:
			p.Add(sv.Line, "node %s: trunk is not a node service: list the core and edge under trunks: [{core: ..., edge: ...}]", ns.Name.Value)
		case !slices.Contains(cmsServices(), sv.Value):
			p.Add(sv.Line, "node %s: unknown service %q (services: %s)", ns.Name.Value, sv.Value, strings.Join(cmsServices(), ", "))
		case slices.Contains(out, sv.Value):
			p.Add(sv.Line, "node %s lists %s twice", ns.Name.Value, sv.Value)
		default:
			out = append(out, sv.Value)
			d.checkServiceVersion(sv, p)
		}
	}
	return out
}

// checkServiceVersion refuses services the version does not have.
func (d *cmsDeploy) checkServiceVersion(sv decode.Str, p *Problems) {
	switch {
	case sv.Value == svcWebbridge3 && d.before(2, 9):
		p.Add(sv.Line, "webbridge3 needs version 2.9 or later (seed 002 Appendix D)")
	case sv.Value == svcScheduler && d.before(3, 3):
		p.Add(sv.Line, "scheduler needs version 3.3 or later")
	}
}

// before reports whether the version is older than major.minor.
func (d *cmsDeploy) before(major, minor int) bool {
	return d.major < major || (d.major == major && d.minor < minor)
}

// checkNodeNeeds checks what the nodes' services require of the deployment.
func (d *cmsDeploy) checkNodeNeeds(p *Problems) {
	for i, n := range d.nodes {
		d.hasWB3 = d.hasWB3 || n.runs(svcWebbridge3)
		d.hasWB2 = d.hasWB2 || n.runs(svcWebbridge)
		// No IP address in any certificate the XMPP server uses (seed 002 §4.11.1 note).
		if n.runs(svcXMPP) && net.ParseIP(n.fqdn) != nil {
			p.Add(d.s.Nodes[i].FQDN.Line, "node %s runs xmpp, so its fqdn must be a DNS name: no IP address may be in an XMPP certificate (seed 002 §4.11.1 note)", n.name)
		}
		// The XMPP domain must be in the XMPP certificate's SANs (seed 002 §3.1.3, Table 4).
		if n.runs(svcXMPP) && d.s.XMPPDomain.Value == "" && d.major < 3 {
			p.Add(d.s.Nodes[i].Line, "node %s runs xmpp: set xmpp_domain (the domain users log in with), which every XMPP certificate must carry (seed 002 §3.1.3)", n.name)
		}
	}
	// Call Bridge certificates need clientAuth for CUCM (seed 002 §2.2, §3.2
	// notes) and for C2W connections to Web Bridge 3 (seed 002 D.1).
	switch {
	case d.s.CUCM.Value:
		d.callbridgeClient, d.callbridgeClientBy = true, "Call Bridge trunked to Unified CM"
	case d.hasWB3:
		d.callbridgeClient, d.callbridgeClientBy = true, "Call Bridge connecting to Web Bridge 3 over C2W"
	}
}

// checkRemovedIn3 refuses what version 3.0 removed (spec plan.md CMS).
func (d *cmsDeploy) checkRemovedIn3(p *Problems) {
	if d.major < 3 {
		return
	}
	const why = "version 3.0 removed the XMPP server, Web Bridge 2, trunks and load balancers; for the web app use the webbridge3 service with webbridge3: {https: ..., c2w: [...]}"
	for _, ns := range d.s.Nodes {
		for _, sv := range ns.Services {
			if slices.Contains(removedIn3(), sv.Value) {
				p.Add(sv.Line, "node %s: %s with version %s: %s", ns.Name.Value, sv.Value, d.version, why)
			}
		}
	}
	for _, k := range []struct {
		key string
		v   decode.Str
	}{{"xmpp_domain", d.s.XMPPDomain}, {"webbridge", d.s.Webbridge}, {"expressway", d.s.Expressway}} {
		if k.v.Value != "" {
			p.Add(k.v.Line, "%s with version %s: %s", k.key, d.version, why)
		}
	}
	if len(d.s.Trunks) > 0 {
		p.Add(d.s.Trunks[0].Line, "trunks with version %s: %s", d.version, why)
	}
}

func (d *cmsDeploy) checkWB3(p *Problems) {
	w := d.s.Webbridge3
	switch {
	case w == nil && d.hasWB3:
		p.Add(d.s.Line, "a node runs webbridge3: add webbridge3: {https: <web app name>, c2w: [<names or IPs in the c2w:// URLs>]} (seed 002 D.1-D.3)")
		return
	case w == nil:
		return
	case !d.hasWB3:
		p.Add(w.Line, "webbridge3 is set but no node runs the webbridge3 service")
	}
	if err := CheckDNSName(w.HTTPS.Value); err != nil {
		p.Add(w.HTTPS.Line, "webbridge3 https: %v", err)
	}
	if len(w.C2W) == 0 {
		p.Add(w.Line, "webbridge3 c2w is empty: list the host names or IPs of the c2w:// URLs (seed 002 D.1)")
	}
	for _, n := range w.C2W {
		if err := CheckHost(n.Value, true); err != nil {
			p.Add(n.Line, "webbridge3 c2w: %v", err)
		}
	}
}

// checkDatabase checks the database cluster (seed 002 §3.1.5, §4.8; seed 003).
func (d *cmsDeploy) checkDatabase(p *Problems) {
	db := d.s.DatabaseCluster
	if db == nil {
		d.checkNoCluster(p)
		return
	}
	if d.before(2, 7) {
		p.Add(db.Line, "database_cluster: database cluster certificates exist from version 2.7 (seed 002 §3.1.5); set version")
	}
	d.dbCA = "dbca"
	if db.CA.Value != "" {
		d.dbCA = db.CA.Value
		CheckCAName(db.CA, "database_cluster ca", p)
	}
	// A dedicated CA for the database cluster, never used for anything else
	// (seed 002 §4.8 caution, §1.2.3).
	if d.dbCA == d.internalCA {
		p.Add(max(db.CA.Line, db.Line), "database_cluster ca %q is the internal CA: the database cluster needs a dedicated root CA used for nothing else (seed 002 §4.8 caution); choose another name, e.g. dbca", d.dbCA)
	}
	d.checkClusterNodes(db, p)
	d.checkClusterSize(db, p)
}

func (d *cmsDeploy) checkClusterNodes(db *dbSpec, p *Problems) {
	for _, name := range db.Nodes {
		n, ok := d.node(name.Value)
		switch {
		case !ok:
			p.Add(name.Line, "database_cluster: no node is named %q", name.Value)
		case slices.Contains(d.dbNodes, name.Value):
			p.Add(name.Line, "database_cluster lists %s twice", name.Value)
		case !n.runs(svcDatabase):
			p.Add(name.Line, "database_cluster: node %s does not run the database service: add database to its services", name.Value)
		default:
			d.dbNodes = append(d.dbNodes, name.Value)
		}
	}
	for _, n := range d.nodes {
		if n.runs(svcDatabase) && !slices.ContainsFunc(db.Nodes, func(s decode.Str) bool { return s.Value == n.name }) {
			p.Add(n.line, "node %s runs database but is not in database_cluster nodes", n.name)
		}
	}
}

// checkClusterSize: 3 to 5 database nodes for redundancy (seed 003).
func (d *cmsDeploy) checkClusterSize(db *dbSpec, p *Problems) {
	switch n := len(db.Nodes); {
	case n == 0:
		p.Add(db.Line, "database_cluster nodes is empty")
	case n > 5:
		p.Add(db.Line, "database_cluster has %d nodes: a database cluster has at most 5 (seed 003)", n)
	case n < 3:
		d.warnings = append(d.warnings, fmt.Sprintf("database_cluster has %d nodes: a database cluster needs at least 3 for redundancy (seed 003)", n))
	}
}

// checkNoCluster: several database nodes without database_cluster cannot
// replicate, since cluster certificates are required from 2.7 (seed 002 §3.1.5).
func (d *cmsDeploy) checkNoCluster(p *Problems) {
	var db []cmsNode
	for _, n := range d.nodes {
		if n.runs(svcDatabase) {
			db = append(db, n)
		}
	}
	if len(db) > 1 {
		p.Add(db[1].line, "%d nodes run database: add database_cluster: {nodes: [...]} so that confcert plans the cluster's certificates (seed 002 §3.1.5)", len(db))
	}
}

func (d *cmsDeploy) checkTrunks(p *Problems) {
	seen := map[string]bool{}
	for _, t := range d.s.Trunks {
		core, okC := d.node(t.Core.Value)
		edge, okE := d.node(t.Edge.Value)
		switch {
		case !okC:
			p.Add(t.Core.Line, "trunks: no node is named %q", t.Core.Value)
		case !core.runs(svcXMPP) && d.major < 3:
			p.Add(t.Core.Line, "trunks: core %s does not run xmpp: the trunk carries XMPP from the core to the edge's load balancer (seed 002 §3.1.4, §4.5)", core.name)
		}
		switch {
		case !okE:
			p.Add(t.Edge.Line, "trunks: no node is named %q", t.Edge.Value)
		case !edge.runs(svcLoadbalancer) && d.major < 3:
			p.Add(t.Edge.Line, "trunks: edge %s does not run loadbalancer", edge.name)
		}
		if okC && okE && core.name == edge.name {
			p.Add(t.Line, "trunks: core and edge are both %s: a trunk joins two servers", core.name)
		}
		pair := t.Core.Value + "/" + t.Edge.Value
		if seen[pair] {
			p.Add(t.Line, "trunks: the trunk %s to %s is listed twice", t.Core.Value, t.Edge.Value)
		}
		seen[pair] = true
	}
	for _, n := range d.nodes {
		if n.runs(svcLoadbalancer) && !slices.ContainsFunc(d.s.Trunks, func(t trunkSpec) bool { return t.Edge.Value == n.name }) {
			d.warnings = append(d.warnings, fmt.Sprintf("node %s runs loadbalancer but no trunk reaches it: add trunks: [{core: ..., edge: %s}]", n.name, n.name))
		}
	}
}

func (d *cmsDeploy) node(name string) (cmsNode, bool) {
	for _, n := range d.nodes {
		if n.name == name {
			return n, true
		}
	}
	return cmsNode{}, false
}

// isPublic says whether the deployment wants a public CA for service. TURN
// follows the Web Bridge: same CA (seed 002 §3.1.6, §4.9).
func (d *cmsDeploy) isPublic(service string) bool {
	if service == svcTURN && d.hasWB2 {
		return d.public[svcWebbridge]
	}
	return d.public[service]
}

// cmsBuild works out the plan of a checked deployment.
type cmsBuild struct {
	d      *cmsDeploy
	p      *plan.Plan
	certOf map[string]*plan.Certificate // "<node>/<service>" -> certificate
}

func newCMSBuild(d *cmsDeploy) *cmsBuild {
	b := &cmsBuild{d: d, p: NewPlan("cms", d.version), certOf: map[string]*plan.Certificate{}}
	b.p.Warnings = append(b.p.Warnings, d.warnings...)
	return b
}

func (b *cmsBuild) build() {
	if b.d.public[svcDatabase] {
		Warnf(b.p, "public lists database: the database cluster's certificates are always signed by its dedicated CA %s (seed 002 §4.8 caution)", b.d.dbCA)
	}
	if b.d.public[svcTURN] != b.d.public[svcWebbridge] && b.d.hasWB2 {
		Warnf(b.p, "public: turn follows webbridge, since the TURN certificate must come from the Web Bridge's CA (seed 002 §3.1.6)")
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
	if clientBy != "" && !b.d.o.AllowPublicClientAuth {
		Warnf(b.p, "%s needs clientAuth (%s) but public CAs no longer put clientAuth into server certificates (browser root-program rules, 2026): planned with the internal CA %s instead; --allow-public-client-auth keeps it public for a CA that still issues it", name, clientBy, b.d.internalCA)
		return b.d.internalCA
	}
	return plan.SignerPublic
}

// eku: serverAuth + clientAuth unless the certificate is public and needs no
// clientAuth, which public CAs no longer issue (spec plan.md CMS rules 3, 4a).
func eku(signer, clientBy string) []string {
	if signer == plan.SignerPublic && clientBy == "" {
		return []string{ServerAuth}
	}
	return []string{ServerAuth, ClientAuth}
}

func (b *cmsBuild) cert(s CertSpec, clientBy string, services ...string) *plan.Certificate {
	if s.Signer == "" {
		s.Signer = b.signer(s.Name, services, clientBy)
	}
	if s.EKU == nil {
		s.EKU = eku(s.Signer, clientBy)
	}
	s.Key, s.Days, s.Subject = b.d.key, b.d.days, b.d.subject
	c := NewCert(s)
	b.p.Certificates = append(b.p.Certificates, c)
	return c
}

func (b *cmsBuild) use(c *plan.Certificate, n cmsNode, service string) {
	AddUse(c, n.name, service)
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
	c := b.cert(CertSpec{Name: n.name, CN: cn, SANs: sans}, clientBy, svcs...)
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
		spec := CertSpec{Name: n.name + "-" + sv, CN: n.fqdn, SANs: []string{n.fqdn}}
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
		addRole(c, plan.RoleCheck{Role: "cms-callbridge", CUCM: b.d.callbridgeClient, LyncFQDN: s.LyncFQDN.Value})
	case svcWebbridge:
		addRole(c, plan.RoleCheck{Role: "cms-webbridge", Names: Uniq(firstOf(s.Webbridge.Value, n.fqdn), s.Expressway.Value), Domain: webbridgeCNDomain(c, firstOf(s.Webbridge.Value, n.fqdn), s.Domain.Value)})
	case svcXMPP:
		addRole(c, plan.RoleCheck{Role: "cms-xmpp", Names: []string{n.fqdn}, Domain: s.XMPPDomain.Value})
	case svcTURN:
		r := plan.RoleCheck{Role: "cms-turn"}
		if wb := b.certOf[n.name+"/"+svcWebbridge]; wb != nil && wb != c {
			r.PeerCert = wb.Name
		}
		addRole(c, r)
	default: // webadmin, recorder, streamer: generic rules (spec roles.md)
		addRole(c, plan.RoleCheck{Role: "cms-" + sv, Names: []string{n.fqdn}})
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
	https := b.cert(CertSpec{Name: n.name + "-wb3https", CN: w.HTTPS.Value, FullChain: true}, "", svcWebbridge3)
	b.use(https, n, "webbridge3-https")
	addRole(https, plan.RoleCheck{Role: "cms-webbridge3-https", Names: []string{w.HTTPS.Value}})
	var c2w []string
	for _, s := range w.C2W {
		c2w = append(c2w, s.Value)
	}
	cw := b.cert(CertSpec{Name: n.name + "-wb3c2w", CN: c2w[0], SANs: c2w, FullChain: true,
		Signer: b.d.internalCA, EKU: []string{ServerAuth}}, "")
	b.use(cw, n, "webbridge3-c2w")
	addRole(cw, plan.RoleCheck{Role: "cms-webbridge3-c2w", Names: c2w})
}

// scheduler: a C2W client with its own full-chain certificate (spec plan.md
// CMS services, 3.3+); as a client it needs clientAuth.
func (b *cmsBuild) scheduler(n cmsNode) {
	if !n.runs(svcScheduler) {
		return
	}
	c := b.cert(CertSpec{Name: n.name + "-scheduler", CN: n.fqdn, SANs: []string{n.fqdn}, FullChain: true},
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
	c := b.cert(CertSpec{Name: name, CN: n.fqdn, SANs: []string{n.fqdn}}, "load balancer authenticating the trunk", svcLoadbalancer)
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
			tc = b.cert(CertSpec{Name: core.name + "-trunk", CN: core.fqdn, SANs: []string{core.fqdn}}, "trunk authenticating the load balancer", svcTrunk)
		}
		b.use(tc, core, svcTrunk)
		lb := b.certOf[edge.name+"/"+svcLoadbalancer]
		if lb == nil {
			continue
		}
		addRole(tc, plan.RoleCheck{Role: "cms-trunk", PeerCert: lb.Name})
		addRole(lb, plan.RoleCheck{Role: "cms-loadbalancer", PeerCert: tc.Name})
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
	server := b.cert(CertSpec{Name: "dbserver", CN: fqdns[0], SANs: fqdns[1:], Signer: b.d.dbCA,
		EKU: []string{ServerAuth, ClientAuth}}, "")
	addRole(server, plan.RoleCheck{Role: "cms-dbserver", Names: fqdns, Trust: b.d.dbCA})
	// CN must be exactly "postgres" (seed 002 §3.1.5, §4.8); no SAN, as in seed 003.
	client := b.cert(CertSpec{Name: "dbclient", CN: "postgres", Signer: b.d.dbCA, EKU: []string{ClientAuth}}, "")
	client.SANs = []string{}
	addRole(client, plan.RoleCheck{Role: "cms-dbclient", Trust: b.d.dbCA})
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

// bundleFile is the chain file installed beside c: <ca>-bundle.crt for a
// local CA, <dbca>.crt for the database CA, <name>-bundle.crt for a public
// chain after import (spec plan.md CMS rules 6, 8).
func (b *cmsBuild) bundleFile(c *plan.Certificate) string {
	switch c.Signer {
	case plan.SignerPublic:
		return c.Name + "-bundle.crt"
	case b.d.dbCA:
		return b.d.dbCA + ".crt"
	default:
		return c.Signer + "-bundle.crt"
	}
}

// bundles: CA and chain bundles (layout cms), full chains, and the trust
// bundles of rule 8 (spec plan.md CMS rule 8).
func (b *cmsBuild) bundles() {
	b.chainBundles()
	b.trustBundles()
}

func (b *cmsBuild) chainBundles() {
	for _, ca := range b.p.CAs {
		var members []string
		for _, c := range b.p.Certificates {
			if c.Signer == ca.Name {
				members = append(members, c.Name)
			}
		}
		name := ca.Name + "-bundle"
		if ca.Name == b.d.dbCA {
			name = ca.Name
		}
		b.p.Bundles = append(b.p.Bundles, plan.Bundle{Name: name, File: name + ".crt", Layout: "cms", Members: members, CA: ca.Name})
	}
	for _, c := range b.p.Certificates {
		if c.Signer == plan.SignerPublic {
			b.p.Bundles = append(b.p.Bundles, plan.Bundle{Name: c.Name + "-bundle", File: c.Name + "-bundle.crt", Layout: "cms", Members: []string{c.Name}})
		}
		if c.Files.FullChain != "" {
			b.p.Bundles = append(b.p.Bundles, plan.Bundle{Name: c.Name + "-fullchain", File: c.Files.FullChain, Layout: "fullchain", Members: []string{c.Name}})
		}
	}
}

// trustBundles: xmpptrust.crt when more than one XMPP server (seed 003
// cms1abc.cer, seed 002 §4.11.2); callbridgetrust.crt for `webbridge trust`
// (seed 002 §4.7.1 c) and the Recorder and Streamer (Table 3);
// clustertrust.crt of Web Admin certificates for `callbridge trust cluster`
// (seed 002 §4.12).
func (b *cmsBuild) trustBundles() {
	xmpp := b.certsOf(svcXMPP)
	if len(b.nodesRunning(svcXMPP)) > 1 {
		b.trust("xmpp-trust", "xmpptrust.crt", xmpp)
	}
	if b.needCallbridgeTrust() {
		b.trust("callbridge-trust", "callbridgetrust.crt", b.certsOf(svcCallbridge))
	}
	if cbs := b.nodesRunning(svcCallbridge); len(cbs) > 1 {
		var admin []string
		for _, n := range cbs {
			if c := b.certOf[n.name+"/"+svcWebadmin]; c != nil {
				admin = Uniq(append(admin, c.Name)...)
			} else {
				Warnf(b.p, "node %s runs callbridge in a cluster without webadmin: clustered Call Bridges reach each other through the Web Admin (seed 002 §2.2 Table 3, §4.12)", n.name)
			}
		}
		if len(admin) > 0 {
			b.trust("cluster-trust", "clustertrust.crt", admin)
		}
	}
}

func (b *cmsBuild) needCallbridgeTrust() bool {
	return len(b.nodesRunning(svcCallbridge)) > 0 &&
		len(b.nodesRunning(svcWebbridge))+len(b.nodesRunning(svcRecorder))+len(b.nodesRunning(svcStreamer)) > 0
}

func (b *cmsBuild) trust(name, file string, members []string) {
	b.p.Bundles = append(b.p.Bundles, plan.Bundle{Name: name, File: file, Layout: "trust", Members: members})
}

func (b *cmsBuild) nodesRunning(service string) []cmsNode {
	var out []cmsNode
	for _, n := range b.d.nodes {
		if n.runs(service) {
			out = append(out, n)
		}
	}
	return out
}

// certsOf names the distinct certificates serving service, in node order.
func (b *cmsBuild) certsOf(service string) []string {
	var names []string
	for _, n := range b.nodesRunning(service) {
		if c := b.certOf[n.name+"/"+service]; c != nil {
			names = Uniq(append(names, c.Name)...)
		}
	}
	return names
}

func (b *cmsBuild) bundleByName(name string) *plan.Bundle {
	for i := range b.p.Bundles {
		if b.p.Bundles[i].Name == name {
			return &b.p.Bundles[i]
		}
	}
	return nil
}

// installs writes install/<node>.txt for every node (spec plan.md CMS rule 9).
func (b *cmsBuild) installs() {
	for _, n := range b.d.nodes {
		w := &mmpScript{in: plan.Install{Node: n.name, File: "install/" + n.name + ".txt"}}
		b.installNode(w, n)
		if len(w.in.Commands) > 0 {
			w.finish()
			b.p.Install = append(b.p.Install, w.in)
		}
	}
}

// installNode: the guide's order per service (seed 002 chapter 4, D.3, D.4).
func (b *cmsBuild) installNode(w *mmpScript, n cmsNode) {
	b.installWebadmin(w, n)
	b.installWebbridge(w, n)
	b.installCallbridge(w, n)
	b.installXMPP(w, n)
	b.installSimple(w, n, svcTURN, "") // seed 002 §4.9
	cbTrust := ""
	if b.bundleByName("callbridge-trust") != nil {
		cbTrust = "callbridgetrust.crt"
	}
	b.installSimple(w, n, svcRecorder, cbTrust) // the Recorder trusts the Call Bridge (seed 002 Table 3)
	b.installSimple(w, n, svcStreamer, cbTrust) // so does the Streamer (seed 002 Table 3)
	b.installDatabase(w, n)
	b.installWB3(w, n)
	b.installScheduler(w, n)
	b.installLoadbalancer(w, n)
	b.installTrunk(w, n)
}

// installWebadmin: the Web Admin's certificate (seed 002 §4 "Web Admin"; the
// MMP's `webadmin certs`), then a restart to load it.
func (b *cmsBuild) installWebadmin(w *mmpScript, n cmsNode) {
	if c := b.certOf[n.name+"/"+svcWebadmin]; c != nil {
		w.certs("webadmin certs", c, b.bundleFile(c))
		w.cmd("webadmin restart")
	}
}

// installWebbridge: disable, certs, trust the Call Bridges (and the XMPP
// servers), enable (seed 002 §4.6, §4.7.1, §4.11).
func (b *cmsBuild) installWebbridge(w *mmpScript, n cmsNode) {
	c := b.certOf[n.name+"/"+svcWebbridge]
	if c == nil {
		return
	}
	w.cmd("webbridge disable")
	w.certs("webbridge certs", c, b.bundleFile(c))
	if b.bundleByName("callbridge-trust") != nil {
		w.cmd("webbridge trust callbridgetrust.crt", "callbridgetrust.crt")
	}
	if x := b.xmppTrustFile(); x != "" {
		w.cmd("webbridge trust xmpp "+x, x)
	}
	w.cmd("webbridge enable")
}

// installCallbridge: certs, trust stores for XMPP (§4.11), the cluster
// (§4.12) and C2W (D.4), then restart (seed 002 §4.7).
func (b *cmsBuild) installCallbridge(w *mmpScript, n cmsNode) {
	c := b.certOf[n.name+"/"+svcCallbridge]
	if c == nil {
		return
	}
	w.certs("callbridge certs", c, b.bundleFile(c))
	if x := b.xmppTrustFile(); x != "" {
		w.cmd("callbridge trust xmpp "+x, x)
	}
	if b.bundleByName("cluster-trust") != nil {
		w.cmd("callbridge trust cluster clustertrust.crt", "clustertrust.crt")
	}
	if c2w := b.firstCert("webbridge3-c2w"); c2w != nil {
		f := b.bundleFile(c2w)
		w.cmd("callbridge trust c2w "+f, f)
	}
	w.cmd("callbridge restart")
}

// xmppTrustFile is what Call Bridges and Web Bridges trust for XMPP: the
// bundle of all XMPP certificates, or the only one (seed 002 §4.11.1, §4.11.2).
func (b *cmsBuild) xmppTrustFile() string {
	if b.bundleByName("xmpp-trust") != nil {
		return "xmpptrust.crt"
	}
	if x := b.certsOf(svcXMPP); len(x) == 1 {
		return x[0] + ".crt"
	}
	return ""
}

func (b *cmsBuild) firstCert(service string) *plan.Certificate {
	for _, n := range b.d.nodes {
		if c := b.certOf[n.name+"/"+service]; c != nil {
			return c
		}
	}
	return nil
}

// installXMPP: disable, certs, cluster trust, enable (seed 002 §4.4; the
// XMPP cluster's trust bundle of all servers, seed 003, §4.11.2).
func (b *cmsBuild) installXMPP(w *mmpScript, n cmsNode) {
	c := b.certOf[n.name+"/"+svcXMPP]
	if c == nil {
		return
	}
	w.cmd("xmpp disable")
	w.certs("xmpp certs", c, b.bundleFile(c))
	if b.bundleByName("xmpp-trust") != nil {
		w.cmd("xmpp cluster trust xmpptrust.crt", "xmpptrust.crt")
	}
	w.cmd("xmpp enable")
}

// installSimple: disable, certs, optional trust, enable.
func (b *cmsBuild) installSimple(w *mmpScript, n cmsNode, service, trust string) {
	c := b.certOf[n.name+"/"+service]
	if c == nil {
		return
	}
	w.cmd(service + " disable")
	w.certs(service+" certs", c, b.bundleFile(c))
	if trust != "" {
		w.cmd(service+" trust "+trust, trust)
	}
	w.cmd(service + " enable")
}

// installDatabase: the server and client pair on database nodes, the client
// alone on other Call Bridges (seed 002 §4.8.1).
func (b *cmsBuild) installDatabase(w *mmpScript, n cmsNode) {
	client := b.certOf[n.name+"/"+svcDatabase]
	if client == nil {
		return
	}
	ca := b.d.dbCA + ".crt"
	server := b.byName("dbserver")
	if slices.Contains(b.d.dbNodes, n.name) {
		w.cmd(fmt.Sprintf("database cluster certs %s %s %s %s %s", server.Files.Key, server.Files.Cert,
			"dbclient.key", "dbclient.crt", ca), server.Files.Key, server.Files.Cert, "dbclient.key", "dbclient.crt", ca)
		w.check(server, ca)
	} else {
		w.cmd(fmt.Sprintf("database cluster certs dbclient.key dbclient.crt %s", ca), "dbclient.key", "dbclient.crt", ca)
	}
	w.check(b.byName("dbclient"), ca)
}

// installWB3: https and c2w certificates as full chains, trust of the Call
// Bridges' CA for C2W, enable (seed 002 D.3).
func (b *cmsBuild) installWB3(w *mmpScript, n cmsNode) {
	https, c2w := b.certOf[n.name+"/webbridge3-https"], b.certOf[n.name+"/webbridge3-c2w"]
	if https == nil || c2w == nil {
		return
	}
	w.cmd("webbridge3 disable")
	for _, x := range []struct {
		what string
		c    *plan.Certificate
	}{{"https", https}, {"c2w", c2w}} {
		w.cmd(fmt.Sprintf("webbridge3 %s certs %s %s", x.what, x.c.Files.Key, x.c.Files.FullChain), x.c.Files.Key, x.c.Files.FullChain)
		w.check(x.c, b.bundleFile(x.c))
	}
	if cb := b.firstCert(svcCallbridge); cb != nil {
		f := b.bundleFile(cb)
		w.cmd("webbridge3 c2w trust "+f, f)
	}
	w.cmd("webbridge3 enable")
}

// installScheduler: the scheduler's C2W client certificate as a full chain.
func (b *cmsBuild) installScheduler(w *mmpScript, n cmsNode) {
	if c := b.certOf[n.name+"/"+svcScheduler]; c != nil {
		w.cmd(fmt.Sprintf("scheduler c2w certs %s %s", c.Files.Key, c.Files.FullChain), c.Files.Key, c.Files.FullChain)
		w.check(c, b.bundleFile(c))
	}
}

// installLoadbalancer: per trunk reaching this edge, a load balancer trusting
// that trunk's certificate (seed 002 §4.5 steps 1-7).
func (b *cmsBuild) installLoadbalancer(w *mmpScript, n cmsNode) {
	lb := b.certOf[n.name+"/"+svcLoadbalancer]
	for _, t := range b.d.s.Trunks {
		if t.Edge.Value != n.name || lb == nil {
			continue
		}
		tag := t.Core.Value + "to" + n.name
		peer := t.Core.Value + "-trunk.crt"
		w.cmd("loadbalancer create " + tag)
		w.cmd(fmt.Sprintf("loadbalancer auth %s %s %s %s", tag, lb.Files.Key, lb.Files.Cert, peer), lb.Files.Key, lb.Files.Cert, peer)
		w.check(lb, b.bundleFile(lb))
		w.note(fmt.Sprintf("then set the trunk and public interfaces (loadbalancer trunk %s <iface>:<port>, loadbalancer public %s <iface>:<port> ...) and run loadbalancer enable %s (seed 002 §4.5 steps 4-7)", tag, tag, tag))
	}
}

// installTrunk: per trunk from this core, a trunk trusting the load
// balancer's certificate (seed 002 §4.5 steps 8-12).
func (b *cmsBuild) installTrunk(w *mmpScript, n cmsNode) {
	tc := b.certOf[n.name+"/"+svcTrunk]
	for _, t := range b.d.s.Trunks {
		edge, _ := b.d.node(t.Edge.Value)
		lb := b.certOf[edge.name+"/"+svcLoadbalancer]
		if t.Core.Value != n.name || tc == nil || lb == nil {
			continue
		}
		tag := n.name + "to" + edge.name
		w.cmd(fmt.Sprintf("trunk create %s xmpp", tag))
		w.cmd(fmt.Sprintf("trunk auth %s %s %s %s", tag, tc.Files.Key, tc.Files.Cert, lb.Files.Cert), tc.Files.Key, tc.Files.Cert, lb.Files.Cert)
		w.cmd(fmt.Sprintf("trunk edge %s %s", tag, edge.fqdn))
		w.cmd("trunk enable " + tag)
		w.check(tc, b.bundleFile(tc))
	}
}

// mmpScript collects one node's uploads, MMP commands and closing checks.
type mmpScript struct {
	in     plan.Install
	checks []string
}

// cmd adds an MMP command and the files it needs uploaded.
func (w *mmpScript) cmd(command string, files ...string) {
	w.upload(files...)
	w.in.Commands = append(w.in.Commands, command)
}

// upload adds files to upload, each once.
func (w *mmpScript) upload(files ...string) {
	for _, f := range files {
		if !slices.Contains(w.in.Uploads, f) {
			w.in.Uploads = append(w.in.Uploads, f)
		}
	}
}

// certs adds "<prefix> <key> <crt> <bundle>" (seed 002 §4.4-§4.9) and its checks.
func (w *mmpScript) certs(prefix string, c *plan.Certificate, bundle string) {
	w.cmd(fmt.Sprintf("%s %s %s %s", prefix, c.Files.Key, c.Files.Cert, bundle), c.Files.Key, c.Files.Cert, bundle)
	w.check(c, bundle)
}

// check queues `pki match` and `pki verify` for c (seed 002 §4.3; seed 003).
func (w *mmpScript) check(c *plan.Certificate, bundle string) {
	for _, line := range []string{
		fmt.Sprintf("pki match %s %s", c.Files.Key, c.Files.Cert),
		fmt.Sprintf("pki verify %s %s", c.Files.Cert, bundle),
	} {
		if !slices.Contains(w.checks, line) {
			w.checks = append(w.checks, line)
		}
	}
	w.upload(c.Files.Key, c.Files.Cert, bundle)
}

func (w *mmpScript) note(s string) {
	if !slices.Contains(w.in.Notes, s) {
		w.in.Notes = append(w.in.Notes, s)
	}
}

// finish appends the checks after the commands and the SFTP note.
func (w *mmpScript) finish() {
	w.in.Commands = append(w.in.Commands, w.checks...)
	w.in.Notes = append([]string{"upload the files with SFTP to the MMP, then run the commands over SSH (seed 002 §4.2)"}, w.in.Notes...)
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
