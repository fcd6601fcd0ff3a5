package cms

import (
	"github.com/confcert/confcert/internal/chain"

	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/product"
)

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
	b.edgeBundles()
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
		b.p.Bundles = append(b.p.Bundles, plan.Bundle{Name: name, File: name + ".crt", Layout: chain.LayoutCMS, Members: members, CA: ca.Name})
	}
	for _, c := range b.p.Certificates {
		if c.Signer == plan.SignerPublic {
			b.p.Bundles = append(b.p.Bundles, plan.Bundle{Name: c.Name + "-bundle", File: c.Name + "-bundle.crt", Layout: chain.LayoutCMS, Members: []string{c.Name}})
		}
		if c.Files.FullChain != "" {
			b.p.Bundles = append(b.p.Bundles, plan.Bundle{Name: c.Name + "-fullchain", File: c.Files.FullChain, Layout: chain.LayoutFullchain, Members: []string{c.Name}})
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
				admin = append(admin, c.Name)
			} else {
				product.Warnf(b.p, "node %s runs callbridge in a cluster without webadmin: clustered Call Bridges reach each other through the Web Admin (Cisco Meeting Server Certificate Guidelines 2.9, §2.2 Table 3, §4.12)", n.name)
			}
		}
		if len(admin) > 0 {
			b.trust("cluster-trust", "clustertrust.crt", product.Uniq(admin...))
		}
	}
}

func (b *cmsBuild) needCallbridgeTrust() bool {
	return len(b.nodesRunning(svcCallbridge)) > 0 &&
		len(b.nodesRunning(svcWebbridge))+len(b.nodesRunning(svcRecorder))+len(b.nodesRunning(svcStreamer)) > 0
}

func (b *cmsBuild) trust(name, file string, members []string) {
	b.p.Bundles = append(b.p.Bundles, plan.Bundle{Name: name, File: file, Layout: chain.LayoutTrust, Members: members})
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
			names = append(names, c.Name)
		}
	}
	return product.Uniq(names...) // once: per name it was quadratic in the nodes
}

func (b *cmsBuild) bundleByName(name string) *plan.Bundle {
	for i := range b.p.Bundles {
		if b.p.Bundles[i].Name == name {
			return &b.p.Bundles[i]
		}
	}
	return nil
}
