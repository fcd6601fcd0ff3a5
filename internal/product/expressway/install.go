package expressway

import (
	"fmt"
	"strings"

	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/product"
)

// Cisco documents as the install notes and messages cite them.
const (
	docCertGuide  = "Cisco Expressway Certificate Creation and Use Deployment Guide"
	docAdminGuide = "Cisco Expressway Administrator Guide X15.4, \"Unified Communications\""
	docMRA        = "Mobile and Remote Access Through Cisco Expressway Deployment Guide X15.0, \"Requirements for MRA\""
	docFN         = "Cisco Field Notice FN74362"
	docTAC213872  = "Cisco TAC document 213872, \"Configure and Troubleshoot Collaboration Edge (MRA) Certificates\""
	docTAC225693  = "Cisco TAC document 225693, \"Navigate Client EKU Sunset with Expressway x15.5\""
)

// installs writes install/<cluster>.txt: the web workflow in order (append
// the CA certificates first, on every peer; then each peer's certificate and
// key; restart; then the status pages), from the Certificate Creation and
// Use Deployment Guide and TAC 215670 (research §1.4).
func (b *build) installs() {
	for _, c := range b.d.clusters {
		in := plan.Install{Node: c.name, File: "install/" + c.name + ".txt"}
		in.Uploads = b.uploads(c)
		in.Commands = b.steps(c)
		in.Notes = b.notes(c)
		b.p.Install = append(b.p.Install, in)
	}
}

func (b *build) uploads(c cluster) []string {
	out := []string{c.name + "-trust.pem: the Trusted CA list (root and intermediates of every Expressway certificate), to every peer"}
	for i, peer := range c.peers {
		srv := b.servers[c.name][i]
		line := fmt.Sprintf("%s: %s.crt and %s.key (server certificate)", peer, srv, srv)
		if cl := b.clientOf(c, i); cl != "" {
			line += fmt.Sprintf(", %s.crt and %s.key (client certificate)", cl, cl)
		}
		if b.p.Certificates[b.index(srv)].Signer == plan.SignerPublic {
			line += "; " + srv + ".crt exists after --import"
		}
		out = append(out, line)
	}
	return out
}

func (b *build) clientOf(c cluster, i int) string {
	if cls := b.clients[c.name]; i < len(cls) {
		return cls[i]
	}
	return ""
}

