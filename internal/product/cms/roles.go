package cms

import (
	"github.com/confcert/confcert/internal/rolecheck"

	"bytes"
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/pkiattr"
)

// Roles implements product.Product: the Cisco Meeting Server roles (spec roles.md; seed 002).
func (Product) Roles() []rolecheck.Role {
	roles := []rolecheck.Role{
		{Name: RoleCallbridge, Rules: []rolecheck.Rule{
			// Unified CM needs serverAuth and clientAuth on the Call Bridge
			// certificate (002 §3.2, §3.3 notes); the Call Bridge is the client of
			// Web Bridge 3's C2W link (002 D.1).
			{ID: "CALLBRIDGE-EKU", Source: "002 §3.2, §3.3 notes; D.1", Check: callBridgeEKU},
			// Public CAs stopped issuing clientAuth (root-program rules, 2026).
			{ID: "PUBLIC-CLIENT-AUTH", Source: "root-program rules", Check: publicClientAuth},
			// The Lync FE trusts the CN it was told, and wants it in the rolecheck.SANs (002 §3.1.1, §5.5).
			{ID: "LYNC-CN", Source: "002 §3.1.1, §5.5", Check: lyncCN},
		}},
		{Name: RoleWebbridge, Rules: []rolecheck.Rule{
			{ID: "WEBBRIDGE-NAME", Source: "002 §3.1.2, §5.3", Check: webBridgeName},
			// WebRTC clients need a public CA (002 Table 2).
			{ID: "PUBLIC-TRUST", Source: "002 Table 2", Check: publicTrust},
		}},
		{Name: RoleWebbridge3HTTPS, File: rolecheck.FullChain, Rules: []rolecheck.Rule{
			{ID: "FULLCHAIN", Source: "002 D.1, D.3", Check: fullChainRule},
			{ID: "WB3-KEY-USAGE", Source: "002 D.2", Check: func(in *rolecheck.Input) []rolecheck.Result {
				return rolecheck.KeyUsageRule("WB3-KEY-USAGE", in, rolecheck.Fail)
			}},
		}},
		{Name: RoleWebbridge3C2W, File: rolecheck.FullChain, OwnNames: true, Rules: []rolecheck.Rule{
			{ID: "FULLCHAIN", Source: "002 D.1", Check: fullChainRule},
			// "If the webbridge3 c2w certificate requires extended key usage, it
			// should be server authentication" (002 D.1).
			{ID: "C2W-EKU", Source: "002 D.1", Check: ekuNeeds("C2W-EKU", x509.ExtKeyUsageServerAuth, "serverAuth")},
			// The SAN/CN must match the host or IP of the c2w:// URL (002 D.1).
			{ID: "C2W-NAME", Source: "002 D.1", Check: nameInCNOrSAN("C2W-NAME", "the c2w:// URL's host")},
		}},
		{Name: RoleXMPP, OwnNames: true, Rules: []rolecheck.Rule{
			// XMPP clients refuse a certificate without SAN (002 Table 4).
			{ID: "XMPP-SAN", Source: "002 Table 4", Check: xmppSAN},
			// The XMPP domain must be in the rolecheck.SANs (002 §3.1.3, §5.2).
			{ID: "XMPP-DOMAIN", Source: "002 §3.1.3, §5.2", Check: xmppDomain},
			// The XMPP server's DNS name in the CN or the rolecheck.SANs (002 §3.1.3).
			{ID: "XMPP-NAME", Source: "002 §3.1.3", Check: nameInCNOrSAN("XMPP-NAME", "the XMPP server's DNS name")},
			// No IP address in an XMPP certificate (002 §4.11.1 note).
			{ID: "XMPP-NO-IP", Source: "002 §4.11.1 note", Check: xmppNoIP},
		}},
		{Name: RoleTURN, Rules: []rolecheck.Rule{
			// Signed by the same CA as the Web Bridge certificate (002 §3.1.6).
			{ID: "TURN-SIGNER", Source: "002 §3.1.6", Check: turnSigner},
		}},
		{Name: RoleDBServer, Rules: []rolecheck.Rule{
			// "ensure Server Authentication is allowed for the database server" (002 §3.1.5).
			{ID: "DB-SERVER-EKU", Source: "002 §3.1.5", Check: ekuNeeds("DB-SERVER-EKU", x509.ExtKeyUsageServerAuth, "serverAuth")},
			// Nodes trust a chain that ends at the cluster's dedicated root (002 §3.1.5, §4.8).
			{ID: "DB-CA", Source: "002 §3.1.5, §4.8", Check: dbCA},
		}},
		// The database client presents CN postgres and nothing else is read
		// from it (002 §3.1.5, §4.8): no SAN is needed.
		{Name: RoleDBClient, ClientOnly: true, Rules: []rolecheck.Rule{
			// The CN for a database client must equal "postgres" (002 §3.1.5, §4.8).
			{ID: "DB-CLIENT-CN", Source: "002 §3.1.5, §4.8", Check: dbClientCN},
			{ID: "DB-CLIENT-EKU", Source: "002 §3.1.5", Check: ekuNeeds("DB-CLIENT-EKU", x509.ExtKeyUsageClientAuth, "clientAuth")},
		}},
		// The trunk and the Load Balancer cannot share a key pair (002 §3.1.4, §4.5).
		{Name: RoleTrunk, Rules: []rolecheck.Rule{{ID: "DISTINCT-PAIR", Source: "002 §3.1.4, §4.5", Check: distinctPair}}},
		{Name: RoleLoadbalancer, Rules: []rolecheck.Rule{{ID: "DISTINCT-PAIR", Source: "002 §3.1.4, §4.5", Check: distinctPair}}},
		// Internal CA signed, generic rules only (002 Table 3).
		{Name: RoleWebadmin},
		{Name: RoleRecorder},
		{Name: RoleStreamer},
	}
	for i := range roles {
		roles[i].MMPFileNames = true         // every file goes through the MMP (seed 002 §4.2)
		roles[i].ParseVersion = ParseVersion // the versions `plan` takes
	}
	return roles
}

