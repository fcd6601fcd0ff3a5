package catalog

import (
	"slices"
	"strings"

	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/product"
	"github.com/confcert/confcert/internal/strictyaml"
)

// Role names the links look for. The products own them; the catalog, which
// wires products together, reads them from the plan.
const (
	roleCallbridge = "cms-callbridge"
	roleWB3HTTPS   = "cms-webbridge3-https"
	roleWebbridge  = "cms-webbridge"
	roleExpC       = "expressway-c"
	roleExpE       = "expressway-e"
	roleExpClient  = "expressway-client"
	roleTomcat     = "cucm-tomcat"
	roleCM         = "cucm-callmanager"
	roleCupXMPP    = "cucm-cup-xmpp"
)

// Cisco documents the links cite.
const (
	docMRA     = "Mobile and Remote Access Through Cisco Expressway Deployment Guide X15.0, \"Certificate Exchange Requirements\""
	docWebRTC  = "Cisco TAC document 210800, \"Configure CMS WebRTC or Web App Proxy over Expressway\""
	docCMSGuid = "Cisco Meeting Server Certificate Guidelines 2.9, §4.10"
	osUpload   = "Cisco Unified OS Administration > Security > Certificate Management > Upload Certificate/Certificate chain"
)

// link plans the trust between the products of one deployment:
// the Call Bridge's CA into Unified CM's CallManager-trust, Expressway-C's
// chain into tomcat-trust and CallManager-trust (cup-xmpp-trust and
// tomcat-trust on IM and Presence), the Meeting Server join URL on
// Expressway-E, and Unified CM's chain in Expressway-C's Trusted CA list.
func link(p *plan.Plan) []strictyaml.Problem {
	l := &linker{p: p}
	l.callBridgeToCUCM()
	l.expresswayCToCUCM()
	l.cucmToExpresswayC()
	l.joinURLOnE()
	l.expectations()
	return l.probs
}

type linker struct {
	p     *plan.Plan
	probs []strictyaml.Problem
}

func (l *linker) withRole(roles ...string) []*plan.Certificate {
	var out []*plan.Certificate
	for _, c := range l.p.Certificates {
		if slices.ContainsFunc(c.Roles, func(r plan.RoleCheck) bool { return slices.Contains(roles, string(r.Role)) }) {
			out = append(out, c)
		}
	}
	return out
}

func names(certs []*plan.Certificate) []string {
	var out []string
	for _, c := range certs {
		out = append(out, c.Name)
	}
	return out
}

// installOf finds the install file of the node whose key-holding system
// generates a certificate of role (the Unified CM or IM and Presence
// publisher).
func (l *linker) installOf(role string) *plan.Install {
	certs := l.withRole(role)
	if len(certs) == 0 || certs[0].KeyHeld == nil {
		return nil
	}
	host := strings.ToLower(product.FirstLabel(strings.Fields(certs[0].KeyHeld.By)[0]))
	for i := range l.p.Install {
		if l.p.Install[i].Node == host {
			return &l.p.Install[i]
		}
	}
	return nil
}

// addTrust plans a trust list of the members' CA chains and the upload
// steps that put it into each store of in, after the steps already there.
func (l *linker) addTrust(in *plan.Install, name string, members []string, stores []string, what string) {
	if in == nil || len(members) == 0 {
		return
	}
	if !slices.ContainsFunc(l.p.Bundles, func(b plan.Bundle) bool { return b.Name == name }) {
		l.p.Bundles = append(l.p.Bundles, plan.Bundle{Name: name, File: name + ".pem", Layout: "trust", Members: members, Issuers: true})
	}
	at := lastTrustStep(in.Commands)
	var steps []string
	for _, s := range stores {
		steps = append(steps, osUpload+": Certificate Purpose "+s+", file "+name+".pem: "+what)
	}
	in.Commands = slices.Insert(in.Commands, at, steps...)
	in.Uploads = append(in.Uploads, name+".pem: "+what)
}

// lastTrustStep is where trust uploads go: after the last one there, before
// the first certificate type.
func lastTrustStep(cmds []string) int {
	at := 0
	for i, c := range cmds {
		if strings.Contains(c, "-trust, file") || strings.HasPrefix(c, "Before:") {
			at = i + 1
		}
	}
	return at
}

// callBridgeToCUCM: Unified CM trusts the Call Bridge's CA for the SIP trunk
// over TLS (Meeting Server Certificate Guidelines 2.9, §4.10: "load the same
// CA into Unified CM's CallManager-trust").
func (l *linker) callBridgeToCUCM() {
	cbs := l.withRole(roleCallbridge)
	l.addTrust(l.installOf(roleCM), "cucm-callbridge-trust", names(cbs), []string{"CallManager-trust"},
		"the CA chain of the Meeting Server's Call Bridges, for the SIP trunk over TLS ("+docCMSGuid+")")
	if len(cbs) == 0 {
		return
	}
	for _, cm := range l.withRole(roleCM) {
		if cm.Signer != cbs[0].Signer {
			product.Warnf(l.p, "the Call Bridges are signed by %s and Unified CM's CallManager by %s: the Meeting Server's tls sip trust must hold %s's chain too (%s)", cbs[0].Signer, cm.Signer, cm.Signer, docCMSGuid)
		}
	}
}

