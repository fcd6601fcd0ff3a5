package cucm

import (
	"fmt"
	"strings"

	"github.com/confcert/confcert/internal/plan"
)

// Cisco documents as install notes and messages cite them.
const (
	docSecurity = "Security Guide for Cisco Unified Communications Manager Release 14, \"Certificates\""
	docAdmin    = "Administration Guide for Cisco Unified Communications Manager 12.5(1)SU3, \"Manage Certificates\""
	docRegen    = "Cisco TAC document 214231, \"Regenerate Certificates in Unified Communications Manager\""
	docMRA      = "Mobile and Remote Access Through Cisco Expressway Deployment Guide X15.0, \"Certificate Exchange Requirements\""
	docFN       = "Cisco Field Notice FN74345"
	docCAPF     = "Security Guide for Cisco Unified Communications Manager Release 14SU2, \"Certificate Authority Proxy Function\""
	docRenewal  = "Cisco TAC document 225746, \"Troubleshoot Common Issues with Certificate Renewal in CUCM\""
)

const osAdmin = "Cisco Unified OS Administration > Security > Certificate Management"

// installs writes one install file per cluster: the Unified CM publisher,
// the IM and Presence publisher, each Unity Connection node. IM and Presence
// gets one for its own certificate types, or to trust Expressway-C's CA chain
// (UCM-11).
func (b *build) installs() {
	d := b.d
	b.install(d.cucm[0], onCUCM)
	if len(d.imp) > 0 && (b.hasCluster(onIMP) || d.s.ExpresswayCCA.Value != "") {
		b.install(d.imp[0], onIMP)
	}
	for _, n := range d.unity {
		b.install(n, onUnity)
	}
}

func (b *build) hasCluster(cluster string) bool {
	for _, t := range b.d.types {
		if t.cluster() == cluster {
			return true
		}
	}
	return false
}

func (b *build) install(node, cluster string) {
	in := plan.Install{Node: host(node), File: "install/" + host(node) + ".txt"}
	certs := b.certsOn(node, cluster)
	if len(certs) > 0 {
		in.Uploads = []string{b.d.internalCA + ".pem: the internal CA's certificate, for each -trust store below"}
	}
	for _, c := range certs {
		in.Uploads = append(in.Uploads, c.Files.Cert+": exists after its CSR is brought back with --import")
	}
	in.Commands = append(b.before(), b.trustSteps(certs, cluster)...)
	for i, c := range certs {
		in.Commands = append(in.Commands, b.typeSteps(i+1, c)...)
	}
	in.Commands = append(in.Commands, b.after(cluster)...)
	in.Notes = b.notes(cluster)
	b.p.Install = append(b.p.Install, in)
}

// certsOn lists the certificates an install file handles, in type order.
func (b *build) certsOn(node, cluster string) []*plan.Certificate {
	var out []*plan.Certificate
	for _, t := range b.d.types {
		for _, c := range b.byType[t.key] {
			held := strings.HasPrefix(c.KeyHeld.By, node+" ")
			if cluster == onCUCM && t.cluster() == onCUCM && !b.isUnity(c) || cluster != onCUCM && held {
				out = append(out, c)
			}
		}
	}
	return out
}

func (b *build) isUnity(c *plan.Certificate) bool {
	return strings.HasSuffix(c.KeyHeld.By, "(Unity Connection node)")
}

// before: every phone registered, the current ITL/CTL noted, a backup
// (TAC 214231; UCM-19, UCM-20).
func (b *build) before() []string {
	return []string{
		"Before: every phone registered and powered on (a phone that misses the change needs its ITL deleted); note show itl and show ctl; take a DRS backup (" + docRegen + ").",
	}
}

// trustSteps: the CA chain as <purpose>-trust first, then the certificate
// (UCM-08); trust stores replicate cluster-wide (UCM-12).
func (b *build) trustSteps(certs []*plan.Certificate, cluster string) []string {
	var stores []string
	for _, c := range certs {
		t, _ := typeNamed(typeKey(c))
		if !contains(stores, t.trust) {
			stores = append(stores, t.trust)
		}
	}
	var out []string
	for _, s := range stores {
		line := fmt.Sprintf("%s > Upload Certificate/Certificate chain: Certificate Purpose %s, file %s.pem (the root, and each intermediate if any, as %s first; %s)", osAdmin, s, b.d.internalCA, s, docAdmin)
		if s == "CAPF-trust" {
			// CAPF-trust is node-local (UCM-12); the CA-signed CAPF's root
			// reaches CallManager-trust by itself (research §2.3).
			line += ". CAPF-trust is node-local: upload it on the publisher, where CAPF runs; Unified CM copies the CAPF certificate's root into CallManager-trust itself (" + docSecurity + ")"
		}
		out = append(out, line)
	}
	if f := b.d.s.ExpresswayCCA.Value; f != "" && cluster != onUnity {
		out = append(out, b.expresswayTrust(f, cluster)...)
	}
	return out
}

// expresswayTrust: Unified CM trusts Expressway-C's CA chain in tomcat-trust
// and CallManager-trust even in non-secure mode; IM and Presence in
// cup-xmpp-trust and tomcat-trust (MRA Deployment Guide X15.0; UCM-11).
func (b *build) expresswayTrust(file, cluster string) []string {
	stores := []string{"tomcat-trust", "CallManager-trust"}
	if cluster == onIMP {
		stores = []string{"cup-xmpp-trust", "tomcat-trust"}
	}
	var out []string
	for _, s := range stores {
		out = append(out, fmt.Sprintf("%s > Upload Certificate/Certificate chain: Certificate Purpose %s, file %s: the CA chain that signed Expressway-C (%s)", osAdmin, s, file, docMRA))
	}
	return out
}

