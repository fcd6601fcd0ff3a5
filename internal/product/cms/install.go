package cms

import (
	"fmt"
	"slices"

	"github.com/confcert/confcert/internal/plan"
)

// installs writes install/<node>.txt for every node in the five parts of
// spec plan.md CMS rule 9 (seed 002 §4.2-§4.12, D.3, D.4).
func (b *cmsBuild) installs() {
	b.xmppTrust, b.c2wTrust = b.xmppTrustFile(), b.c2wTrustFile()
	pending := b.pendingFiles()
	for _, n := range b.d.nodes {
		w := &mmpScript{in: plan.Install{Node: n.name, File: "install/" + n.name + ".txt"}, pending: pending}
		b.installNode(w, n)
		if len(w.in.Commands) > 0 {
			w.finish()
			b.p.Install = append(b.p.Install, w.in)
		}
	}
}

// pendingFiles are the files that exist only after --import: a public CA's
// certificate, its full chain and bundle, and trust bundles holding it.
func (b *cmsBuild) pendingFiles() map[string]bool {
	out := map[string]bool{}
	public := map[string]bool{}
	for _, c := range b.p.Certificates {
		if c.Signer == plan.SignerPublic {
			public[c.Name] = true
			out[c.Files.Cert], out[c.Name+"-bundle.crt"] = true, true
			if c.Files.FullChain != "" {
				out[c.Files.FullChain] = true
			}
		}
	}
	for _, bd := range b.p.Bundles {
		if slices.ContainsFunc(bd.Members, func(m string) bool { return public[m] }) {
			out[bd.File] = true
		}
	}
	return out
}

// installNode: the guide's order per service (seed 002 chapter 4, D.3, D.4);
// the C2W registrations come last (D.4 step 5).
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
	b.installTLSSIP(w, n)
	b.installC2WRegistration(w, n)
}

// installWebadmin: the Web Admin's certificate (the MMP's `webadmin certs`),
// then a restart to load it.
func (b *cmsBuild) installWebadmin(w *mmpScript, n cmsNode) {
	c := b.certOf[n.name+"/"+svcWebadmin]
	if c == nil {
		return
	}
	w.record("webadmin")
	w.certs("webadmin certs", c, b.bundleFile(c))
	w.step("webadmin restart", "")
	w.rollback(restore("webadmin"), "webadmin restart")
}

// installWebbridge: disable, certs, trust the Call Bridges (and the XMPP
// servers), enable (seed 002 §4.6, §4.7.1, §4.11).
func (b *cmsBuild) installWebbridge(w *mmpScript, n cmsNode) {
	c := b.certOf[n.name+"/"+svcWebbridge]
	if c == nil {
		return
	}
	w.record("webbridge")
	w.step("webbridge disable", "")
	w.certs("webbridge certs", c, b.bundleFile(c))
	if b.bundleByName("callbridge-trust") != nil {
		w.step("webbridge trust callbridgetrust.crt", "", "callbridgetrust.crt")
	}
	if x := b.xmppTrust; x != "" {
		w.step("webbridge trust xmpp "+x, "", x)
	}
	w.step("webbridge enable", okWebbridge)
	w.rollback("webbridge disable", restore("webbridge"), "webbridge trust <the trust bundles part 3 recorded>", "webbridge enable")
	if e := b.d.s.Expressway.Value; e != "" {
		w.note(fmt.Sprintf("Expressway: the Expressway-E's own certificate must carry %s among its subject alternative names, the name WebRTC browsers reach the Web Bridge by through the reverse proxy (%s)", firstOf(b.d.s.Webbridge.Value, e), cite("Table 2 note, §2.1.1")))
	}
}

// installCallbridge: certs, trust stores for XMPP (§4.11), the cluster
// (§4.12) and C2W (D.4), then restart (seed 002 §4.7).
func (b *cmsBuild) installCallbridge(w *mmpScript, n cmsNode) {
	c := b.certOf[n.name+"/"+svcCallbridge]
	if c == nil {
		return
	}
	w.record("callbridge")
	w.certs("callbridge certs", c, b.bundleFile(c))
	if x := b.xmppTrust; x != "" {
		w.step("callbridge trust xmpp "+x, "", x)
	}
	if b.bundleByName("cluster-trust") != nil {
		w.step("callbridge trust cluster clustertrust.crt", "", "clustertrust.crt")
	}
	if f := b.c2wTrust; f != "" {
		w.step("callbridge trust c2w "+f, "", f)
	}
	w.step("callbridge restart", okCallbridge)
	w.rollback(restore("callbridge"), "callbridge trust <each trust store part 3 recorded>", "callbridge restart")
	if l := b.d.s.LyncFQDN.Value; l != "" {
		w.note(fmt.Sprintf("Lync/Skype for Business: %s must be the trusted-application FQDN (Get-CsTrustedApplicationComputer); the Lync Front End servers must trust the CA that signed %s: sign it with the CA that issued their certificates, or upload %s to their Root Trust Store (%s, %s)",
			l, c.Files.Cert, b.bundleFile(c), cite("§3.1.1"), cite("§5.5")))
	}
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
	w.record("xmpp")
	w.step("xmpp disable", "")
	w.certs("xmpp certs", c, b.bundleFile(c))
	if b.bundleByName("xmpp-trust") != nil {
		w.step("xmpp cluster trust xmpptrust.crt", "", "xmpptrust.crt")
	}
	w.step("xmpp enable", okXMPP)
	w.rollback("xmpp disable", restore("xmpp"), "xmpp enable")
	if c.Signer != plan.SignerPublic {
		w.note(fmt.Sprintf("native Cisco Meeting Apps trust only an XMPP server certificate from a public CA; %s is signed by %s: if native apps are used, list xmpp in public (%s)", c.Files.Cert, c.Signer, cite("Table 2")))
	}
}

