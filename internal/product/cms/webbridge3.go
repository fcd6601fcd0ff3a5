package cms

import (
	"fmt"
	"strings"

	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/product"
	"github.com/confcert/confcert/internal/strictyaml"
)

// defaultC2WPort is the C2W port of the guide's example (seed 002 D.3 step
// 6: "it can be any available port"); choice recorded in docs/plan-rules.md.
const defaultC2WPort = 9999

// checkWB3 checks Web Bridge 3 (seed 002 D.1-D.4). Each Web Bridge 3 is
// registered by its own c2w://NAME:PORT URL and the Call Bridge fails TLS
// when NAME is not in that node's certificate (D.1), so the C2W names are per
// node and two nodes never share one.
func (d *cmsDeploy) checkWB3(p *product.Problems) {
	w := d.s.Webbridge3
	switch {
	case w == nil && d.hasWB3:
		p.Add(d.s.Line, "a node runs webbridge3: add webbridge3: {https: <web app name>, c2w_port: <port>} and give each Web Bridge 3 node its c2w: [<names or IPs of its c2w:// URL>] (%s)", cite("D.1-D.3"))
		return
	case w == nil:
		d.checkNodeC2W(p)
		return
	case !d.hasWB3:
		p.Add(w.Line, "webbridge3 is set but no node runs the webbridge3 service")
	}
	if err := product.CheckDNSName(w.HTTPS.Value); err != nil {
		p.Add(w.HTTPS.Line, "webbridge3 https: %v", err)
	}
	d.c2wPort = defaultC2WPort
	if w.C2WPort.Set {
		d.c2wPort = w.C2WPort.Value
		if d.c2wPort < 1 || d.c2wPort > 65535 {
			p.Add(w.C2WPort.Line, "webbridge3 c2w_port %d is not a TCP port (1-65535)", d.c2wPort)
		}
	}
	d.checkGlobalC2W(w, p)
	d.checkNodeC2W(p)
}

// checkGlobalC2W accepts the deployment-wide c2w list of older files only
// when one node runs webbridge3: it becomes that node's.
func (d *cmsDeploy) checkGlobalC2W(w *wb3Spec, p *product.Problems) {
	if len(w.C2W) == 0 {
		return
	}
	var wb3 []int
	for i, n := range d.nodes {
		if n.runs(svcWebbridge3) {
			wb3 = append(wb3, i)
		}
	}
	if len(wb3) != 1 {
		p.Add(w.C2W[0].Line, "webbridge3 c2w: %d nodes run webbridge3, and each is registered by its own c2w:// URL whose name must be in that node's certificate (%s): move the names to each node's c2w: list", len(wb3), cite("D.1"))
		return
	}
	n := &d.nodes[wb3[0]]
	if len(n.c2w) > 0 {
		p.Add(w.C2W[0].Line, "webbridge3 c2w and node %s c2w both name C2W names: keep the node's", n.name)
		return
	}
	n.c2w = strValues(w.C2W)
}

// checkNodeC2W checks each node's c2w names: hosts or IPs, on Web Bridge 3
// nodes only, never shared between two nodes (D.1).
func (d *cmsDeploy) checkNodeC2W(p *product.Problems) {
	owner := map[string]string{}
	for i, ns := range d.s.Nodes {
		n := &d.nodes[i]
		if len(ns.C2W) > 0 && !n.runs(svcWebbridge3) {
			p.Add(ns.C2W[0].Line, "node %s lists c2w names but does not run webbridge3", n.name)
		}
		if len(ns.C2W) > 0 {
			n.c2w = strValues(ns.C2W)
		}
		for j, name := range n.c2w {
			line := ns.Line
			if j < len(ns.C2W) {
				line = ns.C2W[j].Line
			}
			if err := product.CheckHost(name, true); err != nil {
				p.Add(line, "node %s c2w: %v", n.name, err)
			}
			key := strings.ToLower(name)
			if other, dup := owner[key]; dup && other != n.name {
				p.Add(line, "node %s c2w %s is also node %s's: two Web Bridge 3 nodes never share a C2W name, since each is registered by its own c2w:// URL (%s)", n.name, name, other, cite("D.1"))
			}
			owner[key] = n.name
		}
	}
}

func strValues(in []strictyaml.Str) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = s.Value
	}
	return out
}

// c2wNames are a Web Bridge 3 node's C2W names: its c2w list, else its FQDN.
func (n cmsNode) c2wNames() []string {
	if len(n.c2w) > 0 {
		return n.c2w
	}
	return []string{n.fqdn}
}

// c2wURL is the URL a Call Bridge registers the node by (D.4 step 5).
func (d *cmsDeploy) c2wURL(n cmsNode) string {
	return fmt.Sprintf("c2w://%s:%d", n.c2wNames()[0], d.c2wPort)
}

