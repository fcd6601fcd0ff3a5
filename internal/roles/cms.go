package roles

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/confcert/confcert/internal/chain"
)

// cmsRoles are the Cisco Meeting Server roles (spec roles.md; seed 002).
func cmsRoles() []role {
	return []role{
		{Name: "cms-callbridge", Product: "cms", Rules: []rule{
			// Unified CM needs serverAuth and clientAuth on the Call Bridge
			// certificate (002 §3.2, §3.3 notes); the Call Bridge is the client of
			// Web Bridge 3's C2W link (002 D.1).
			{"CALLBRIDGE-EKU", "002 §3.2, §3.3 notes; D.1", callBridgeEKU},
			// Public CAs stopped issuing clientAuth (root-program rules, 2026).
			{"PUBLIC-CLIENT-AUTH", "root-program rules", publicClientAuth},
			// The Lync FE trusts the CN it was told, and wants it in the SANs (002 §3.1.1, §5.5).
			{"LYNC-CN", "002 §3.1.1, §5.5", lyncCN},
		}},
		{Name: "cms-webbridge", Product: "cms", Rules: []rule{
			{"WEBBRIDGE-NAME", "002 §3.1.2, §5.3", webBridgeName},
			// WebRTC clients need a public CA (002 Table 2).
			{"PUBLIC-TRUST", "002 Table 2", publicTrust},
		}},
		{Name: "cms-webbridge3-https", Product: "cms", File: fullChain, Rules: []rule{
			{"FULLCHAIN", "002 D.1, D.3", fullChainRule},
			{"WB3-KEY-USAGE", "002 D.2", func(in *input) []Result { return keyUsageRule("WB3-KEY-USAGE", in, fail) }},
		}},
		{Name: "cms-webbridge3-c2w", Product: "cms", File: fullChain, OwnNames: true, Rules: []rule{
			{"FULLCHAIN", "002 D.1", fullChainRule},
			// "If the webbridge3 c2w certificate requires extended key usage, it
			// should be server authentication" (002 D.1).
			{"C2W-EKU", "002 D.1", ekuNeeds("C2W-EKU", x509.ExtKeyUsageServerAuth, "serverAuth")},
			// The SAN/CN must match the host or IP of the c2w:// URL (002 D.1).
			{"C2W-NAME", "002 D.1", nameInCNOrSAN("C2W-NAME", "the c2w:// URL's host")},
		}},
		{Name: "cms-xmpp", Product: "cms", OwnNames: true, Rules: []rule{
			// XMPP clients refuse a certificate without SAN (002 Table 4).
			{"XMPP-SAN", "002 Table 4", xmppSAN},
			// The XMPP domain must be in the SANs (002 §3.1.3, §5.2).
			{"XMPP-DOMAIN", "002 §3.1.3, §5.2", xmppDomain},
			// The XMPP server's DNS name in the CN or the SANs (002 §3.1.3).
			{"XMPP-NAME", "002 §3.1.3", nameInCNOrSAN("XMPP-NAME", "the XMPP server's DNS name")},
			// No IP address in an XMPP certificate (002 §4.11.1 note).
			{"XMPP-NO-IP", "002 §4.11.1 note", xmppNoIP},
		}},
		{Name: "cms-turn", Product: "cms", Rules: []rule{
			// Signed by the same CA as the Web Bridge certificate (002 §3.1.6).
			{"TURN-SIGNER", "002 §3.1.6", turnSigner},
		}},
		{Name: "cms-dbserver", Product: "cms", Rules: []rule{
			// "ensure Server Authentication is allowed for the database server" (002 §3.1.5).
			{"DB-SERVER-EKU", "002 §3.1.5", ekuNeeds("DB-SERVER-EKU", x509.ExtKeyUsageServerAuth, "serverAuth")},
			// Nodes trust a chain that ends at the cluster's dedicated root (002 §3.1.5, §4.8).
			{"DB-CA", "002 §3.1.5, §4.8", dbCA},
		}},
		// The database client presents CN postgres and nothing else is read
		// from it (002 §3.1.5, §4.8): no SAN is needed.
		{Name: "cms-dbclient", Product: "cms", ClientOnly: true, Rules: []rule{
			// The CN for a database client must equal "postgres" (002 §3.1.5, §4.8).
			{"DB-CLIENT-CN", "002 §3.1.5, §4.8", dbClientCN},
			{"DB-CLIENT-EKU", "002 §3.1.5", ekuNeeds("DB-CLIENT-EKU", x509.ExtKeyUsageClientAuth, "clientAuth")},
		}},
		// The trunk and the Load Balancer cannot share a key pair (002 §3.1.4, §4.5).
		{Name: "cms-trunk", Product: "cms", Rules: []rule{{"DISTINCT-PAIR", "002 §3.1.4, §4.5", distinctPair}}},
		{Name: "cms-loadbalancer", Product: "cms", Rules: []rule{{"DISTINCT-PAIR", "002 §3.1.4, §4.5", distinctPair}}},
		// Internal CA signed, generic rules only (002 Table 3).
		{Name: "cms-webadmin", Product: "cms"},
		{Name: "cms-recorder", Product: "cms"},
		{Name: "cms-streamer", Product: "cms"},
	}
}