const reissueBoth = "have it re-issued with EKU serverAuth and clientAuth: confcert sign NAME CA --profile server+client (or the CA's template that allows both)"

func callBridgeEKU(in *rolecheck.Input) []rolecheck.Result {
	c := in.Leaf
	if rolecheck.HasEKU(c, x509.ExtKeyUsageServerAuth) && rolecheck.HasEKU(c, x509.ExtKeyUsageClientAuth) {
		if !rolecheck.HasEKUExt(c) {
			return rolecheck.Pass("CALLBRIDGE-EKU", "no extended key usage: every use allowed")
		}
		return rolecheck.Pass("CALLBRIDGE-EKU", "extended key usage has serverAuth and clientAuth")
	}
	msg := "extended key usage lacks " + missingEKU(c)
	if in.Req.CUCM {
		msg += ": Unified CM refuses the trunk"
	} else {
		msg += ": Unified CM trunks and Web Bridge 3 need both"
	}
	return rolecheck.FailOr(in.Req.CUCM, "CALLBRIDGE-EKU", msg, reissueBoth)
}

func missingEKU(c *x509.Certificate) string {
	var m []string
	if !rolecheck.HasEKU(c, x509.ExtKeyUsageServerAuth) {
		m = append(m, "serverAuth")
	}
	if !rolecheck.HasEKU(c, x509.ExtKeyUsageClientAuth) {
		m = append(m, "clientAuth")
	}
	return strings.Join(m, " and ")
}

func publicClientAuth(in *rolecheck.Input) []rolecheck.Result {
	needed := in.Req.CUCM || (rolecheck.HasEKUExt(in.Leaf) && rolecheck.HasEKU(in.Leaf, x509.ExtKeyUsageClientAuth))
	if !needed {
		return nil
	}
	if in.PubliclyTrusted() {
		return rolecheck.Warn("PUBLIC-CLIENT-AUTH", "signed by a public CA, and the Call Bridge needs clientAuth: public CAs no longer issue it, renewals will lack it",
			"use an internal CA for this certificate: confcert sign NAME CA --profile server+client")
	}
	return rolecheck.Pass("PUBLIC-CLIENT-AUTH", "not from a public CA: renewals keep clientAuth")
}

func lyncCN(in *rolecheck.Input) []rolecheck.Result {
	fqdn := in.Req.LyncFQDN
	if fqdn == "" {
		return nil
	}
	fix := "make a new CSR: confcert csr callbridge " + pkiattr.Arg("CN", fqdn) + " " + pkiattr.Arg("subjectAltName", fqdn) + ",..."
	if !strings.EqualFold(in.Leaf.Subject.CommonName, fqdn) {
		return rolecheck.Fail("LYNC-CN", fmt.Sprintf("the CN is %q, not the Lync trusted-application FQDN %s", in.Leaf.Subject.CommonName, fqdn), fix)
	}
	if !rolecheck.Listed(rolecheck.SANs(in.Leaf), fqdn) {
		return rolecheck.Fail("LYNC-CN", fqdn+" is not among the subject alternative names", fix)
	}
	return rolecheck.Pass("LYNC-CN", "CN and rolecheck.SANs hold the Lync trusted-application FQDN "+fqdn)
}