func (b *build) index(name string) int {
	for i, c := range b.p.Certificates {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// steps are the web pages in the order the guide gives, on each peer.
func (b *build) steps(c cluster) []string {
	peers := strings.Join(c.peers, ", ")
	out := []string{
		fmt.Sprintf("On each peer (%s), one after another: the Trusted CA list is not replicated between cluster peers (%s).", peers, docTAC213872),
		fmt.Sprintf("a. Maintenance > Security > Trusted CA certificate: select %s-trust.pem, click \"Append CA certificate\". Every CA certificate of the chain must be there before the server certificate is uploaded, or the upload fails with \"Untrusted CA certificate chain\" (%s, \"Loading Certificates and Keys\").", c.name, docCertGuide),
	}
	if b.d.era == eraX154 && c.role == roleE && b.d.isPublic(roleE) {
		out = append(out, "b0. X15.4 takes a serverAuth-only certificate on Expressway-E once allowed: in the CLI, xConfiguration XCP TLS Certificate CVS EnableServerEkuUpload: On ("+docFN+"). Expressway-C and -E must run the same version.")
	}
	for i, peer := range c.peers {
		srv := b.servers[c.name][i]
		out = append(out, fmt.Sprintf("b. On %s: Maintenance > Security > Server certificate > Upload new certificate: \"Select the server private key file\" %s.key (PEM, not encrypted, ending with a newline, as confcert writes it), \"Select the server certificate file\" %s.crt, then \"Upload server certificate data\".", peer, srv, srv))
		if b.d.era == eraX155 {
			out = append(out, b.clientStep(peer, srv, b.clientOf(c, i)))
		}
	}
	out = append(out,
		"c. Maintenance > Restart options > Restart: a server certificate or Trusted CA list uploaded other than by ACME takes effect after a restart ("+docAdminGuide+").",
		"d. Status > Alarms: no certificate alarm (missing CN, CA or CRL not recognised).",
		"e. Maintenance > Security > Server certificate > Show (decoded): the SANs and extended key usages are those of the plan.",
	)
	return append(out, b.statusSteps(c)...)
}

func (b *build) clientStep(peer, srv, client string) string {
	if client != "" {
		return fmt.Sprintf("b2. On %s (X15.5): Maintenance > Security > Client certificate > Upload new certificate: %s.key and %s.crt (clientAuth, from the internal CA %s). The client certificate must carry clientAuth, or the SSH tunnels (port 2222) fail (%s).", peer, client, client, b.d.internalCA, docTAC225693)
	}
	return fmt.Sprintf("b2. On %s (X15.5): Maintenance > Security > Client certificate: \"Upload server certificate file as client certificate\": %s.crt carries clientAuth.", peer, srv)
}

// statusSteps: the status pages that show the certificates work (TAC 221624,
// TAC 210800; research §1.4 step 5).
func (b *build) statusSteps(c cluster) []string {
	out := []string{"f. When every peer is done: Status > Zones: the Unified Communications traversal zone is Active (\"TLS negotiation failure\" means a name or a CA is missing)."}
	if c.role == roleC {
		out = append(out, "g. Status > Unified Communications > SSH tunnel status: every tunnel is Active (a zone up with tunnels down after a renewal: an intermediate is missing on the other side, or, from X15.5, the client certificate lacks clientAuth).",
			"h. Configuration > Unified Communications > Unified CM servers: \"Refresh servers\"; every node shows Active (Expressway-C verifies Unified CM's tomcat and CallManager certificates from X14.2).")
	} else {
		out = append(out, "g. Status > Unified Communications: the domains are active for MRA; Maintenance > Security > Client certificate testing checks a client certificate against the Trusted CA list.")
	}
	return out
}

func (b *build) notes(c cluster) []string {
	var out []string
	if c.role == roleC {
		out = append(out,
			"Expressway-C must also trust Unified CM, IM and Presence and Unity Connection: append the CA chain that signed their tomcat, CallManager and cup-xmpp certificates to the Trusted CA list ("+docMRA+").",
			"Unified CM must trust Expressway-C: load "+c.name+"-trust.pem into tomcat-trust and CallManager-trust on Unified CM, and into cup-xmpp-trust and tomcat-trust on IM and Presence, even in non-secure mode ("+docMRA+", \"Certificate Exchange Requirements\").")
		if cu := b.d.s.CUCM; cu != nil {
			out = append(out, "The Unified CM node names configured on Expressway-C ("+strings.Join(values(cu.Nodes), ", ")+") must be in Unified CM's tomcat certificate SANs ("+docAdminGuide+").")
		}
	} else {
		out = append(out, "Expressway-E for MRA with Cisco IP Phone 7800/8800 needs a certificate from a public CA in the phones' fixed trust list, which cannot be changed ("+docTAC213872+").")
	}
	out = append(out,
		"Do not append two CA certificates with the same CN: it can break IdP-based endpoint login ("+docCertGuide+" X14.3, \"Loading Certificates and Keys\").",
		"Renewal: run confcert plan again; reuse the same deployment file so that the SANs and extended key usages stay the same ("+"Cisco TAC document 218034, \"Renew Expressway Certificate\""+").")
	return out
}

// warnings tell what the plan cannot fix itself.
func (b *build) warnings() {
	if b.d.hasRole(roleE) && !b.d.isPublic(roleE) && b.d.s.MRA != nil {
		product.Warnf(b.p, "Expressway-E is signed by the internal CA %s: Cisco IP Phone 7800/8800 over MRA trust only the public CAs of their fixed list, and Jabber users are asked to accept the certificate (%s); add expressway-e to public", b.d.internalCA, docTAC213872)
	}
}

// ClientAuthWayOut implements product.ClientAuthAdviser: what a public
// Expressway certificate that needs clientAuth can do instead (FN74362;
// TAC 225482, 225693).
func (Product) ClientAuthWayOut(_ *plan.Plan, c *plan.Certificate) string {
	var role plan.RoleName
	version := ""
	if len(c.Roles) > 0 {
		role, version = c.Roles[0].Role, c.Roles[0].Version
	}
	v, _ := ParseVersion(version)
	switch {
	case role == RoleE && eraOf(v) == eraBoth:
		return "upgrade Expressway-C and -E to X15.4, where Expressway-E takes a serverAuth-only certificate, or to X15.5, where the client certificate comes from the internal CA (" + docFN + ")"
	case role == RoleC:
		return "have the internal CA sign Expressway-C's certificate (" + docFN + ", option 3: a private PKI for Expressway-C), or upgrade to X15.5 and take its client certificate from the internal CA"
	}
	return "upgrade to X15.5, where the client certificate comes from the internal CA (" + docFN + ")"
}
