package cucm

import (
	"strings"

	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/product"
)

// build works out the plan of a checked deployment.
type build struct {
	d *deploy
	p *plan.Plan
	// byType names the certificates of each type, for the install files.
	byType map[string][]*plan.Certificate
}

func newBuild(d *deploy) *build {
	p := product.NewPlan("cucm", d.s.Version.Value)
	p.Warnings = append(p.Warnings, d.warnings...)
	return &build{d: d, p: p, byType: map[string][]*plan.Certificate{}}
}

func (b *build) build() *plan.Plan {
	for _, t := range b.d.types {
		b.certsOf(t)
	}
	b.p.CAs = []plan.CA{{Name: b.d.internalCA, KeyType: string(b.d.caKey), Purpose: "internal"}}
	b.p.CAServer = b.d.s.CAServer.Value
	b.bundles()
	b.installs()
	b.warnings()
	return b.p
}

// certsOf plans one type: a multi-server certificate generated on the
// cluster's publisher and covering every node (Security Guide Release 14,
// "Multi-Server SAN"; TAC 118731; UCM-09), else one per node. Unity
// Connection is its own cluster: its tomcat is per node.
func (b *build) certsOf(t certType) {
	d := b.d
	if t.key == "capf" {
		b.addCAPF(t)
		return
	}
	nodes := d.nodes(t.cluster())
	if t.key == "tomcat" || t.key == "tomcat-ecdsa" {
		nodes = append(append([]string{}, d.cucm...), d.imp...)
	}
	multi := d.multi && t.multi && !(t.key == "tvs" && d.version.Major < 14)
	if multi {
		b.add(t, t.key+"-ms", msCN(nodes[0], d.s.Domain.Value, t.ec), nodes, nodes[0], publisherWord(t.cluster()))
	} else {
		for _, n := range d.nodes(t.cluster()) {
			b.add(t, host(n)+"-"+t.key, n, []string{n}, n, "node")
		}
		if t.cluster() == onCUCM && (t.key == "tomcat" || t.key == "tomcat-ecdsa") {
			for _, n := range d.imp {
				b.add(t, host(n)+"-"+t.key, n, []string{n}, n, "IM and Presence node")
			}
		}
	}
	if t.key == "tomcat" || t.key == "tomcat-ecdsa" {
		for _, n := range d.unity {
			b.add(t, host(n)+"-"+t.key, n, []string{n}, n, "Unity Connection node")
		}
	}
}

func publisherWord(cluster string) string {
	if cluster == onIMP {
		return "IM and Presence publisher"
	}
	return "Unified CM publisher"
}

// msCN is the CN Unified CM gives a multi-server CSR: <host>-ms.<domain>,
// <host>-EC-ms.<domain> for ECDSA (Security Guide Release 14, "Certificate
// Signing Request Key Usage Extensions"; research §2.1).
func msCN(publisher, domain string, ec bool) string {
	if ec {
		return host(publisher) + "-EC-ms." + domain
	}
	return host(publisher) + "-ms." + domain
}

func host(fqdn string) string { return strings.ToLower(product.FirstLabel(fqdn)) }

// add plans one CSR of type t, made on by. The CSR asks for serverAuth and
// clientAuth (and IPsec end system): the CA must keep them (Administration
// Guide 12.5(1)SU3, "Manage Certificates"; UCM-06, UCM-07).
func (b *build) add(t certType, name, cn string, nodes []string, by, what string) {
	d := b.d
	sans := append([]string{}, nodes...)
	if t.cluster() == onIMP {
		sans = append(sans, d.s.Domain.Value) // the XMPP domain of IM and Presence
	}
	kt, alg := d.key, "RSA"
	if t.ec {
		kt, alg = d.ecKey, "ECDSA"
	}
	c := product.NewCert(product.CertSpec{Name: name, CN: cn, SANs: sans, Signer: d.internalCA, Key: kt, Days: d.days,
		EKU: []string{product.ServerAuth, product.ClientAuth}})
	c.Files.Key = ""
	// The <host>-ms CN names no host and Unified CM does not list it among
	// the SANs: the SANs are the nodes (choice, docs/plan-rules.md).
	c.SANs = product.Uniq(sans...)
	if !t.ec {
		// The CA keeps the Data Encipherment bit the CSR asks for (UCM-07).
		c.KeyUsage = append(c.KeyUsage, "dataEncipherment")
	}
	c.KeyHeld = &plan.KeyHeld{By: by + " (" + what + ")", Hint: t.purpose, MaxKeyBits: 4096, KeyAlgorithm: alg}
	c.Status = plan.StatusAwaitingCA
	for _, n := range nodes {
		product.AddUse(c, host(n), t.purpose)
	}
	if t.role != "" {
		c.Roles = []plan.RoleCheck{{Role: t.role, Names: product.Uniq(sans...), Version: d.s.Version.Value, Trust: d.internalCA}}
	}
	b.p.Certificates = append(b.p.Certificates, c)
	b.byType[t.key] = append(b.byType[t.key], c)
}