const reissueBoth = "have it re-issued with EKU serverAuth and clientAuth: confcert sign NAME CA --profile server+client (or the CA's template that allows both)"

func callBridgeEKU(in *input) []Result {
	c := in.leaf
	if hasEKU(c, x509.ExtKeyUsageServerAuth) && hasEKU(c, x509.ExtKeyUsageClientAuth) {
		if !hasEKUExt(c) {
			return pass("CALLBRIDGE-EKU", "no extended key usage: every use allowed")
		}
		return pass("CALLBRIDGE-EKU", "extended key usage has serverAuth and clientAuth")
	}
	msg := "extended key usage lacks " + missingEKU(c)
	if in.req.CUCM {
		msg += ": Unified CM refuses the trunk"
	} else {
		msg += ": Unified CM trunks and Web Bridge 3 need both"
	}
	return failOr(in.req.CUCM, "CALLBRIDGE-EKU", msg, reissueBoth)
}

func missingEKU(c *x509.Certificate) string {
	var m []string
	if !hasEKU(c, x509.ExtKeyUsageServerAuth) {
		m = append(m, "serverAuth")
	}
	if !hasEKU(c, x509.ExtKeyUsageClientAuth) {
		m = append(m, "clientAuth")
	}
	return strings.Join(m, " and ")
}

func publicClientAuth(in *input) []Result {
	needed := in.req.CUCM || (hasEKUExt(in.leaf) && hasEKU(in.leaf, x509.ExtKeyUsageClientAuth))
	if !needed {
		return nil
	}
	if in.publiclyTrusted() {
		return warn("PUBLIC-CLIENT-AUTH", "signed by a public CA, and the Call Bridge needs clientAuth: public CAs no longer issue it, renewals will lack it",
			"use an internal CA for this certificate: confcert sign NAME CA --profile server+client")
	}
	return pass("PUBLIC-CLIENT-AUTH", "not from a public CA: renewals keep clientAuth")
}

func lyncCN(in *input) []Result {
	fqdn := in.req.LyncFQDN
	if fqdn == "" {
		return nil
	}
	fix := "make a new CSR: confcert csr callbridge CN:" + fqdn + " subjectAltName:" + fqdn + ",..."
	if !strings.EqualFold(in.leaf.Subject.CommonName, fqdn) {
		return fail("LYNC-CN", fmt.Sprintf("the CN is %q, not the Lync trusted-application FQDN %s", in.leaf.Subject.CommonName, fqdn), fix)
	}
	if !listed(sans(in.leaf), fqdn) {
		return fail("LYNC-CN", fqdn+" is not among the subject alternative names", fix)
	}
	return pass("LYNC-CN", "CN and SANs hold the Lync trusted-application FQDN "+fqdn)
}

