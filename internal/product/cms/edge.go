package cms

import (
	"fmt"
	"slices"
)

// Split core/edge deployments (spec plan.md CMS rule 7; seed 002 §3.1.4,
// §4.5): an edge runs one load balancer, whatever the number of trunks to it
// ("each Edge server can accept multiple trunks from multiple Core servers",
// §4.5 note); it trusts a bundle of every trunk certificate that reaches it.

// trunkTrustFile is the load balancer's trust bundle on edge.
func trunkTrustFile(edge string) string { return edge + "-trunktrust.crt" }

// coresOf lists the cores that trunk to edge, in trunks order.
func (d *cmsDeploy) coresOf(edge string) []string {
	var out []string
	for _, t := range d.s.Trunks {
		if t.Edge.Value == edge && !slices.Contains(out, t.Core.Value) {
			out = append(out, t.Core.Value)
		}
	}
	return out
}

// edgeBundles: <edge>-trunktrust.crt, the certificates of every core
// trunking to the edge, for `loadbalancer auth` (§4.5 step 3).
func (b *cmsBuild) edgeBundles() {
	for _, n := range b.d.nodes {
		if b.certOf[n.name+"/"+svcLoadbalancer] == nil {
			continue
		}
		var members []string
		for _, core := range b.d.coresOf(n.name) {
			if tc := b.certOf[core+"/"+svcTrunk]; tc != nil {
				members = append(members, tc.Name)
			}
		}
		if len(members) > 0 {
			b.trust(n.name+"-trunk-trust", trunkTrustFile(n.name), members)
		}
	}
}

// warnMissingTrunks: every core that runs xmpp must trunk to every load
// balancer (§3.1.4: "the Core server hosting the XMPP service will require a
// trunk to each Load Balancer"); a missing pair is a warning naming it.
func (b *cmsBuild) warnMissingTrunks() {
	for _, core := range b.d.nodes {
		if !core.runs(svcXMPP) {
			continue
		}
		for _, edge := range b.d.nodes {
			if edge.runs(svcLoadbalancer) && !slices.Contains(b.d.coresOf(edge.name), core.name) {
				b.warn("core %s runs xmpp but does not trunk to the load balancer on %s: add trunks: [{core: %s, edge: %s}], since the XMPP server needs a trunk to each load balancer (%s)",
					core.name, edge.name, core.name, edge.name, cite("§3.1.4"))
			}
		}
	}
}

// installLoadbalancer: one load balancer per edge, tagged with the edge's
// name, trusting every trunk that reaches it (§4.5 steps 1-7).
func (b *cmsBuild) installLoadbalancer(w *mmpScript, n cmsNode) {
	lb := b.certOf[n.name+"/"+svcLoadbalancer]
	if lb == nil || b.bundleByName(n.name+"-trunk-trust") == nil {
		return
	}
	tag, trust := n.name, trunkTrustFile(n.name)
	w.record("loadbalancer list")
	w.step("loadbalancer create "+tag, "")
	w.step(fmt.Sprintf("loadbalancer auth %s %s %s %s", tag, lb.Files.Key, lb.Files.Cert, trust), "", lb.Files.Key, lb.Files.Cert, trust)
	w.check(lb, b.bundleFile(lb))
	w.note(fmt.Sprintf("then set the trunk and public interfaces (loadbalancer trunk %s <iface>:<port>, loadbalancer public %s <iface>:<port> ...) and run loadbalancer enable %s (%s steps 4-7); skip loadbalancer create when part 3 lists %s already", tag, tag, tag, cite("§4.5"), tag))
	w.rollback(fmt.Sprintf("loadbalancer auth %s <the files part 3 recorded>   (a new load balancer: loadbalancer disable %s)", tag, tag))
}

// installTrunk: per trunk from this core, a trunk trusting the load
// balancer's certificate (§4.5 steps 8-12).
func (b *cmsBuild) installTrunk(w *mmpScript, n cmsNode) {
	tc := b.certOf[n.name+"/"+svcTrunk]
	for _, t := range b.d.s.Trunks {
		edge, _ := b.d.node(t.Edge.Value)
		lb := b.certOf[edge.name+"/"+svcLoadbalancer]
		if t.Core.Value != n.name || tc == nil || lb == nil {
			continue
		}
		tag := n.name + "to" + edge.name
		w.record("trunk list")
		w.step(fmt.Sprintf("trunk create %s xmpp", tag), "")
		w.step(fmt.Sprintf("trunk auth %s %s %s %s", tag, tc.Files.Key, tc.Files.Cert, lb.Files.Cert), "", tc.Files.Key, tc.Files.Cert, lb.Files.Cert)
		w.step(fmt.Sprintf("trunk edge %s %s", tag, edge.fqdn), "")
		w.step("trunk enable "+tag, "")
		w.check(tc, b.bundleFile(tc))
		w.rollback(fmt.Sprintf("trunk auth %s <the files part 3 recorded>   (a new trunk: trunk disable %s)", tag, tag))
	}
}

// warn adds a plan warning.
func (b *cmsBuild) warn(format string, args ...any) {
	b.p.Warnings = append(b.p.Warnings, fmt.Sprintf(format, args...))
}
