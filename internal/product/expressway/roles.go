package expressway

import (
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/confcert/confcert/internal/rolecheck"
)

// Roles implements product.Product: expressway-c and expressway-e judge a
// server certificate for its cluster role, expressway-client the X15.5
// client certificate.
func (Product) Roles() []rolecheck.Role {
	common := func(extra ...rolecheck.Rule) []rolecheck.Rule {
		return append([]rolecheck.Rule{
			{ID: "EXP-WILDCARD", Source: "EXP-04", Check: noWildcard},
			{ID: "EXP-FORMAT", Source: "EXP-28", Check: pemFormat},
			{ID: "EXP-KEY", Source: "EXP-26", Check: keyLimit},
			{ID: "EXP-TRUST", Source: "EXP-22", Check: trustedChain},
			{ID: "EXP-CA-LIST", Source: "EXP-23, EXP-24", Check: caList},
			{ID: "EXP-OID", Source: "EXP-25", Check: subjectOIDs},
			{ID: "EXP-2050", Source: "EXP-27", Check: before2050},
		}, extra...)
	}
	return []rolecheck.Role{
		{Name: RoleC, OwnNames: true, ParseVersion: ParseVersion,
			ClientAuthWayOut: "have the internal CA sign Expressway-C's certificate (" + docFN + ", option 3), or upgrade to X15.5 and take its client certificate from the internal CA",
			Rules: common(
				rolecheck.Rule{ID: "EXP-SAN", Source: "EXP-05, EXP-06, EXP-07, EXP-14", Check: sanNames(roleC)},
				rolecheck.Rule{ID: "EXP-EKU", Source: "EXP-15 to EXP-18", Check: serverEKU(roleC)},
			)},
		{Name: RoleE, OwnNames: true, ParseVersion: ParseVersion,
			Rules: common(
				rolecheck.Rule{ID: "EXP-SAN", Source: "EXP-07, EXP-10 to EXP-13", Check: sanNames(roleE)},
				rolecheck.Rule{ID: "EXP-MRA-DOMAIN", Source: "EXP-08, EXP-09", Check: mraDomain},
				rolecheck.Rule{ID: "EXP-EKU", Source: "EXP-15 to EXP-18", Check: serverEKU(roleE)},
				rolecheck.Rule{ID: "EXP-PUBLIC", Source: "EXP-31", Check: publicForPhones},
			)},
		{Name: RoleClient, ClientOnly: true, ParseVersion: ParseVersion,
			ClientAuthWayOut: "take the client certificate from the internal CA (" + docTAC225693 + ")",
			Rules: common(
				rolecheck.Rule{ID: "EXP-CLIENT-EKU", Source: "EXP-17, EXP-18", Check: clientEKU},
			)},
	}
}

const wildcardWords = "Expressway does not support wildcard certificates (" + docCertGuide + ", \"Points to be Aware\")"

func noWildcard(in *rolecheck.Input) []rolecheck.Result {
	for _, n := range append(rolecheck.SANs(in.Leaf), in.Leaf.Subject.CommonName) {
		if strings.Contains(n, "*") {
			return rolecheck.Fail("EXP-WILDCARD", n+" is a wildcard: "+wildcardWords,
				"make one certificate per peer with every name listed: confcert plan (product: expressway)")
		}
	}
	return rolecheck.Pass("EXP-WILDCARD", "no wildcard name")
}

// pemFormat: Expressway takes PEM only ("Certificate format invalid"
// otherwise); a key made outside it must be PEM, not encrypted, and end with
// a newline, or MRA fails (Certificate Creation and Use Deployment Guide
// X15.5, "Convert a DER Certificate File to PEM Format"; EXP-28).
func pemFormat(in *rolecheck.Input) []rolecheck.Result {
	if !in.Cert.Layout.PEM {
		return rolecheck.Fail("EXP-FORMAT", "Certificate format invalid: "+in.Cert.Path+" is not PEM (Base-64): Expressway takes PEM only",
			"convert it: confcert convert "+in.Cert.Path+" -o NAME.crt --to pem")
	}
	if k := in.Key; k != nil {
		switch {
		case !k.Layout.PEM:
			return rolecheck.Fail("EXP-FORMAT", k.Path+" is not a PEM key: Expressway takes the private key as PEM", "convert it: confcert convert "+k.Path+" -o NAME.key --to pem")
		case !k.Layout.FinalNewline:
			return rolecheck.Fail("EXP-FORMAT", k.Path+" does not end with a newline: MRA fails with such a key ("+docAdminGuide+")", "add the final newline: echo >> "+k.Path)
		}
	}
	return rolecheck.Pass("EXP-FORMAT", "PEM, as Expressway takes it")
}