func webBridgeName(in *input) []Result {
	if len(in.req.Names) == 0 {
		return nil
	}
	name, cn := in.req.Names[0], in.leaf.Subject.CommonName
	fix := "make a new CSR: confcert csr webbridge CN:" + name + " subjectAltName:" + name + ",..."
	if !coveredBy(sans(in.leaf), name) {
		return fail("WEBBRIDGE-NAME", "the Web Bridge's A record "+name+" is not among the subject alternative names: browsers will show a certificate error", fix)
	}
	if !strings.EqualFold(cn, name) && (in.req.Domain == "" || !strings.EqualFold(cn, in.req.Domain)) {
		return fail("WEBBRIDGE-NAME", fmt.Sprintf("the CN %q is neither the A record %s nor the domain %s", cn, name, orNone(in.req.Domain)), fix)
	}
	return pass("WEBBRIDGE-NAME", "CN "+cn+" and SANs cover the A record "+name)
}

func orNone(s string) string {
	if s == "" {
		return "(no --domain)"
	}
	return s
}

func publicTrust(in *input) []Result {
	if in.publiclyTrusted() {
		return pass("PUBLIC-TRUST", "chain verifies against the system's public roots")
	}
	return warn("PUBLIC-TRUST", "chain does not verify against the system's public roots: WebRTC clients need a public CA",
		"have the Web Bridge certificate signed by a public CA, and give its intermediates in --bundle")
}

// fullChainRule: the file starts with the leaf and runs to the root (002 D.1–D.3).
func fullChainRule(in *input) []Result {
	certs := in.cert.Certs
	fix := "make the full-chain file: confcert bundle --layout fullchain -o NAME-fullchain.crt " + in.cert.Path + " CA-FILES..."
	ok, bad := chain.InSequence(certs)
	switch {
	case !certs[0].Equal(in.leaf):
		return fail("FULLCHAIN", in.cert.Path+" does not start with the server certificate", fix)
	case len(certs) == 1:
		return fail("FULLCHAIN", in.cert.Path+" holds the server certificate only: Web Bridge 3 needs the full chain", fix)
	case !ok:
		return fail("FULLCHAIN", fmt.Sprintf("%s: certificate %d (%s) is not the issuer of the one before it", in.cert.Path, bad+1, chain.DisplayName(certs[bad])), fix)
	case !chain.SelfSigned(certs[len(certs)-1]):
		return fail("FULLCHAIN", in.cert.Path+" does not end with the root certificate", fix)
	}
	return pass("FULLCHAIN", fmt.Sprintf("%s is a full chain of %d certificates, leaf first, root last", in.cert.Path, len(certs)))
}

// ekuNeeds fails when an EKU extension is present without want.
func ekuNeeds(id string, want x509.ExtKeyUsage, name string) func(*input) []Result {
	return func(in *input) []Result {
		if !hasEKUExt(in.leaf) {
			return pass(id, "no extended key usage: every use allowed")
		}
		if !hasEKU(in.leaf, want) {
			return fail(id, "extended key usage lacks "+name, "have it re-issued with "+name+": confcert sign NAME CA --profile "+profileFor(want))
		}
		return pass(id, "extended key usage has "+name)
	}
}

func profileFor(u x509.ExtKeyUsage) string {
	if u == x509.ExtKeyUsageClientAuth {
		return "client"
	}
	return "server"
}

// nameInCNOrSAN: every --name is matched by the CN or a SAN.
func nameInCNOrSAN(id, what string) func(*input) []Result {
	return func(in *input) []Result {
		if len(in.req.Names) == 0 {
			return nil
		}
		names := append(sans(in.leaf), in.leaf.Subject.CommonName)
		for _, n := range in.req.Names {
			if !coveredBy(names, n) {
				return fail(id, n+" ("+what+") is in neither the CN nor the subject alternative names",
					"make a new CSR: confcert csr NAME CN:"+n+" subjectAltName:"+n+",...")
			}
		}
		return pass(id, strings.Join(in.req.Names, ", ")+" matched by the CN or a SAN")
	}
}