// expresswayCToCUCM: Unified CM trusts the CA chain that signed
// Expressway-C in tomcat-trust and CallManager-trust, even in non-secure
// mode; IM and Presence in cup-xmpp-trust and tomcat-trust (MRA Deployment
// Guide X15.0; research UCM-11).
func (l *linker) expresswayCToCUCM() {
	var members []string
	for _, c := range l.withRole(roleExpC, roleExpClient) {
		if slices.ContainsFunc(c.Roles, func(r plan.RoleCheck) bool { return r.Role == roleExpC }) || l.isCClient(c) {
			members = append(members, c.Name)
		}
	}
	what := "the CA chain that signed Expressway-C (" + docMRA + ")"
	l.addTrust(l.installOf(roleCM), "cucm-expc-trust", members, []string{"tomcat-trust", "CallManager-trust"}, what)
	l.addTrust(l.installOf(roleCupXMPP), "cucm-expc-trust", members, []string{"cup-xmpp-trust", "tomcat-trust"}, what)
}

// isCClient: a client certificate of an Expressway-C cluster.
func (l *linker) isCClient(c *plan.Certificate) bool {
	cluster := firstNode(c)
	return slices.ContainsFunc(l.withRole(roleExpC), func(s *plan.Certificate) bool { return firstNode(s) == cluster })
}

func firstNode(c *plan.Certificate) string {
	if len(c.UsedBy) == 0 {
		return ""
	}
	return c.UsedBy[0].Node
}

// cucmToExpresswayC: Expressway-C verifies Unified CM's tomcat and
// CallManager and IM and Presence's cup-xmpp certificates (from X14.2): their
// CA chain joins each Expressway-C cluster's Trusted CA list (Expressway
// Administrator Guide X15.4; MRA Deployment Guide X15.0).
func (l *linker) cucmToExpresswayC() {
	ucm := names(l.withRole(roleTomcat, roleCM, roleCupXMPP))
	if len(ucm) == 0 {
		return
	}
	for _, c := range l.withRole(roleExpC) {
		name := firstNode(c) + "-trust"
		for i := range l.p.Bundles {
			if l.p.Bundles[i].Name == name {
				l.p.Bundles[i].Members = product.Uniq(append(l.p.Bundles[i].Members, ucm...)...)
			}
		}
		for i := range l.p.Install {
			in := &l.p.Install[i]
			if in.Node == firstNode(c) && !slices.ContainsFunc(in.Notes, func(n string) bool { return strings.HasPrefix(n, name+".pem also holds") }) {
				in.Notes = append([]string{name + ".pem also holds the CA chain of Unified CM's tomcat, CallManager and cup-xmpp certificates, which Expressway-C verifies (" + docMRA + ")."}, in.Notes...)
			}
		}
	}
}

// joinURLOnE: the Meeting Server join URL (the Web Bridge 3 name) is a SAN
// of every Expressway-E certificate, and differs from the MRA domain (TAC
// 210800; MRA Deployment Guide X15.0).
func (l *linker) joinURLOnE() {
	url := ""
	for _, c := range l.withRole(roleWB3HTTPS, roleWebbridge) {
		for _, r := range c.Roles {
			if (r.Role == roleWB3HTTPS || r.Role == roleWebbridge) && len(r.Names) > 0 && url == "" {
				url = r.Names[0]
			}
		}
	}
	es := l.withRole(roleExpE)
	if url == "" || len(es) == 0 {
		return
	}
	added := false
	for _, c := range es {
		for i := range c.Roles {
			r := &c.Roles[i]
			if r.Role != roleExpE {
				continue
			}
			if strings.EqualFold(r.Domain, url) || strings.EqualFold("collab-edge."+r.Domain, url) {
				l.probs = append(l.probs, errorf("the Meeting Server join URL %s is also the MRA domain: the Web Proxy URL and the MRA domain cannot be the same (%s)", url, docMRA))
				return
			}
			r.Names = product.Uniq(append(r.Names, url)...)
		}
		if !slices.ContainsFunc(c.SANs, func(s string) bool { return strings.EqualFold(s, url) }) {
			c.SANs = append(c.SANs, url)
			added = true
		}
	}
	if added {
		product.Warnf(l.p, "the Meeting Server join URL %s is added to every Expressway-E certificate, as the Web Proxy needs (%s); set cms_join_url in the Expressway deployment to say so", url, docWebRTC)
	}
	l.webProxyNote(url)
}

// webProxyNote: Expressway-C's Meeting Server page names the join URL.
func (l *linker) webProxyNote(url string) {
	for _, c := range l.withRole(roleExpC) {
		for i := range l.p.Install {
			in := &l.p.Install[i]
			note := "Configuration > Unified Communications > Cisco Meeting Server: Meeting Server Web Proxy On, Guest account client URI " + url + " (" + docWebRTC + ")."
			if in.Node == firstNode(c) && !slices.Contains(in.Notes, note) {
				in.Notes = append(in.Notes, note)
			}
		}
	}
}

// expectations: names one product needs in another's certificates join
// those certificates' role checks, and a name no planned certificate of
// that role carries is a warning naming who needs it and why.
func (l *linker) expectations() {
	for _, ex := range l.p.Expects {
		certs := l.withRole(string(ex.Role))
		if len(certs) == 0 {
			continue
		}
		for _, n := range ex.Names {
			if !slices.ContainsFunc(certs, func(c *plan.Certificate) bool { return hasName(c.SANs, n) }) {
				product.Warnf(l.p, "%s is configured with %s, which no %s certificate carries: %s; list the node in the Unified CM deployment", ex.By, n, ex.Role, ex.Why)
				continue
			}
			for _, c := range certs {
				if !hasName(c.SANs, n) {
					continue
				}
				for i := range c.Roles {
					if c.Roles[i].Role == ex.Role {
						c.Roles[i].Names = product.Uniq(append(c.Roles[i].Names, n)...)
					}
				}
			}
		}
	}
}

func hasName(names []string, n string) bool {
	return slices.ContainsFunc(names, func(s string) bool { return strings.EqualFold(s, n) })
}