func typeKey(c *plan.Certificate) string {
	for _, t := range certTypes() {
		if strings.EqualFold(c.KeyHeld.Hint, t.purpose) {
			return t.key
		}
	}
	return ""
}

// typeSteps: one certificate type at a time, from CSR to restart, waiting
// for the phones before the next (Security Guide Release 14; UCM-19).
func (b *build) typeSteps(n int, c *plan.Certificate) []string {
	t, _ := typeNamed(typeKey(c))
	dist := "the node " + strings.Fields(c.KeyHeld.By)[0]
	if strings.HasSuffix(c.Name, "-ms") {
		dist = "Multi-server (SAN)"
	}
	alg, length := "RSA", strings.TrimPrefix(c.KeyType, "rsa")
	if t.ec {
		alg, length = "EC", map[string]string{"ecdsa-p256": "256", "ecdsa-p384": "384"}[c.KeyType]
	}
	steps := []string{
		fmt.Sprintf("%d. %s: %s > Generate CSR: Certificate Purpose %s, Distribution %s, Common Name %s, Key Type %s, Key Length %s, Hash Algorithm SHA256; the SAN list must hold %s.",
			n, c.Name, osAdmin, t.purpose, dist, c.CN, alg, length, strings.Join(c.SANs, ", ")),
		fmt.Sprintf("%d. Download CSR, then: confcert plan <this deployment file> -o <this directory> --import <the downloaded %s.csr>: confcert checks it and writes %s, signed by %s.", n, t.purpose, c.Files.Cert, b.d.internalCA),
		fmt.Sprintf("%d. %s > Upload Certificate/Certificate chain: Certificate Purpose %s, file %s (multi-server certificates: the web page only, not the CLI, from 14SU2).", n, osAdmin, t.purpose, c.Files.Cert),
		fmt.Sprintf("%d. Restart: %s. Wait until the phones have re-registered before the next type.", n, t.restart),
	}
	if t.key == "capf" {
		steps = append(steps, b.capfSteps(n, c)...)
	}
	return steps
}

// capfSteps: after a CAPF change, the CTL update in mixed mode (UCM-18), the
// phones reset by "Phone Interaction on Certificate Update" (UCM-21), and
// 802.1x that authenticates phones by their LSC (research §2.4).
func (b *build) capfSteps(n int, c *plan.Certificate) []string {
	var out []string
	if b.d.s.MixedMode.Value {
		out = append(out, fmt.Sprintf("%d. Mixed mode: run utils ctl update CTLFile on the publisher now, then reset the phones: a phone whose CTL lacks the new CAPF certificate stays registering over TLS (%s; %s).", n, docSecurity, docRenewal))
	}
	return append(out,
		fmt.Sprintf("%d. Phones reset: the enterprise parameter Phone Interaction on Certificate Update (default: reset the phones automatically) acts when the CAPF certificate changes; upload it in a maintenance window (%s).", n, docSecurity),
		fmt.Sprintf("%d. 802.1x: if the network authenticates phones by their LSC, have the RADIUS server trust %s.pem and %s (the LSCs' new issuer) before the phones get new LSCs; a CAPF regenerated while 802.1x depends on it gives \"802.1x Authentication: Failed\" (%s).", n, b.d.internalCA, c.Files.Cert, docRenewal))
}

// after: CTL update in mixed mode, a new DRS backup (UCM-18, UCM-20).
func (b *build) after(cluster string) []string {
	var out []string
	if cluster == onCUCM && b.d.s.MixedMode.Value {
		out = append(out, "Mixed mode: after a CallManager (or CAPF, ITLRecovery) change, run utils ctl update CTLFile on the publisher, then reset the phones ("+docSecurity+").")
	}
	return append(out, "Take a new DRS backup: a restore of the old one would leave every phone to unlock by hand ("+docSecurity+").")
}

func (b *build) notes(cluster string) []string {
	out := []string{
		"Never regenerate CallManager and TVS together: where CallManager signs the ITL (8.x to 11.5) the phones cannot recover without deleting their ITL (" + docRegen + "). The Security Guide says to change the TFTP (CallManager) certificate last; TAC 214231 says TVS last.",
		"A trust store keeps one certificate per subject: a re-issued CA with the same subject replaces the old one; give a new CA a new CN (" + docSecurity + ").",
		"A node added later is not in a multi-server certificate: plan again and regenerate.",
	}
	if cluster != onUnity {
		out = append(out, "Expressway-C must trust these certificates: append "+b.d.internalCA+".pem to its Trusted CA list; the Unified CM node names configured on Expressway-C must be among the tomcat SANs ("+docMRA+").")
	}
	if contains(typeKeys(b.d.types), "tomcat") {
		out = append(out, "SAML SSO with the tomcat certificate: export the SP metadata again and give it to the IdP (Cisco TAC document 225746).")
	}
	return out
}

func typeKeys(ts []certType) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.key)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ClientAuthWayOut implements product.ClientAuthAdviser (FN74345): Unified CM
// 15SU5 separates server and client certificates; until then the internal CA.
func (Product) ClientAuthWayOut(*plan.Plan, *plan.Certificate) string {
	return "have the internal CA sign it, or run Unified CM 15SU5, which separates server and client certificates (" + docFN + ")"
}
