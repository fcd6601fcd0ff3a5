package cms

import (
	"fmt"
	"net"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/product"
	"github.com/confcert/confcert/internal/release"
	"github.com/confcert/confcert/internal/strictyaml"
)

// Product is Cisco Meeting Server 2.x and 3.x (spec plan.md "Cisco Meeting
// Server"; seed 002, the Meeting Server 2.9 certificate guidelines; seed 003,
// the 3-node lab).
type Product struct{}

// Name implements product.Product.
func (Product) Name() string { return "cms" }

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
	Product           strictyaml.Str      `key:"product,required"`
	Version           strictyaml.Str      `key:"version"`
	Domain            strictyaml.Str      `key:"domain,required"`
	Key               strictyaml.Str      `key:"key"`
	Days              strictyaml.Int      `key:"days"`
	Subject           product.SubjectSpec `key:"subject"`
	InternalCA        strictyaml.Str      `key:"internal_ca"`
	CAServer          strictyaml.Str      `key:"ca_server"`
	CAKey             strictyaml.Str      `key:"ca_key"`
	Public            []strictyaml.Str    `key:"public"`
	Certificates      strictyaml.Str      `key:"certificates"`
	CallbridgeCluster strictyaml.Str      `key:"callbridge_cluster"`
	XMPPDomain        strictyaml.Str      `key:"xmpp_domain"`
	Webbridge         strictyaml.Str      `key:"webbridge"`
	Expressway        strictyaml.Str      `key:"expressway"`
	CUCM              strictyaml.Bool     `key:"cucm"`
	LyncFQDN          strictyaml.Str      `key:"lync_fqdn"`
	Webbridge3        *wb3Spec            `key:"webbridge3"`
	DatabaseCluster   *dbSpec             `key:"database_cluster"`
	Nodes             []nodeSpec          `key:"nodes,required"`
	Trunks            []trunkSpec         `key:"trunks"`
	// XMPPSRVTarget is the host the _xmpp-client SRV record names (split: the
	// edge); the dedicated XMPP certificate's CN (seed 002 §3.1 points to note).
	XMPPSRVTarget strictyaml.Str `key:"xmpp_srv_target"`
	// AllowPublicClientAuth keeps public a certificate that needs clientAuth
	// (spec plan.md CMS rule 4a, "Phases and flags").
	AllowPublicClientAuth strictyaml.Bool `key:"allow_public_client_auth"`
	Line                  int             `key:",line"`
}

type wb3Spec struct {
	HTTPS strictyaml.Str `key:"https,required"`
	// C2WPort is the port of every Web Bridge 3's `webbridge3 c2w listen`
	// and c2w:// URL (seed 002 D.3 step 6; default 9999, the guide's example).
	C2WPort strictyaml.Int `key:"c2w_port"`
	// C2W is the older, deployment-wide list of C2W names: accepted only when
	// one node runs webbridge3, since the names are per node (D.1).
	C2W  []strictyaml.Str `key:"c2w"`
	Line int              `key:",line"`
}

type dbSpec struct {
	Nodes []strictyaml.Str `key:"nodes,required"`
	CA    strictyaml.Str   `key:"ca"`
	Line  int              `key:",line"`
}

type nodeSpec struct {
	Name     strictyaml.Str   `key:"name,required"`
	FQDN     strictyaml.Str   `key:"fqdn,required"`
	Services []strictyaml.Str `key:"services,required"`
	// C2W are the names or IPs of this Web Bridge 3's c2w:// URL (seed 002
	// D.1); default the node FQDN.
	C2W  []strictyaml.Str `key:"c2w"`
	Line int              `key:",line"`
}

type trunkSpec struct {
	Core strictyaml.Str `key:"core,required"`
	Edge strictyaml.Str `key:"edge,required"`
	Line int            `key:",line"`
}

// cmsNode is a checked node.
type cmsNode struct {
	name, fqdn string
	services   []string
	c2w        []string // the names of this Web Bridge 3's c2w:// URL (D.1)
	line       int
}

func (n cmsNode) runs(service string) bool { return slices.Contains(n.services, service) }

