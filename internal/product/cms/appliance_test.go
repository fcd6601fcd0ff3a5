package cms_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/plan"
)

// The tests of issue 10: what an administrator follows on the Meeting Server
// must work there. Each cites the section of the Cisco Meeting Server
// Certificate Guidelines 2.9 it proves.

const wb3Cluster = `product: cms
version: "2.9"
domain: example.com
callbridge_cluster: cms.example.com
public: [webbridge3]
webbridge3: {https: join.example.com, c2w_port: 4443}
nodes:
  - {name: cb1, fqdn: cb1.example.com, services: [callbridge, webadmin]}
  - {name: cb2, fqdn: cb2.example.com, services: [callbridge, webadmin]}
  - {name: wb3a, fqdn: wb3a.example.com, services: [webbridge3], c2w: [wb3a.example.com, 10.0.0.31]}
  - {name: wb3b, fqdn: wb3b.example.com, services: [webbridge3]}
`

// Item 3, D.1: "The SAN/CN must match the FQDN or IP address that is used in
// the c2w:// url": each Web Bridge 3 has its own C2W certificate names.
func TestCMSWebBridge3C2WPerNodeD1(t *testing.T) {
	p := planOf(t, wb3Cluster, catalog.Options{})
	a, b := certNamed(t, p, "wb3a-wb3c2w"), certNamed(t, p, "wb3b-wb3c2w")
	equal(t, "wb3a C2W names", a.SANs, []string{"wb3a.example.com", "10.0.0.31"})
	equal(t, "wb3b C2W names (default the FQDN)", b.SANs, []string{"wb3b.example.com"})
	if a.CN != "wb3a.example.com" || b.CN != "wb3b.example.com" {
		t.Errorf("CNs %s %s", a.CN, b.CN)
	}
}

// Item 3, D.1: two nodes never share a C2W name; a deployment-wide c2w list
// with two Web Bridge 3 nodes is refused with the way out.
func TestCMSWebBridge3SharedC2WRefusedD1(t *testing.T) {
	shared := strings.Replace(wb3Cluster, "services: [webbridge3]}\n", "services: [webbridge3], c2w: [wb3a.example.com]}\n", 1)
	if de := problemsOf(t, shared); !strings.Contains(de.Error(), "c2w wb3a.example.com is also node wb3a's") {
		t.Errorf("shared name: %v", de)
	}
	global := strings.Replace(wb3Cluster, "c2w_port: 4443}", "c2w: [wb3.example.com]}", 1)
	if de := problemsOf(t, global); !strings.Contains(de.Error(), "2 nodes run webbridge3") || !strings.Contains(de.Error(), "each node's c2w") {
		t.Errorf("global list: %v", de)
	}
}

// Item 3, D.3 steps 6-8 and D.4 steps 3 and 5: the Web Bridge 3 listens for
// C2W, trusts the Call Bridges' CA; each Call Bridge trusts the Web Bridges'
// C2W CA and registers every Web Bridge 3 by its own URL, last.
func TestCMSWebBridge3InstallD3D4(t *testing.T) {
	p := planOf(t, wb3Cluster, catalog.Options{})
	wb := installOf(t, p, "wb3a")
	for _, want := range []string{"webbridge3 c2w listen a:4443", "webbridge3 c2w certs wb3a-wb3c2w.key wb3a-wb3c2w-fullchain.crt", "webbridge3 c2w trust exampleca-bundle.crt"} {
		if !slices.Contains(wb.Commands, want) {
			t.Errorf("wb3a lacks %q: %q", want, wb.Commands)
		}
	}
	cb := installOf(t, p, "cb1")
	if !slices.Contains(cb.Commands, "callbridge trust c2w exampleca-bundle.crt") {
		t.Errorf("cb1 does not trust the C2W CA: %q", cb.Commands)
	}
	n := len(cb.Commands)
	equal(t, "cb1 ends with the registrations", cb.Commands[n-2:], []string{
		"API: POST /api/v1/webbridges url=c2w://wb3a.example.com:4443",
		"API: POST /api/v1/webbridges url=c2w://wb3b.example.com:4443"})
}

const cucmPublicWB = `product: cms
domain: example.com
callbridge_cluster: cms.example.com
xmpp_domain: example.com
webbridge: join.example.com
cucm: true
public: [webbridge]
nodes:
  - {name: cms1, fqdn: cms1.example.com, services: [callbridge, webadmin, webbridge, xmpp]}
`

