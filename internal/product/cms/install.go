package cms

import (
	"fmt"
	"slices"

	"github.com/confcert/confcert/internal/plan"
)

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