func xmppSAN(in *input) []Result {
	if !hasSAN(in.leaf) {
		return fail("XMPP-SAN", "no subject alternative name: XMPP clients will show a certificate error",
			"make a new CSR with subjectAltName: confcert csr xmpp CN:XMPP-SERVER subjectAltName:XMPP-DOMAIN")
	}
	return pass("XMPP-SAN", "subject alternative names present")
}

func xmppDomain(in *input) []Result {
	d := in.req.Domain
	if d == "" {
		return nil
	}
	if !coveredBy(in.leaf.DNSNames, d) {
		return fail("XMPP-DOMAIN", "the XMPP domain "+d+" is not among the subject alternative names",
			"make a new CSR: confcert csr xmpp CN:"+in.leaf.Subject.CommonName+" subjectAltName:"+d)
	}
	return pass("XMPP-DOMAIN", "the XMPP domain "+d+" is among the subject alternative names")
}

func xmppNoIP(in *input) []Result {
	if len(in.leaf.IPAddresses) > 0 {
		return fail("XMPP-NO-IP", "IP address in the subject alternative names: "+in.leaf.IPAddresses[0].String(),
			"make a new CSR without IP addresses in subjectAltName")
	}
	return pass("XMPP-NO-IP", "no IP address in the subject alternative names")
}

func turnSigner(in *input) []Result {
	if in.peerLeaf == nil {
		return nil
	}
	same := bytes.Equal(in.leaf.RawIssuer, in.peerLeaf.RawIssuer) &&
		(len(in.leaf.AuthorityKeyId) == 0 || len(in.peerLeaf.AuthorityKeyId) == 0 || bytes.Equal(in.leaf.AuthorityKeyId, in.peerLeaf.AuthorityKeyId))
	if !same {
		return warn("TURN-SIGNER", fmt.Sprintf("issued by %s, the Web Bridge certificate by %s: WebRTC clients may not trust the TURN server",
			in.leaf.Issuer.CommonName, in.peerLeaf.Issuer.CommonName), "have the TURN certificate signed by the Web Bridge certificate's CA")
	}
	return pass("TURN-SIGNER", "same issuer as the Web Bridge certificate: "+in.leaf.Issuer.CommonName)
}

func dbCA(in *input) []Result {
	if in.trust == nil {
		return fail("DB-CA", "no --trust: database nodes only trust a chain that ends at the cluster's dedicated CA",
			"give the database cluster CA certificate with --trust (the dbca.crt of `database cluster certs`)")
	}
	if err := in.verify(in.trust.Certs); err != nil {
		return fail("DB-CA", "chain does not end at "+in.trust.Path+": "+verifyWords(err),
			"sign it with the database cluster CA: confcert sign NAME dbca")
	}
	return pass("DB-CA", "chain ends at the cluster CA in "+in.trust.Path)
}

func dbClientCN(in *input) []Result {
	if in.leaf.Subject.CommonName != "postgres" {
		return fail("DB-CLIENT-CN", fmt.Sprintf("Client certificate common name incorrect: the CN is %q, it must be exactly \"postgres\"", in.leaf.Subject.CommonName),
			"make a new CSR: confcert csr dbclient CN:postgres, then confcert sign dbclient dbca")
	}
	return pass("DB-CLIENT-CN", "CN is postgres")
}

func distinctPair(in *input) []Result {
	if in.peerLeaf == nil {
		return nil
	}
	if in.peerLeaf.PublicKeyAlgorithm == in.leaf.PublicKeyAlgorithm && samePublicKey(in.leaf, in.peerLeaf) {
		return fail("DISTINCT-PAIR", "the peer certificate "+in.peer.Path+" has the same key: the trunk and the Load Balancer need different key pairs",
			"make a new key and CSR for one end: confcert csr NAME CN:...")
	}
	return pass("DISTINCT-PAIR", "different key from the peer certificate "+in.peer.Path)
}

func samePublicKey(a, b *x509.Certificate) bool {
	return bytes.Equal(a.RawSubjectPublicKeyInfo, b.RawSubjectPublicKeyInfo)
}
