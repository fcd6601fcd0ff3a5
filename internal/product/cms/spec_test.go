package cms_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/product"
)

// The tests of this file cover the rules of spec plan.md that the per-product
// tests leave out, one rule (or part of one) per case.

// CMS rule 1: the signer of a combined certificate is public when any service
// using it is listed public; the CN is the node FQDN on a node without a Call
// Bridge; expressway joins the SANs of a Web Bridge node; database, trunk and
// load balancer never use the combined certificate.
func TestCMSCombinedSignerAndNames(t *testing.T) {
	y := `product: cms
domain: example.com
callbridge_cluster: cb.example.com
webbridge: join.example.com
expressway: exp.example.com
public: [webbridge]
database_cluster: {nodes: [a, b, c]}
nodes:
  - {name: a, fqdn: a.example.com, services: [callbridge, database]}
  - {name: b, fqdn: b.example.com, services: [callbridge, database]}
  - {name: c, fqdn: c.example.com, services: [callbridge, database]}
  - {name: w, fqdn: w.example.com, services: [webbridge, webadmin]}
`
	p := planOf(t, y, catalog.Options{})
	w := certNamed(t, p, "w")
	if w.CN != "w.example.com" || w.Signer != plan.SignerPublic {
		t.Errorf("w: CN %s signer %s, want the node FQDN and public", w.CN, w.Signer)
	}
	equal(t, "w SANs", w.SANs, []string{"w.example.com", "example.com", "join.example.com", "exp.example.com"})
	a := certNamed(t, p, "a")
	if a.CN != "cb.example.com" || a.Signer != "exampleca" {
		t.Errorf("a: CN %s signer %s, want the cluster name and the internal CA", a.CN, a.Signer)
	}
	for _, u := range a.UsedBy {
		if u.Service != "callbridge" {
			t.Errorf("combined certificate a used by %v: database is not a combined service", u)
		}
	}
}

// CMS rule 2: TURN is signed by the Web Bridge's signer (§3.1.6), whatever
// public says of turn; the Streamer's CN is the node FQDN.
func TestCMSPerServiceTURNFollowsWebBridge(t *testing.T) {
	y := `product: cms
domain: example.com
certificates: per-service
webbridge: join.example.com
public: [webbridge]
nodes:
  - {name: a, fqdn: a.example.com, services: [webbridge, turn, streamer]}
`
	p := planOf(t, y, catalog.Options{})
	if wb, turn := certNamed(t, p, "a-webbridge"), certNamed(t, p, "a-turn"); turn.Signer != wb.Signer || turn.Signer != plan.SignerPublic {
		t.Errorf("turn signer %s, webbridge signer %s: want both public", turn.Signer, wb.Signer)
	}
	if s := certNamed(t, p, "a-streamer"); s.CN != "a.example.com" {
		t.Errorf("streamer CN %s, want the node FQDN", s.CN)
	}
	onlyTURN := strings.Replace(y, "public: [webbridge]", "public: [turn]", 1)
	p = planOf(t, onlyTURN, catalog.Options{})
	if turn := certNamed(t, p, "a-turn"); turn.Signer != "exampleca" || !hasWarning(p, "turn follows webbridge") {
		t.Errorf("public: [turn] alone: turn signer %s, warnings %q", turn.Signer, p.Warnings)
	}
}

// CMS rule 3: an internal Call Bridge certificate without CUCM or Web Bridge 3
// still carries serverAuth + clientAuth ("elsewhere").
func TestCMSInternalEKUElsewhere(t *testing.T) {
	y := "product: cms\ndomain: example.com\nnodes:\n  - {name: a, fqdn: a.example.com, services: [callbridge]}\n"
	equal(t, "EKU", certNamed(t, planOf(t, y, catalog.Options{}), "a").ExtKeyUsage, []string{"serverAuth", "clientAuth"})
}

// CMS rule 4a: certificates that need clientAuth (database, trunk, load
// balancer) stay internal when listed public, with a warning.
func TestCMSPublicClientAuthStaysInternal(t *testing.T) {
	y := `product: cms
domain: example.com
xmpp_domain: example.com
public: [loadbalancer, trunk, database]
database_cluster: {nodes: [core1]}
nodes:
  - {name: core1, fqdn: core1.example.com, services: [callbridge, xmpp, database]}
  - {name: edge1, fqdn: edge1.example.com, services: [loadbalancer]}
trunks: [{core: core1, edge: edge1}]
`
	p := planOf(t, y, catalog.Options{})
	for name, signer := range map[string]string{"edge1": "exampleca", "core1-trunk": "exampleca", "dbserver": "example-dbca", "dbclient": "example-dbca"} {
		if c := certNamed(t, p, name); c.Signer != signer || !slices.Contains(c.ExtKeyUsage, "clientAuth") {
			t.Errorf("%s: signer %s EKU %v, want %s with clientAuth", name, c.Signer, c.ExtKeyUsage, signer)
		}
	}
	for _, w := range []string{"edge1 needs clientAuth", "core1-trunk needs clientAuth", "public lists database"} {
		if !hasWarning(p, w) {
			t.Errorf("no warning %q in %q", w, p.Warnings)
		}
	}
	p = planOf(t, y, catalog.Options{AllowPublicClientAuth: product.On})
	if c := certNamed(t, p, "edge1"); c.Signer != plan.SignerPublic {
		t.Errorf("--allow-public-client-auth: edge1 signer %s, want public", c.Signer)
	}
}