// keyLimit: 8192-bit keys can stop SIP TLS zones from becoming active; the
// CSR page offers RSA 2048/4096 (Certificate Creation and Use Deployment
// Guide X15.0, Troubleshooting; EXP-26).
func keyLimit(in *rolecheck.Input) []rolecheck.Result {
	if k, ok := in.Leaf.PublicKey.(*rsa.PublicKey); ok && k.N.BitLen() > 4096 {
		return rolecheck.Fail("EXP-KEY", fmt.Sprintf("RSA key of %d bits: keys over 4096 bits can stop SIP TLS zones from becoming active (%s, \"Troubleshooting\")", k.N.BitLen(), docCertGuide),
			"make a new key of 2048 or 4096 bits: confcert plan --renew NAME")
	}
	return rolecheck.Pass("EXP-KEY", "key size Expressway works with")
}

// trustedChain: every CA certificate of the chain must be in the Trusted CA
// list before the server certificate is uploaded, or the upload fails with
// "Untrusted CA certificate chain" (TAC 221624; MRA Deployment Guide X15.0).
func trustedChain(in *rolecheck.Input) []rolecheck.Result {
	if in.Trust == nil {
		return nil
	}
	if err := in.Verify(in.Trust.Certs); err != nil {
		return rolecheck.Fail("EXP-TRUST", "Untrusted CA certificate chain: the chain does not end in the Trusted CA list "+in.Trust.Path+": "+rolecheck.VerifyWords(err),
			"append every CA certificate of the chain, root and intermediates, at Maintenance > Security > Trusted CA certificate on every peer, then upload the certificate ("+docMRA+")")
	}
	return rolecheck.Pass("EXP-TRUST", "the chain ends in the Trusted CA list "+in.Trust.Path)
}

// caList: CA certificates need basicConstraints (EXP-24); two CA
// certificates with one CN can break IdP-based endpoint login (EXP-23).
func caList(in *rolecheck.Input) []rolecheck.Result {
	if in.Trust == nil {
		return nil
	}
	var out []rolecheck.Result
	cns := map[string]int{}
	for _, c := range in.Trust.Certs {
		if !c.BasicConstraintsValid {
			out = append(out, rolecheck.Fail("EXP-CA-LIST", c.Subject.CommonName+" in "+in.Trust.Path+" has no basicConstraints extension: Expressway needs it on CA certificates ("+docCertGuide+")",
				"ask the CA for a CA certificate with basicConstraints CA:TRUE")...)
		}
		cns[c.Subject.CommonName]++
	}
	for cn, n := range cns {
		if n > 1 {
			out = append(out, rolecheck.Warn("EXP-CA-LIST", fmt.Sprintf("%d CA certificates named %q in %s: several CA certificates with one CN can break IdP-based endpoint login (%s X14.3, \"Loading Certificates and Keys\")", n, cn, in.Trust.Path, docCertGuide),
				"keep one, and delete the certificates no longer needed from the Trusted CA list")...)
		}
	}
	if out == nil {
		return rolecheck.Pass("EXP-CA-LIST", "every CA certificate has basicConstraints and its own CN")
	}
	return out
}

// knownOIDs are the subject and issuer attributes Expressway handles: the
// usual ones and the EV OIDs 1.3.6.1.4.1.311.60.2.1.{1,2,3} (EXP-25).
var knownOIDs = []string{"2.5.4.3", "2.5.4.6", "2.5.4.7", "2.5.4.8", "2.5.4.9", "2.5.4.10", "2.5.4.11", "2.5.4.5",
	"2.5.4.17", "2.5.4.15", "1.2.840.113549.1.9.1", "0.9.2342.19200300.100.1.25",
	"1.3.6.1.4.1.311.60.2.1.1", "1.3.6.1.4.1.311.60.2.1.2", "1.3.6.1.4.1.311.60.2.1.3"}