// Item 4, §3.1 and Table 2: a combined certificate whose Web Bridge is
// public and whose Call Bridge needs clientAuth for Unified CM is split, so
// WebRTC browsers meet a public certificate; and the split is said.
func TestCMSCombinedSplitsPublicFromCUCMTable2(t *testing.T) {
	p := planOf(t, cucmPublicWB, catalog.Options{})
	in, pub := certNamed(t, p, "cms1"), certNamed(t, p, "cms1-public")
	if in.Signer != "exampleca" || !slices.Contains(in.ExtKeyUsage, "clientAuth") {
		t.Errorf("cms1: signer %s EKU %v", in.Signer, in.ExtKeyUsage)
	}
	if pub.Signer != plan.SignerPublic || pub.CN != "join.example.com" || slices.Contains(pub.ExtKeyUsage, "clientAuth") {
		t.Errorf("cms1-public: %+v", pub)
	}
	for _, u := range pub.UsedBy {
		if u.Service != "webbridge" {
			t.Errorf("cms1-public serves %s", u.Service)
		}
	}
	if !hasWarning(p, "split into cms1 (callbridge, webadmin, xmpp, internal CA exampleca) and cms1-public (webbridge, public CA)") {
		t.Errorf("the split is not said: %q", p.Warnings)
	}
	if !slices.Contains(installOf(t, p, "cms1").Commands, "webbridge certs cms1-public.key cms1-public.crt cms1-public-bundle.crt") {
		t.Errorf("the Web Bridge does not get the public certificate: %q", installOf(t, p, "cms1").Commands)
	}
}

// Item 4, §3.1.6: "turn follows webbridge" is only said when a node runs TURN.
func TestCMSTurnWarningOnlyWithTURN(t *testing.T) {
	y := strings.Replace(cucmPublicWB, "public: [webbridge]", "public: [webbridge, turn]", 1)
	y = strings.Replace(y, "cucm: true", "cucm: false", 1)
	if p := planOf(t, strings.Replace(y, "public: [webbridge, turn]", "public: [turn]", 1), catalog.Options{}); hasWarning(p, "turn follows webbridge") {
		t.Errorf("warned without TURN: %q", p.Warnings)
	}
}

const twoEdges = `product: cms
domain: example.com
xmpp_domain: example.com
certificates: per-service
nodes:
  - {name: core1, fqdn: core1.example.com, services: [callbridge, xmpp]}
  - {name: core2, fqdn: core2.example.com, services: [callbridge, xmpp]}
  - {name: edge1, fqdn: edge1.example.com, services: [loadbalancer]}
  - {name: edge2, fqdn: edge2.example.com, services: [loadbalancer]}
trunks: [{core: core1, edge: edge1}, {core: core2, edge: edge1}, {core: core1, edge: edge2}]
`

// Item 5, §4.5 note ("Each Edge server can accept multiple trunks from
// multiple Core servers"): one load balancer per edge, trusting a bundle of
// every trunk that reaches it.
func TestCMSOneLoadBalancerPerEdge45(t *testing.T) {
	p := planOf(t, twoEdges, catalog.Options{})
	in := installOf(t, p, "edge1")
	creates := slices.DeleteFunc(slices.Clone(in.Commands), func(c string) bool { return !strings.HasPrefix(c, "loadbalancer create") })
	equal(t, "edge1 load balancers", creates, []string{"loadbalancer create edge1"})
	if !slices.Contains(in.Commands, "loadbalancer auth edge1 edge1.key edge1.crt edge1-trunktrust.crt") {
		t.Errorf("edge1: %q", in.Commands)
	}
	b := bundleNamed(p, "edge1-trunk-trust")
	if b == nil || b.File != "edge1-trunktrust.crt" || b.Layout != "trust" {
		t.Fatalf("bundle %+v", b)
	}
	equal(t, "edge1 trunk trust", b.Members, []string{"core1-trunk", "core2-trunk"})
	equal(t, "edge2 trunk trust", bundleNamed(p, "edge2-trunk-trust").Members, []string{"core1-trunk"})
}

// Item 5, §3.1.4: "the Core server hosting the XMPP service will require a
// trunk to each Load Balancer": a missing pair is a warning naming it.
func TestCMSWarnsCoreWithoutTrunk314(t *testing.T) {
	p := planOf(t, twoEdges, catalog.Options{})
	if !hasWarning(p, "core core2 runs xmpp but does not trunk to the load balancer on edge2") {
		t.Errorf("warnings %q", p.Warnings)
	}
	if hasWarning(p, "core core1 runs xmpp but does not trunk") {
		t.Errorf("core1 trunks to both: %q", p.Warnings)
	}
}