func webBridgeName(in *rolecheck.Input) []rolecheck.Result {
	if len(in.Req.Names) == 0 {
		return nil
	}
	name, cn := in.Req.Names[0], in.Leaf.Subject.CommonName
	fix := "make a new CSR: confcert csr webbridge " + pkiattr.Arg("CN", name) + " " + pkiattr.Arg("subjectAltName", name) + ",..."
	if !rolecheck.CoveredBy(rolecheck.SANs(in.Leaf), name) {
		return rolecheck.Fail("WEBBRIDGE-NAME", "the Web Bridge's A record "+name+" is not among the subject alternative names: browsers will show a certificate error", fix)
	}
	if !strings.EqualFold(cn, name) && (in.Req.Domain == "" || !strings.EqualFold(cn, in.Req.Domain)) {
		return rolecheck.Fail("WEBBRIDGE-NAME", fmt.Sprintf("the CN %q is neither the A record %s nor the domain %s", cn, name, orNone(in.Req.Domain)), fix)
	}
	return rolecheck.Pass("WEBBRIDGE-NAME", "CN "+cn+" and rolecheck.SANs cover the A record "+name)
}

func orNone(s string) string {
	if s == "" {
		return "(no --domain)"
	}
	return s
}

func publicTrust(in *rolecheck.Input) []rolecheck.Result {
	if in.PubliclyTrusted() {
		return rolecheck.Pass("PUBLIC-TRUST", "chain verifies against the system's public roots")
	}
	return rolecheck.Warn("PUBLIC-TRUST", "chain does not verify against the system's public roots: WebRTC clients need a public CA",
		"have the Web Bridge certificate signed by a public CA, and give its intermediates in --bundle")
}

// fullChainRule: the file starts with the leaf and runs to the root (002 D.1–D.3).
func fullChainRule(in *rolecheck.Input) []rolecheck.Result {
	certs := in.Cert.Certs
	fix := "make the full-chain file: confcert bundle --layout fullchain -o NAME-fullchain.crt " + in.Cert.Path + " CA-FILES..."
	ok, bad := chain.InSequence(certs)
	switch {
	case !certs[0].Equal(in.Leaf):
		return rolecheck.Fail("FULLCHAIN", in.Cert.Path+" does not start with the server certificate", fix)
	case len(certs) == 1:
		return rolecheck.Fail("FULLCHAIN", in.Cert.Path+" holds the server certificate only: Web Bridge 3 needs the full chain", fix)
	case !ok:
		return rolecheck.Fail("FULLCHAIN", fmt.Sprintf("%s: certificate %d (%s) is not the issuer of the one before it", in.Cert.Path, bad+1, chain.DisplayName(certs[bad])), fix)
	case !chain.SelfSigned(certs[len(certs)-1]):
		return rolecheck.Fail("FULLCHAIN", in.Cert.Path+" does not end with the root certificate", fix)
	}
	return rolecheck.Pass("FULLCHAIN", fmt.Sprintf("%s is a full chain of %d certificates, leaf first, root last", in.Cert.Path, len(certs)))
}

// ekuNeeds fails when an EKU extension is present without want.
func ekuNeeds(id string, want x509.ExtKeyUsage, name string) func(*rolecheck.Input) []rolecheck.Result {
	return func(in *rolecheck.Input) []rolecheck.Result {
		if !rolecheck.HasEKUExt(in.Leaf) {
			return rolecheck.Pass(id, "no extended key usage: every use allowed")
		}
		if !rolecheck.HasEKU(in.Leaf, want) {
			return rolecheck.Fail(id, "extended key usage lacks "+name, "have it re-issued with "+name+": confcert sign NAME CA --profile "+profileFor(want))
		}
		return rolecheck.Pass(id, "extended key usage has "+name)
	}
}

func profileFor(u x509.ExtKeyUsage) string {
	if u == x509.ExtKeyUsageClientAuth {
		return "client"
	}
	return "server"
}

// nameInCNOrSAN: every --name is matched by the CN or a SAN.
func nameInCNOrSAN(id, what string) func(*rolecheck.Input) []rolecheck.Result {
	return func(in *rolecheck.Input) []rolecheck.Result {
		if len(in.Req.Names) == 0 {
			return nil
		}
		names := append(rolecheck.SANs(in.Leaf), in.Leaf.Subject.CommonName)
		for _, n := range in.Req.Names {
			if !rolecheck.CoveredBy(names, n) {
				return rolecheck.Fail(id, n+" ("+what+") is in neither the CN nor the subject alternative names",
					"make a new CSR: confcert csr NAME "+pkiattr.Arg("CN", n)+" "+pkiattr.Arg("subjectAltName", n)+",...")
			}
		}
		return rolecheck.Pass(id, strings.Join(in.Req.Names, ", ")+" matched by the CN or a SAN")
	}
}