// webbridge3: <node>-wb3https (CN = webbridge3.https) and <node>-wb3c2w
// (CN = the node's first C2W name, SANs = its C2W names, EKU serverAuth),
// each with a full-chain file (spec plan.md CMS rule 5; seed 002 D.1-D.3).
// The C2W link is internal: no public CA is needed (D.1), so the internal CA
// signs it.
func (b *cmsBuild) webbridge3(n cmsNode) {
	w := b.d.s.Webbridge3
	if !n.runs(svcWebbridge3) || w == nil {
		return
	}
	https := b.cert(product.CertSpec{Name: n.name + "-wb3https", CN: w.HTTPS.Value, FullChain: true}, "", svcWebbridge3)
	b.use(https, n, "webbridge3-https")
	addRole(https, plan.RoleCheck{Role: RoleWebbridge3HTTPS, Names: []string{w.HTTPS.Value}})
	c2w := n.c2wNames()
	cw := b.cert(product.CertSpec{Name: n.name + "-wb3c2w", CN: c2w[0], SANs: c2w, FullChain: true,
		Signer: b.d.internalCA, EKU: []string{product.ServerAuth}}, "")
	b.use(cw, n, "webbridge3-c2w")
	addRole(cw, plan.RoleCheck{Role: RoleWebbridge3C2W, Names: c2w})
}

// c2wTrustFile is what `callbridge trust c2w` takes: the CA bundle of the
// Web Bridges' C2W certificates (D.4 step 3).
func (b *cmsBuild) c2wTrustFile() string {
	if c := b.firstCert("webbridge3-c2w"); c != nil {
		return b.bundleFile(c)
	}
	return ""
}

// installWB3: https certificate as a full chain, the C2W listener, the C2W
// certificate as a full chain, trust of the Call Bridges' CA, enable
// (seed 002 D.3 steps 4-9).
func (b *cmsBuild) installWB3(w *mmpScript, n cmsNode) {
	https, c2w := b.certOf[n.name+"/webbridge3-https"], b.certOf[n.name+"/webbridge3-c2w"]
	if https == nil || c2w == nil {
		return
	}
	w.record("webbridge3")
	w.step("webbridge3 disable", "")
	w.step(fmt.Sprintf("webbridge3 https certs %s %s", https.Files.Key, https.Files.FullChain), "", https.Files.Key, https.Files.FullChain)
	w.check(https, b.bundleFile(https))
	w.step(fmt.Sprintf("webbridge3 c2w listen a:%d", b.d.c2wPort), "")
	w.step(fmt.Sprintf("webbridge3 c2w certs %s %s", c2w.Files.Key, c2w.Files.FullChain), "", c2w.Files.Key, c2w.Files.FullChain)
	w.check(c2w, b.bundleFile(c2w))
	if cb := b.firstCert(svcCallbridge); cb != nil {
		f := b.bundleFile(cb)
		w.step("webbridge3 c2w trust "+f, "", f)
	}
	w.step("webbridge3 enable", "")
	w.note(fmt.Sprintf("webbridge3 c2w listen a:%d: interface a is the guide's example; use the interface the Call Bridges reach, and open the port to them only (%s)", b.d.c2wPort, cite("D.3 step 6")))
	w.rollback("webbridge3 disable", restore("webbridge3 https"), restore("webbridge3 c2w"), "webbridge3 c2w trust <the bundle part 3 recorded>", "webbridge3 enable")
}

// installC2WRegistration: each Call Bridge registers every Web Bridge 3 by
// its own c2w:// URL through its REST API (D.4 step 5), the file's last step.
func (b *cmsBuild) installC2WRegistration(w *mmpScript, n cmsNode) {
	if b.certOf[n.name+"/"+svcCallbridge] == nil {
		return
	}
	urls := b.c2wRegistrations()
	for _, url := range urls {
		w.step("API: POST /api/v1/webbridges url="+url, "")
		w.rollback("API: DELETE /api/v1/webbridges/<id of " + url + ">   (only if part 3's GET /api/v1/webbridges did not list it)")
	}
	if len(urls) > 0 {
		w.record("API: GET /api/v1/webbridges")
		w.note(fmt.Sprintf("API lines are REST calls to the Call Bridge (Web Admin's /api/v1), not MMP commands; Call Bridges sharing one database share the registrations, so skip a URL that GET /api/v1/webbridges already lists (%s)", cite("D.4 step 5")))
	}
}

// c2wRegistrations lists the C2W URL of every Web Bridge 3 with a C2W
// certificate, in node order: the same for every Call Bridge, so found once
// (walking every node for every node was quadratic in a large cluster).
func (b *cmsBuild) c2wRegistrations() []string {
	if !b.c2wFound {
		b.c2wFound = true
		for _, wb := range b.d.nodes {
			if wb.runs(svcWebbridge3) && b.certOf[wb.name+"/webbridge3-c2w"] != nil {
				b.c2wURLs = append(b.c2wURLs, b.d.c2wURL(wb))
			}
		}
	}
	return b.c2wURLs
}