// Item 9, §3.1 "points to note": a dedicated XMPP certificate's CN is the
// FQDN of the DNS SRV record (in a split deployment, the edge), its SANs the
// XMPP domain and the SRV target.
func TestCMSXMPPCNIsSRVTarget31(t *testing.T) {
	p := planOf(t, twoEdges, catalog.Options{})
	c := certNamed(t, p, "core1-xmpp")
	if c.CN != "edge1.example.com" {
		t.Errorf("core1-xmpp CN %s, want the edge it trunks to", c.CN)
	}
	equal(t, "core1-xmpp SANs", c.SANs, []string{"core1.example.com", "example.com", "edge1.example.com"})
	p = planOf(t, twoEdges+"xmpp_srv_target: xmpp.example.com\n", catalog.Options{})
	if c := certNamed(t, p, "core2-xmpp"); c.CN != "xmpp.example.com" {
		t.Errorf("xmpp_srv_target: CN %s", c.CN)
	}
}

// Item 10, §4.2-§4.12 and spec rule 9: five parts. Uploads mark what exists
// only after --import; checks (pki list, match, verify) come before any
// change; the configuration is recorded; each change is followed by the
// MMP's success line; rollback restores the record.
func TestCMSInstallFiveParts(t *testing.T) {
	p := planOf(t, cucmPublicWB, catalog.Options{})
	in := installOf(t, p, "cms1")
	if !slices.Contains(in.Pending, "cms1-public.crt") || slices.Contains(in.Pending, "cms1.crt") {
		t.Errorf("pending %q", in.Pending)
	}
	if in.Checks[0] != "pki list" || !slices.Contains(in.Checks, "pki match cms1.key cms1.crt") || !slices.Contains(in.Checks, "pki verify cms1-public.crt cms1-public-bundle.crt") {
		t.Errorf("checks %q", in.Checks)
	}
	for _, want := range []string{"webadmin", "webbridge", "callbridge", "xmpp", "tls sip"} {
		if !slices.Contains(in.Record, want) {
			t.Errorf("record lacks %q: %q", want, in.Record)
		}
	}
	if len(in.Expect) != len(in.Commands) {
		t.Fatalf("%d success lines for %d commands", len(in.Expect), len(in.Commands))
	}
	expect := map[string]string{
		"webbridge enable":   "SUCCESS: Webbridge enabled",
		"callbridge restart": "SUCCESS: listen interface configured",
		"xmpp enable":        "SUCCESS: XMPP server enabled",
	}
	for i, c := range in.Commands {
		if want, ok := expect[c]; ok && !strings.Contains(in.Expect[i], want) {
			t.Errorf("%s: success line %q, want %q", c, in.Expect[i], want)
		}
	}
	if !slices.ContainsFunc(in.Rollback, func(r string) bool { return strings.HasPrefix(r, "callbridge certs <the files part 3 recorded>") }) {
		t.Errorf("rollback %q", in.Rollback)
	}
}

// Item 10, §4.10: with cucm, the Call Bridge trusts the internal CA for SIP
// TLS and the note says to load the same CA into Unified CM's
// CallManager-trust.
func TestCMSInstallTLSSIP410(t *testing.T) {
	in := installOf(t, planOf(t, cucmPublicWB, catalog.Options{}), "cms1")
	if !slices.Contains(in.Commands, "tls sip trust exampleca-bundle.crt") {
		t.Errorf("commands %q", in.Commands)
	}
	if !slices.ContainsFunc(in.Notes, func(n string) bool { return strings.Contains(n, "CallManager-trust") && strings.Contains(n, "§4.10") }) {
		t.Errorf("notes %q", in.Notes)
	}
}

// Item 7, §4.8 caution: "you must run the database cluster remove command on
// every server in the cluster ... before re-creating the cluster": remove
// comes before certs, and the cluster is rebuilt after.
func TestCMSDatabaseRemoveBeforeCerts48(t *testing.T) {
	p := planOf(t, lab, catalog.Options{})
	for node, rebuild := range map[string]string{"cms1a": "database cluster initialize", "cms1b": "database cluster join cms1a.pod2.cms.lab"} {
		in := installOf(t, p, node)
		remove, certs, again := slices.Index(in.Commands, "database cluster remove"), slices.Index(in.Commands, "database cluster certs dbserver.key dbserver.crt dbclient.key dbclient.crt pod2-dbca.crt"), slices.Index(in.Commands, rebuild)
		if remove < 0 || certs <= remove || again <= certs {
			t.Errorf("%s: remove at %d, certs at %d, %q at %d in %q", node, remove, certs, rebuild, again, in.Commands)
		}
		if !slices.Contains(in.Record, "database cluster status") {
			t.Errorf("%s does not record the cluster: %q", node, in.Record)
		}
	}
}