// addCAPF plans the CAPF certificate: one, on the publisher, where CAPF runs
// from Release 14 (research §2.1), signed by the internal CA as a
// subordinate CA that signs the phones' LSCs and nothing below them:
// basicConstraints CA:TRUE, pathLenConstraint 0, keyUsage digitalSignature
// and keyCertSign (Security Guide Release 14SU2, "Certificate Authority
// Proxy Function": "CA:TRUE, pathlen:0", "Digital Signature, Certificate
// Sign"; UCM-07). No cRLSign: CAPF publishes no CRL and its CSR does not ask
// for it. EKU serverAuth, plus clientAuth from 14SU2, whose CSR table marks
// it (research §2.1). The CSR's own extensions are never copied
// (certgen.Sign).
func (b *build) addCAPF(t certType) {
	d := b.d
	pub := d.cucm[0]
	eku := []string{product.ServerAuth}
	if d.version.Major > 14 || d.version.Major == 14 && d.version.MR >= 2 {
		eku = append(eku, product.ClientAuth)
	}
	c := product.NewCert(product.CertSpec{Name: host(pub) + "-capf", CN: pub, SANs: []string{pub}, Signer: d.internalCA,
		Key: d.key, Days: d.days, EKU: eku})
	c.Files.Key = ""
	c.KeyUsage = []string{"digitalSignature", "keyCertSign"}
	c.SubordinateCA = true
	c.KeyHeld = &plan.KeyHeld{By: pub + " (" + publisherWord(onCUCM) + ")", Hint: t.purpose, MaxKeyBits: 4096, KeyAlgorithm: "RSA"}
	c.Status = plan.StatusAwaitingCA
	product.AddUse(c, host(pub), t.purpose)
	b.p.Certificates = append(b.p.Certificates, c)
	b.byType[t.key] = append(b.byType[t.key], c)
	product.Warnf(b.p, "%s: this issues a CA certificate: the CAPF it makes can sign phone certificates (LSCs) that every system trusting %s accepts; it can sign no CA below it (pathLenConstraint 0). Plan it only if Unified CM's CAPF is to be part of your internal CA's hierarchy (%s)",
		c.Name, d.internalCA, docCAPF)
}

// bundles: <ca>.pem, the internal CA's certificate, uploaded as each
// purpose's -trust before the certificate (UCM-08).
func (b *build) bundles() {
	var names []string
	for _, c := range b.p.Certificates {
		names = append(names, c.Name)
	}
	b.p.Bundles = append(b.p.Bundles, plan.Bundle{Name: b.d.internalCA, File: b.d.internalCA + ".pem", Layout: "trust", Members: names, CA: b.d.internalCA})
}

// warnings: a CallManager RSA key above 2048 bits may stop some phones
// registering (Security Guide Release 14; UCM-04).
func (b *build) warnings() {
	for _, c := range b.byType["callmanager"] {
		if c.KeyType == string(keys.RSA3072) || c.KeyType == string(keys.RSA4096) {
			product.Warnf(b.p, "%s: a CallManager RSA key above 2048 bits may stop some phone models registering: check the Cisco Unified Reporting \"3072/4096 RSA key size support\" report first (Security Guide for Cisco Unified Communications Manager Release 14, \"Certificates\")", c.Name)
		}
	}
}