func subjectOIDs(in *rolecheck.Input) []rolecheck.Result {
	for _, names := range [][]string{oids(in.Leaf.Subject.Names), oids(in.Leaf.Issuer.Names)} {
		for _, oid := range names {
			if !slices.Contains(knownOIDs, oid) {
				return rolecheck.Warn("EXP-OID", "attribute "+oid+" in the subject or issuer: unknown OIDs there lead to SSH tunnel failures; only the EV OIDs 1.3.6.1.4.1.311.60.2.1.1-3 are supported ("+docCertGuide+", \"Troubleshooting\")",
					"make the CSR without that attribute")
			}
		}
	}
	return rolecheck.Pass("EXP-OID", "subject and issuer attributes Expressway handles")
}

func before2050(in *rolecheck.Input) []rolecheck.Result {
	if in.Leaf.NotAfter.After(time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC)) {
		return rolecheck.Warn("EXP-2050", "valid until "+in.Leaf.NotAfter.UTC().Format(time.DateOnly)+": expiry dates beyond 2050 cause operational issues ("+docCertGuide+", \"Points to be Aware\")",
			"have it issued for fewer years")
	}
	return nil
}

// sanNames: Expressway validates the peer's SANs, not its CN (EXP-13).
func sanNames(role string) func(*rolecheck.Input) []rolecheck.Result {
	return func(in *rolecheck.Input) []rolecheck.Result {
		if len(in.Req.Names) == 0 {
			return nil
		}
		var missing []string
		for _, n := range in.Req.Names {
			if !rolecheck.Listed(rolecheck.SANs(in.Leaf), n) {
				missing = append(missing, n)
			}
		}
		if len(missing) == 0 {
			return rolecheck.Pass("EXP-SAN", strings.Join(in.Req.Names, ", ")+" among the subject alternative names")
		}
		return rolecheck.Fail("EXP-SAN", strings.Join(missing, ", ")+" not among the subject alternative names: "+sanConsequence(role),
			"make a new CSR with every name: confcert plan (product: expressway) lists them by role")
	}
}

func sanConsequence(role string) string {
	if role == roleC {
		return "a missing phone security profile name makes Unified CM answer secure registrations over MRA with 403 Forbidden; a missing cluster name fails the traversal zone at Expressway-E's TLS verify subject name with \"TLS negotiation failure\" (" + docTAC213872 + "; " + docAdminGuide + ")"
	}
	return "a name Expressway-C uses as the traversal zone's peer address, an XMPP federation domain, a chat node alias or the Meeting Server join URL that is missing fails that service: the traversal zone with \"TLS negotiation failure\" (" + docAdminGuide + ")"
}

// mraDomain: Expressway-E carries each MRA domain, bare or as
// collab-edge.<domain>; without it Jabber asks the user to accept the
// certificate and IP phones and TC/CE endpoints fail (TAC 213872; EXP-08,
// EXP-09).
func mraDomain(in *rolecheck.Input) []rolecheck.Result {
	d := in.Req.Domain
	if d == "" {
		return nil
	}
	sans := rolecheck.SANs(in.Leaf)
	if rolecheck.Listed(sans, d) || rolecheck.Listed(sans, "collab-edge."+d) {
		return rolecheck.Pass("EXP-MRA-DOMAIN", "the MRA domain "+d+" is among the subject alternative names")
	}
	return rolecheck.Fail("EXP-MRA-DOMAIN", "neither "+d+" nor collab-edge."+d+" is among the subject alternative names: Jabber asks users to accept the certificate, and IP phones and TC/CE endpoints fail to register over MRA ("+docTAC213872+")",
		"add the MRA domain to the CSR, as "+d+" or collab-edge."+d)
}