// installSimple: disable, certs, optional trust, enable.
func (b *cmsBuild) installSimple(w *mmpScript, n cmsNode, service, trust string) {
	c := b.certOf[n.name+"/"+service]
	if c == nil {
		return
	}
	w.record(service)
	w.step(service+" disable", "")
	w.certs(service+" certs", c, b.bundleFile(c))
	if trust != "" {
		w.step(service+" trust "+trust, "", trust)
	}
	w.step(service+" enable", "")
	w.rollback(service+" disable", restore(service), service+" enable")
}

// installDatabase: the server and client pair on database nodes, the client
// alone on other Call Bridges (seed 002 §4.8.1). Certificates can only be
// set while the cluster is disabled: a cluster that exists is removed on
// every node first, then rebuilt (seed 002 §4.8 caution), which is also what
// makes `--renew dbserver` work on a live cluster.
func (b *cmsBuild) installDatabase(w *mmpScript, n cmsNode) {
	client := b.certOf[n.name+"/"+svcDatabase]
	if client == nil {
		return
	}
	ca := b.d.dbCA + ".crt"
	server := b.byName("dbserver")
	master, _ := b.d.node(b.d.dbNodes[0])
	w.record("database cluster status")
	w.step("database cluster remove", "")
	isDB := slices.Contains(b.d.dbNodes, n.name)
	if isDB {
		w.step(fmt.Sprintf("database cluster certs %s %s %s %s %s", server.Files.Key, server.Files.Cert,
			"dbclient.key", "dbclient.crt", ca), okDBCerts, server.Files.Key, server.Files.Cert, "dbclient.key", "dbclient.crt", ca)
		w.check(server, ca)
	} else {
		w.step(fmt.Sprintf("database cluster certs dbclient.key dbclient.crt %s", ca), okDBCerts, "dbclient.key", "dbclient.crt", ca)
	}
	w.check(b.byName("dbclient"), ca)
	switch {
	case n.name == master.name:
		w.step("database cluster initialize", "")
	case isDB:
		w.step("database cluster join "+master.fqdn, "")
	default:
		w.step("database cluster connect "+master.fqdn, "")
	}
	w.note(fmt.Sprintf("database cluster: the steps run across the cluster in rounds (%s, caution): first database cluster remove on every node that part 3 shows in a cluster (%s), then database cluster certs on every node, then database cluster initialize on %s, then join (database nodes) or connect (Call Bridges without a database) on the others; skip remove where part 3 shows no cluster",
		cite("§4.8"), b.clusterNodes(), master.name))
	w.rollback("database cluster remove", "database cluster certs <the files part 3 recorded>", "then rebuild the cluster as it was (database cluster initialize on its master, join or connect on the others)")
}

// clusterNodes names every node with a database client, for the note.
func (b *cmsBuild) clusterNodes() string {
	var names []string
	for _, n := range b.d.nodes {
		if b.certOf[n.name+"/"+svcDatabase] != nil {
			names = append(names, n.name)
		}
	}
	return fmt.Sprint(names)
}

// installScheduler: the scheduler's C2W client certificate as a full chain.
func (b *cmsBuild) installScheduler(w *mmpScript, n cmsNode) {
	c := b.certOf[n.name+"/"+svcScheduler]
	if c == nil {
		return
	}
	w.record("scheduler")
	w.step(fmt.Sprintf("scheduler c2w certs %s %s", c.Files.Key, c.Files.FullChain), "", c.Files.Key, c.Files.FullChain)
	w.check(c, b.bundleFile(c))
	w.rollback(restore("scheduler c2w"))
}

// installTLSSIP: with Unified CM, the Call Bridge verifies the SIP peer's
// certificate against the internal CA, and Unified CM must trust the same CA
// in its CallManager-trust (seed 002 §4.10, §3.2 note).
func (b *cmsBuild) installTLSSIP(w *mmpScript, n cmsNode) {
	c := b.certOf[n.name+"/"+svcCallbridge]
	if c == nil || !b.d.s.CUCM.Value {
		return
	}
	bundle := b.d.internalCA + "-bundle.crt"
	w.record("tls sip")
	w.step("tls sip trust "+bundle, "", bundle)
	w.rollback("tls sip trust <the bundle part 3 recorded>   (nothing recorded: tls sip trust none)")
	w.note(fmt.Sprintf("Unified CM: upload %s (the CA that signs the Call Bridge certificates) to Cisco Unified OS Administration > Security > Certificate Management as CallManager-trust, so that the SIP trunk's TLS verifies both ways (%s)", bundle, cite("§4.10")))
}