// Item 15, §3.1.1 and §5.5: with lync_fqdn, the note says which CA the Lync
// Front End servers must trust.
func TestCMSLyncNote311(t *testing.T) {
	y := strings.Replace(cucmPublicWB, "callbridge_cluster: cms.example.com", "callbridge_cluster: cms.example.com\nlync_fqdn: cms.example.com", 1)
	in := installOf(t, planOf(t, y, catalog.Options{}), "cms1")
	if !slices.ContainsFunc(in.Notes, func(n string) bool { return strings.Contains(n, "Root Trust Store") && strings.Contains(n, "§5.5") }) {
		t.Errorf("notes %q", in.Notes)
	}
}

// Item 15, Table 2 note: with expressway, the Expressway-E certificate must
// carry the Web Bridge's name; and XMPP signed internally warns about native
// apps (Table 2).
func TestCMSExpresswayAndNativeAppNotesTable2(t *testing.T) {
	y := strings.Replace(cucmPublicWB, "webbridge: join.example.com", "webbridge: join.example.com\nexpressway: join.example.com", 1)
	in := installOf(t, planOf(t, y, catalog.Options{}), "cms1")
	for _, want := range []string{"Expressway-E's own certificate must carry join.example.com", "native Cisco Meeting Apps trust only an XMPP server certificate from a public CA"} {
		if !slices.ContainsFunc(in.Notes, func(n string) bool { return strings.Contains(n, want) }) {
			t.Errorf("no note %q in %q", want, in.Notes)
		}
	}
}

// wb3Mixed has Web Bridges 3 before, on and after the Call Bridges.
const wb3Mixed = `product: cms
version: "2.9"
domain: example.com
internal_ca: mixca
callbridge_cluster: cms.example.com
xmpp_domain: example.com
webbridge3: {https: join.example.com, c2w_port: 4443}
nodes:
  - {name: wb0, fqdn: wb0.example.com, services: [webbridge3], c2w: [c2w0.example.com, 10.0.0.9]}
  - {name: cb1, fqdn: cb1.example.com, services: [callbridge, webadmin, xmpp, webbridge3], c2w: [c2w1.example.com]}
  - {name: cb2, fqdn: cb2.example.com, services: [callbridge, webadmin]}
  - {name: wb3, fqdn: wb3.example.com, services: [webbridge3]}
  - {name: cb4, fqdn: cb4.example.com, services: [callbridge, webadmin, webbridge3], c2w: [c2w4.example.com]}
`

// D.4 step 5 with the registrations found once for every Call Bridge:
// whether the certificates are combined or per service, each Call Bridge
// (before, beside and after the Web Bridges 3) registers every Web Bridge 3
// once, in node order, by its first C2W name, last, with a rollback for
// each; a node without a Call Bridge registers none.
func TestCMSEveryCallBridgeRegistersEveryWebBridge3D4(t *testing.T) {
	urls := []string{"c2w://c2w0.example.com:4443", "c2w://c2w1.example.com:4443", "c2w://wb3.example.com:4443", "c2w://c2w4.example.com:4443"}
	for _, y := range []string{wb3Mixed, strings.Replace(wb3Mixed, "domain:", "certificates: per-service\ndomain:", 1)} {
		p := planOf(t, y, catalog.Options{})
		for _, node := range []string{"wb0", "cb1", "cb2", "wb3", "cb4"} {
			in := installOf(t, p, node)
			var posts, deletes []string
			for _, c := range in.Commands {
				if u, ok := strings.CutPrefix(c, "API: POST /api/v1/webbridges url="); ok {
					posts = append(posts, u)
				}
			}
			for _, c := range in.Rollback {
				if u, ok := strings.CutPrefix(c, "API: DELETE /api/v1/webbridges/<id of "); ok {
					deletes = append(deletes, u[:strings.Index(u, ">")])
				}
			}
			want := urls
			if strings.HasPrefix(node, "wb") {
				want = nil
			}
			equal(t, node+" registers", posts, want)
			equal(t, node+" rolls back", deletes, want)
			if n := len(in.Commands); want != nil && !slices.Equal(in.Commands[n-len(want):], prefixed("API: POST /api/v1/webbridges url=", want)) {
				t.Errorf("%s: the registrations are not last: %q", node, in.Commands)
			}
		}
	}
}

func prefixed(prefix string, s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = prefix + v
	}
	return out
}