// cmsDeploy is a checked deployment.
type cmsDeploy struct {
	s                  *cmsSpec
	o                  product.Options
	version            string
	v                  release.Version
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
	// c2wPort is the Web Bridge 3 C2W port (seed 002 D.3 step 6).
	c2wPort int
	// allowPublicClientAuth: the deployment file's choice, or the flag that
	// overrides it for this run (spec plan.md CMS rule 4a).
	allowPublicClientAuth bool
}

// Plan implements product.Product.
func (Product) Plan(doc *yaml.Node, o product.Options) (*plan.Plan, []strictyaml.Problem) {
	s, probs := product.Decode[cmsSpec](doc)
	if probs != nil {
		return nil, probs
	}
	d, bad := checkCMS(s, o)
	if len(bad) > 0 {
		return nil, bad
	}
	b := newCMSBuild(d)
	b.build()
	return product.Finish(b.p, s.Line)
}

// ParseVersion reads a Meeting Server version, for `plan` and `check` alike:
// MAJOR.MINOR, 2.x or 3.x (spec plan.md "Cisco Meeting Server").
func ParseVersion(s string) (release.Version, error) {
	if !release.PlainParts(s) || strings.TrimSpace(s) != s {
		return release.Version{}, fmt.Errorf("version %q: write the Meeting Server version as 2.x or 3.x, e.g. \"2.9\" or \"3.8\"", s)
	}
	v, err := release.Parse(s)
	if err != nil {
		return v, err
	}
	if v.Major != 2 && v.Major != 3 {
		return v, fmt.Errorf("version %q: confcert plans Meeting Server 2.x and 3.x", s)
	}
	return v, nil
}