// serverEKU judges a server certificate's extended key usage by version and
// role (EXP-15 to EXP-18).
func serverEKU(role string) func(*rolecheck.Input) []rolecheck.Result {
	return func(in *rolecheck.Input) []rolecheck.Result {
		c := in.Leaf
		if !rolecheck.HasEKU(c, x509.ExtKeyUsageServerAuth) {
			return rolecheck.Fail("EXP-EKU", "extended key usage lacks serverAuth: Expressway refuses it as a server certificate", "have it re-issued with serverAuth")
		}
		if rolecheck.HasEKU(c, x509.ExtKeyUsageClientAuth) {
			return rolecheck.Pass("EXP-EKU", "extended key usage has serverAuth and clientAuth")
		}
		era, ver := eraOf(in.Version), in.Version.Text
		if ver == "" {
			ver = "X15.3 or earlier (no --version)"
		}
		switch {
		case era == eraX155:
			return rolecheck.Pass("EXP-EKU", "serverAuth only: from X15.5 the client certificate carries clientAuth")
		case era == eraX154 && role == roleE:
			return rolecheck.Warn("EXP-EKU", "serverAuth only: X15.4 takes it on Expressway-E once xConfiguration XCP TLS Certificate CVS EnableServerEkuUpload: On is set; business-to-business and federation links that need mutual TLS may fail ("+docFN+")",
				"set EnableServerEkuUpload: On on every Expressway-E peer before the upload, or upgrade to X15.5")
		}
		return rolecheck.Fail("EXP-EKU", "extended key usage lacks clientAuth: "+ver+" refuses the upload: \"The system will not let you upload a server certificate without this extension when UC features are enabled\" ("+docAdminGuide+")",
			clientAuthFix(role))
	}
}

func clientAuthFix(role string) string {
	if role == roleC {
		return "have the internal CA sign it with serverAuth and clientAuth (" + docFN + ", option 3), or upgrade to X15.5 and upload a client certificate with clientAuth"
	}
	return "upgrade Expressway-C and -E to X15.4 (serverAuth-only on Expressway-E) or X15.5, or have a CA that still issues clientAuth sign it"
}

// clientEKU: the X15.5 client store rejects certificates without clientAuth;
// without it on Expressway-C the Unified Communications zone fails with EKU
// checking On at Expressway-E, and with it Off the zone comes up but SSH
// tunnels fail (TAC 225693, condition 2).
func clientEKU(in *rolecheck.Input) []rolecheck.Result {
	if rolecheck.HasEKUExt(in.Leaf) && !rolecheck.HasEKU(in.Leaf, x509.ExtKeyUsageClientAuth) {
		return rolecheck.Fail("EXP-CLIENT-EKU", "extended key usage lacks clientAuth: the client certificate store refuses it; on Expressway-C the traversal zone fails when Expressway-E checks EKU, and with the check Off the SSH tunnels (port 2222) stay down and MRA login breaks ("+docTAC225693+")",
			"have the internal CA sign the client certificate with clientAuth: confcert sign NAME CA --profile client")
	}
	return rolecheck.Pass("EXP-CLIENT-EKU", "extended key usage has clientAuth")
}

// publicForPhones: Cisco IP Phone 7800/8800 over MRA trust only the public
// CAs of their fixed list (TAC 213872; EXP-31).
func publicForPhones(in *rolecheck.Input) []rolecheck.Result {
	if in.Req.Domain == "" {
		return nil
	}
	if in.PubliclyTrusted() {
		return rolecheck.Pass("EXP-PUBLIC", "signed by a public CA, as IP phones over MRA need")
	}
	return rolecheck.Warn("EXP-PUBLIC", "not signed by a public CA: Cisco IP Phone 7800/8800 over MRA trust only the public CAs of their fixed list, and Jabber asks users to accept the certificate ("+docTAC213872+")",
		"have a public CA sign Expressway-E's certificate")
}

// oids lists the attribute types of a subject or issuer.
func oids(names []pkix.AttributeTypeAndValue) []string {
	var out []string
	for _, n := range names {
		out = append(out, asn1.ObjectIdentifier(n.Type).String())
	}
	return out
}