// CMS rule 6: dbserver has serverAuth + clientAuth; the dedicated CA defaults
// to <domain's first label>-dbca (issue 10 item 6) and is listed apart from
// the internal CA, both with ca_key's type, with the cluster it serves.
func TestCMSDatabaseCA(t *testing.T) {
	y := strings.Replace(lab, "domain:", "ca_key: ecdsa-p256\ndomain:", 1)
	p := planOf(t, y, catalog.Options{})
	equal(t, "dbserver EKU", certNamed(t, p, "dbserver").ExtKeyUsage, []string{"serverAuth", "clientAuth"})
	want := []plan.CA{
		{Name: "pod2ca", KeyType: "ecdsa-p256", Purpose: "internal"},
		{Name: "pod2-dbca", KeyType: "ecdsa-p256", Purpose: "database cluster", Cluster: "pod2.cms.lab: cms1a.pod2.cms.lab, cms1b.pod2.cms.lab, cms1c.pod2.cms.lab"},
	}
	if !slices.Equal(p.CAs, want) {
		t.Errorf("CAs %+v, want %+v", p.CAs, want)
	}
	if p := planOf(t, lab, catalog.Options{}); p.CAs[0].KeyType != "rsa2048" {
		t.Errorf("default ca_key %s, want rsa2048", p.CAs[0].KeyType)
	}
}

// CMS rule 8: <ca>-bundle.crt (layout cms) for the internal CA, and
// <name>-bundle.crt for each public chain.
func TestCMSChainBundles(t *testing.T) {
	y := `product: cms
domain: example.com
certificates: per-service
webbridge: join.example.com
public: [webbridge]
nodes:
  - {name: a, fqdn: a.example.com, services: [callbridge, webbridge]}
`
	p := planOf(t, y, catalog.Options{})
	ca := bundleNamed(p, "exampleca-bundle")
	if ca == nil || ca.File != "exampleca-bundle.crt" || ca.Layout != "cms" || ca.CA != "exampleca" {
		t.Errorf("internal CA bundle %+v", ca)
	}
	pub := bundleNamed(p, "a-webbridge-bundle")
	if pub == nil || pub.File != "a-webbridge-bundle.crt" || pub.Layout != "cms" || !slices.Equal(pub.Members, []string{"a-webbridge"}) {
		t.Errorf("public chain bundle %+v", pub)
	}
	if cb := bundleNamed(p, "callbridge-trust"); cb == nil || cb.File != "callbridgetrust.crt" || !slices.Equal(cb.Members, []string{"a-callbridge"}) {
		t.Errorf("callbridge trust bundle %+v", cb)
	}
}

// CMS: version 3.x refuses the load balancer too, pointing to webbridge3.
func TestCMS3RefusesLoadBalancer(t *testing.T) {
	de := problemsOf(t, "product: cms\nversion: \"3.0\"\ndomain: example.com\nnodes:\n  - {name: e, fqdn: e.example.com, services: [loadbalancer]}\n")
	if !strings.Contains(de.Error(), "test.yaml:5: ") || !strings.Contains(de.Error(), "webbridge3") {
		t.Errorf("problems:\n%v", de)
	}
}

// CMS rule 1 with lync_fqdn (the spec's own example sets both lync_fqdn and
// callbridge_cluster): a combined certificate has one CN, and the Lync Front
// End trusts only a certificate whose CN is the trusted-application FQDN
// (§3.1.1), so the CN is lync_fqdn, the Call Bridge cluster name stays among
// the SANs, and a warning says so; the plan is not refused. Equal names, or
// callbridge_cluster alone, keep rule 1 as it is.
func TestCMSCombinedLyncAndCluster(t *testing.T) {
	const head = "product: cms\ndomain: example.com\nnodes:\n  - {name: a, fqdn: a.example.com, services: [callbridge, webadmin]}\n"
	tests := []struct {
		name, extra, cn string
		sans            []string
		warn            bool
	}{
		{"both, different", "callbridge_cluster: cb.example.com\nlync_fqdn: lync.example.com\n", "lync.example.com",
			[]string{"a.example.com", "example.com", "cb.example.com", "lync.example.com"}, true},
		{"both, equal", "callbridge_cluster: cb.example.com\nlync_fqdn: cb.example.com\n", "cb.example.com",
			[]string{"a.example.com", "example.com", "cb.example.com"}, false},
		{"cluster only", "callbridge_cluster: cb.example.com\n", "cb.example.com",
			[]string{"a.example.com", "example.com", "cb.example.com"}, false},
		{"lync only", "lync_fqdn: lync.example.com\n", "lync.example.com",
			[]string{"a.example.com", "example.com", "lync.example.com"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := planOf(t, head+tt.extra, catalog.Options{})
			a := certNamed(t, p, "a")
			if a.CN != tt.cn {
				t.Errorf("CN %s, want %s", a.CN, tt.cn)
			}
			equal(t, "SANs", a.SANs, tt.sans)
			if got := hasWarning(p, "lync_fqdn"); got != tt.warn {
				t.Errorf("warning about lync_fqdn %v, want %v: %q", got, tt.warn, p.Warnings)
			}
		})
	}
}