// checkCMS checks everything the deployment file says.
func checkCMS(s *cmsSpec, o product.Options) (*cmsDeploy, product.Problems) {
	var p product.Problems
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

func (d *cmsDeploy) checkGlobals(p *product.Problems) {
	s := d.s
	d.version = "2.9"
	if s.Version.Value != "" {
		d.version = s.Version.Value
	}
	v, err := ParseVersion(d.version)
	if err != nil {
		p.Add(s.Version.Line, "%v", err)
	}
	d.v = v
	d.key = product.KeyType(s.Key, "key", false, p)
	d.caKey = product.KeyType(s.CAKey, "ca_key", false, p)
	d.days = product.ValidityDays(s.Days, p)
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
func (d *cmsDeploy) checkNames(p *product.Problems) {
	s := d.s
	for _, n := range []struct {
		key string
		v   strictyaml.Str
	}{{"domain", s.Domain}, {"callbridge_cluster", s.CallbridgeCluster}, {"xmpp_domain", s.XMPPDomain},
		{"webbridge", s.Webbridge}, {"expressway", s.Expressway}, {"lync_fqdn", s.LyncFQDN}, {"xmpp_srv_target", s.XMPPSRVTarget}} {
		if n.v.Value == "" {
			continue
		}
		if err := product.CheckDNSName(n.v.Value); err != nil {
			p.Add(n.v.Line, "%s: %v", n.key, err)
		}
	}
	d.internalCA = s.InternalCA.Value
	if d.internalCA == "" {
		// Default internal CA: <domain's first label>ca (spec plan.md CMS example).
		d.internalCA = product.FirstLabel(s.Domain.Value) + "ca"
	}
	product.CheckCAName(strictyaml.Str{Value: d.internalCA, Line: max(s.InternalCA.Line, s.Domain.Line)}, "internal_ca", p)
	product.CheckCAServer(s.CAServer, p)
}

// lyncOverCluster says whether the combined Call Bridge certificates take
// lync_fqdn as CN instead of the Call Bridge cluster name rule 1 gives, and
// keep that name among the SANs: a certificate has one CN, and the Lync
// Front End trusts only the trusted-application FQDN as CN (seed 002 §3.1.1).
func (d *cmsDeploy) lyncOverCluster() bool {
	cl, ly := d.s.CallbridgeCluster.Value, d.s.LyncFQDN.Value
	return !d.perService && cl != "" && ly != "" && !strings.EqualFold(cl, ly)
}

func (d *cmsDeploy) checkNodes(p *product.Problems) {
	if len(d.s.Nodes) == 0 {
		p.Add(d.s.Line, "nodes is empty: list every Meeting Server with its name, fqdn and services")
	}
	names, fqdns := map[string]bool{}, map[string]bool{}
	for _, ns := range d.s.Nodes {
		n := cmsNode{name: ns.Name.Value, fqdn: ns.FQDN.Value, line: ns.Line}
		if err := product.CheckFileBase(n.name); err != nil {
			p.Add(ns.Name.Line, "node name: %v", err)
		}
		if names[n.name] {
			p.Add(ns.Name.Line, "duplicate node name %q: each node needs its own name", n.name)
		}
		names[n.name] = true
		if err := product.CheckHost(n.fqdn, true); err != nil {
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

func (d *cmsDeploy) checkServices(ns nodeSpec, p *product.Problems) []string {
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
func (d *cmsDeploy) checkServiceVersion(sv strictyaml.Str, p *product.Problems) {
	switch {
	case sv.Value == svcWebbridge3 && d.before(2, 9):
		p.Add(sv.Line, "webbridge3 needs version 2.9 or later (Cisco Meeting Server Certificate Guidelines 2.9, Appendix D)")
	case sv.Value == svcScheduler && d.before(3, 3):
		p.Add(sv.Line, "scheduler needs version 3.3 or later")
	}
}

// before reports whether the version is older than major.minor.
func (d *cmsDeploy) before(major, minor int) bool { return d.v.Before(major, minor) }

// checkNodeNeeds checks what the nodes' services require of the deployment.
func (d *cmsDeploy) checkNodeNeeds(p *product.Problems) {
	for i, n := range d.nodes {
		d.hasWB3 = d.hasWB3 || n.runs(svcWebbridge3)
		d.hasWB2 = d.hasWB2 || n.runs(svcWebbridge)
		// No IP address in any certificate the XMPP server uses (seed 002 §4.11.1 note).
		if n.runs(svcXMPP) && net.ParseIP(n.fqdn) != nil {
			p.Add(d.s.Nodes[i].FQDN.Line, "node %s runs xmpp, so its fqdn must be a DNS name: no IP address may be in an XMPP certificate (Cisco Meeting Server Certificate Guidelines 2.9, §4.11.1 note)", n.name)
		}
		// The XMPP domain must be in the XMPP certificate's SANs (seed 002 §3.1.3, Table 4).
		if n.runs(svcXMPP) && d.s.XMPPDomain.Value == "" && d.v.Major < 3 {
			p.Add(d.s.Nodes[i].Line, "node %s runs xmpp: set xmpp_domain (the domain users log in with), which every XMPP certificate must carry (Cisco Meeting Server Certificate Guidelines 2.9, §3.1.3)", n.name)
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
func (d *cmsDeploy) checkRemovedIn3(p *product.Problems) {
	if d.v.Major < 3 {
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
		v   strictyaml.Str
	}{{"xmpp_domain", d.s.XMPPDomain}, {"webbridge", d.s.Webbridge}, {"expressway", d.s.Expressway}} {
		if k.v.Value != "" {
			p.Add(k.v.Line, "%s with version %s: %s", k.key, d.version, why)
		}
	}
	if len(d.s.Trunks) > 0 {
		p.Add(d.s.Trunks[0].Line, "trunks with version %s: %s", d.version, why)
	}
}

// checkDatabase checks the database cluster (seed 002 §3.1.5, §4.8; seed 003).
func (d *cmsDeploy) checkDatabase(p *product.Problems) {
	db := d.s.DatabaseCluster
	if db == nil {
		d.checkNoCluster(p)
		return
	}
	if d.before(2, 7) {
		p.Add(db.Line, "database_cluster: database cluster certificates exist from version 2.7 (Cisco Meeting Server Certificate Guidelines 2.9, §3.1.5); set version")
	}
	// Default <domain's first label>-dbca: a database CA is dedicated to one
	// cluster across the whole CA store (spec plan.md CMS rule 6), so the
	// default names the deployment rather than being one shared "dbca".
	d.dbCA = product.FirstLabel(d.s.Domain.Value) + "-dbca"
	if db.CA.Value != "" {
		d.dbCA = db.CA.Value
		product.CheckCAName(db.CA, "database_cluster ca", p)
	}
	// A dedicated CA for the database cluster, never used for anything else
	// (seed 002 §4.8 caution, §1.2.3).
	if d.dbCA == d.internalCA {
		p.Add(max(db.CA.Line, db.Line), "database_cluster ca %q is the internal CA: the database cluster needs a dedicated root CA used for nothing else (%s caution); choose another name, e.g. %s", d.dbCA, cite("§4.8"), product.FirstLabel(d.s.Domain.Value)+"-dbca")
	}
	d.checkClusterNodes(db, p)
	d.checkClusterSize(db, p)
}

func (d *cmsDeploy) checkClusterNodes(db *dbSpec, p *product.Problems) {
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
		if n.runs(svcDatabase) && !slices.ContainsFunc(db.Nodes, func(s strictyaml.Str) bool { return s.Value == n.name }) {
			p.Add(n.line, "node %s runs database but is not in database_cluster nodes", n.name)
		}
	}
}

// checkClusterSize: 3 to 5 database nodes for redundancy (seed 003).
func (d *cmsDeploy) checkClusterSize(db *dbSpec, p *product.Problems) {
	switch n := len(db.Nodes); {
	case n == 0:
		p.Add(db.Line, "database_cluster nodes is empty")
	case n > 5:
		p.Add(db.Line, "database_cluster has %d nodes: a database cluster has at most 5 (the Cisco Meeting Server 3-node cluster certificate lab)", n)
	case n < 3:
		d.warnings = append(d.warnings, fmt.Sprintf("database_cluster has %d nodes: a database cluster needs at least 3 for redundancy (the Cisco Meeting Server 3-node cluster certificate lab)", n))
	}
}

// checkNoCluster: several database nodes without database_cluster cannot
// replicate, since cluster certificates are required from 2.7 (seed 002 §3.1.5).
func (d *cmsDeploy) checkNoCluster(p *product.Problems) {
	var db []cmsNode
	for _, n := range d.nodes {
		if n.runs(svcDatabase) {
			db = append(db, n)
		}
	}
	if len(db) > 1 {
		p.Add(db[1].line, "%d nodes run database: add database_cluster: {nodes: [...]} so that confcert plans the cluster's certificates (Cisco Meeting Server Certificate Guidelines 2.9, §3.1.5)", len(db))
	}
}

func (d *cmsDeploy) checkTrunks(p *product.Problems) {
	seen := map[string]bool{}
	for _, t := range d.s.Trunks {
		core, okC := d.node(t.Core.Value)
		edge, okE := d.node(t.Edge.Value)
		switch {
		case !okC:
			p.Add(t.Core.Line, "trunks: no node is named %q", t.Core.Value)
		case !core.runs(svcXMPP) && d.v.Major < 3:
			p.Add(t.Core.Line, "trunks: core %s does not run xmpp: the trunk carries XMPP from the core to the edge's load balancer (Cisco Meeting Server Certificate Guidelines 2.9, §3.1.4, §4.5)", core.name)
		}
		switch {
		case !okE:
			p.Add(t.Edge.Line, "trunks: no node is named %q", t.Edge.Value)
		case !edge.runs(svcLoadbalancer) && d.v.Major < 3:
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

// runsAnywhere reports whether any node runs service.
func (d *cmsDeploy) runsAnywhere(service string) bool {
	return slices.ContainsFunc(d.nodes, func(n cmsNode) bool { return n.runs(service) })
}

// srvTarget is the host the _xmpp-client SRV record names, the CN of a
// dedicated XMPP certificate (seed 002 §3.1 "points to note"): xmpp_srv_target
// when set; in a split deployment the edge the core trunks to; else the node.
func (d *cmsDeploy) srvTarget(n cmsNode) string {
	if t := d.s.XMPPSRVTarget.Value; t != "" {
		return t
	}
	for _, t := range d.s.Trunks {
		if t.Core.Value == n.name {
			if edge, ok := d.node(t.Edge.Value); ok {
				return edge.fqdn
			}
		}
	}
	return n.fqdn
}

// clusterID names the database cluster its dedicated CA serves: the domain
// and the database nodes' FQDNs (spec plan.md CMS rule 6).
func (d *cmsDeploy) clusterID() string {
	var fqdns []string
	for _, name := range d.dbNodes {
		if n, ok := d.node(name); ok {
			fqdns = append(fqdns, n.fqdn)
		}
	}
	slices.Sort(fqdns)
	return plan.ClusterID(d.s.Domain.Value, fqdns)
}