func xmppSAN(in *rolecheck.Input) []rolecheck.Result {
	if !rolecheck.HasSAN(in.Leaf) {
		return rolecheck.Fail("XMPP-SAN", "no subject alternative name: XMPP clients will show a certificate error",
			"make a new CSR with subjectAltName: confcert csr xmpp CN:XMPP-SERVER subjectAltName:XMPP-DOMAIN")
	}
	return rolecheck.Pass("XMPP-SAN", "subject alternative names present")
}

func xmppDomain(in *rolecheck.Input) []rolecheck.Result {
	d := in.Req.Domain
	if d == "" {
		return nil
	}
	if !rolecheck.CoveredBy(in.Leaf.DNSNames, d) {
		return rolecheck.Fail("XMPP-DOMAIN", "the XMPP domain "+d+" is not among the subject alternative names",
			"make a new CSR: confcert csr xmpp "+pkiattr.Arg("CN", in.Leaf.Subject.CommonName)+" "+pkiattr.Arg("subjectAltName", d))
	}
	return rolecheck.Pass("XMPP-DOMAIN", "the XMPP domain "+d+" is among the subject alternative names")
}

func xmppNoIP(in *rolecheck.Input) []rolecheck.Result {
	if len(in.Leaf.IPAddresses) > 0 {
		return rolecheck.Fail("XMPP-NO-IP", "IP address in the subject alternative names: "+in.Leaf.IPAddresses[0].String(),
			"make a new CSR without IP addresses in subjectAltName")
	}
	return rolecheck.Pass("XMPP-NO-IP", "no IP address in the subject alternative names")
}

func turnSigner(in *rolecheck.Input) []rolecheck.Result {
	if in.PeerLeaf == nil {
		return nil
	}
	same := bytes.Equal(in.Leaf.RawIssuer, in.PeerLeaf.RawIssuer) &&
		(len(in.Leaf.AuthorityKeyId) == 0 || len(in.PeerLeaf.AuthorityKeyId) == 0 || bytes.Equal(in.Leaf.AuthorityKeyId, in.PeerLeaf.AuthorityKeyId))
	if !same {
		return rolecheck.Warn("TURN-SIGNER", fmt.Sprintf("issued by %s, the Web Bridge certificate by %s: WebRTC clients may not trust the TURN server",
			in.Leaf.Issuer.CommonName, in.PeerLeaf.Issuer.CommonName), "have the TURN certificate signed by the Web Bridge certificate's CA")
	}
	return rolecheck.Pass("TURN-SIGNER", "same issuer as the Web Bridge certificate: "+in.Leaf.Issuer.CommonName)
}

func dbCA(in *rolecheck.Input) []rolecheck.Result {
	if in.Trust == nil {
		return rolecheck.Fail("DB-CA", "no --trust: database nodes only trust a chain that ends at the cluster's dedicated CA",
			"give the database cluster CA certificate with --trust (the dbca.crt of `database cluster certs`)")
	}
	if err := in.Verify(in.Trust.Certs); err != nil {
		return rolecheck.Fail("DB-CA", "chain does not end at "+in.Trust.Path+": "+rolecheck.VerifyWords(err),
			"sign it with the database cluster CA: confcert sign NAME dbca")
	}
	return rolecheck.Pass("DB-CA", "chain ends at the cluster CA in "+in.Trust.Path)
}

func dbClientCN(in *rolecheck.Input) []rolecheck.Result {
	if in.Leaf.Subject.CommonName != "postgres" {
		return rolecheck.Fail("DB-CLIENT-CN", fmt.Sprintf("Client certificate common name incorrect: the CN is %q, it must be exactly \"postgres\"", in.Leaf.Subject.CommonName),
			"make a new CSR: confcert csr dbclient CN:postgres, then confcert sign dbclient dbca")
	}
	return rolecheck.Pass("DB-CLIENT-CN", "CN is postgres")
}

func distinctPair(in *rolecheck.Input) []rolecheck.Result {
	if in.PeerLeaf == nil {
		return nil
	}
	if in.PeerLeaf.PublicKeyAlgorithm == in.Leaf.PublicKeyAlgorithm && samePublicKey(in.Leaf, in.PeerLeaf) {
		return rolecheck.Fail("DISTINCT-PAIR", "the peer certificate "+in.Peer.Path+" has the same key: the trunk and the Load Balancer need different key pairs",
			"make a new key and CSR for one end: confcert csr NAME CN:...")
	}
	return rolecheck.Pass("DISTINCT-PAIR", "different key from the peer certificate "+in.Peer.Path)
}

func samePublicKey(a, b *x509.Certificate) bool {
	return bytes.Equal(a.RawSubjectPublicKeyInfo, b.RawSubjectPublicKeyInfo)
}
