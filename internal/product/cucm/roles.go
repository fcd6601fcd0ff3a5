package cucm

import (
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/rolecheck"
)

// Roles implements product.Product: cucm-tomcat, cucm-callmanager and
// cucm-cup-xmpp judge a certificate Unified CM or IM and Presence will take.
func (Product) Roles() []rolecheck.Role {
	common := func(role string, extra ...rolecheck.Rule) []rolecheck.Rule {
		return append([]rolecheck.Rule{
			{ID: "UCM-WILDCARD", Source: "UCM-02", Check: noWildcard},
			{ID: "UCM-FORMAT", Source: "UCM-01", Check: pemOrDER},
			{ID: "UCM-KEY", Source: "UCM-01, UCM-03", Check: keyLimit},
			{ID: "UCM-TRUST", Source: "UCM-08", Check: trustFirst(role)},
			{ID: "UCM-NAMES", Source: "UCM-09, UCM-10", Check: nodeNames(role)},
		}, extra...)
	}
	way := Product{}.ClientAuthWayOut(nil, nil)
	return []rolecheck.Role{
		{Name: RoleTomcat, OwnNames: true, ParseVersion: ParseVersion,
			Rules: common("tomcat", rolecheck.Rule{ID: "UCM-EKU", Source: "UCM-07", Check: eku("tomcat", false)})},
		{Name: RoleCallManager, OwnNames: true, ParseVersion: ParseVersion, ClientAuthWayOut: way,
			Rules: common("CallManager",
				rolecheck.Rule{ID: "UCM-EKU", Source: "UCM-06", Check: eku("CallManager", true)},
				rolecheck.Rule{ID: "UCM-CM-KEY", Source: "UCM-04", Check: callManagerKey})},
		{Name: RoleCupXMPP, OwnNames: true, ParseVersion: ParseVersion, ClientAuthWayOut: way,
			Rules: common("cup-xmpp", rolecheck.Rule{ID: "UCM-EKU", Source: "UCM-07", Check: eku("cup-xmpp", true)})},
	}
}

func noWildcard(in *rolecheck.Input) []rolecheck.Result {
	for _, n := range append(rolecheck.SANs(in.Leaf), in.Leaf.Subject.CommonName) {
		if strings.Contains(n, "*") {
			return rolecheck.Fail("UCM-WILDCARD", n+" is a wildcard: Unified CM does not support wildcard certificates ("+docSecurity+")",
				"generate the CSR on the publisher with Distribution Multi-server (SAN) instead")
		}
	}
	return rolecheck.Pass("UCM-WILDCARD", "no wildcard name")
}

// pemOrDER: Unified CM takes PEM or DER certificates (UCM-01); a PKCS#7
// chain is accepted in PEM (UCM-08), PKCS#12 never.
func pemOrDER(in *rolecheck.Input) []rolecheck.Result {
	if in.Cert.File.Encoding == certio.PKCS12 {
		return rolecheck.Fail("UCM-FORMAT", in.Cert.Path+" is PKCS#12: Unified CM takes the certificate as PEM or DER ("+docSecurity+")",
			"convert it: confcert convert "+in.Cert.Path+" -o NAME.pem --to pem (the key stays on Unified CM)")
	}
	return rolecheck.Pass("UCM-FORMAT", "a format Unified CM takes")
}

// keyLimit: "maximum size of certificate supported ... is 4096 bits"
// (Security Guide Release 14; UCM-01).
func keyLimit(in *rolecheck.Input) []rolecheck.Result {
	if k, ok := in.Leaf.PublicKey.(*rsa.PublicKey); ok && k.N.BitLen() > 4096 {
		return rolecheck.Fail("UCM-KEY", fmt.Sprintf("RSA key of %d bits: Unified CM supports at most 4096 (%s)", k.N.BitLen(), docSecurity),
			"generate a new CSR with Key Length 2048 (or 3072, 4096)")
	}
	return rolecheck.Pass("UCM-KEY", "key size Unified CM supports")
}

// callManagerKey: a CallManager RSA key above 2048 bits may stop some phone
// models registering (UCM-04).
func callManagerKey(in *rolecheck.Input) []rolecheck.Result {
	if k, ok := in.Leaf.PublicKey.(*rsa.PublicKey); ok && k.N.BitLen() > 2048 {
		return rolecheck.Warn("UCM-CM-KEY", fmt.Sprintf("RSA key of %d bits on CallManager: some phone models may stop registering (%s)", k.N.BitLen(), docSecurity),
			"check the Cisco Unified Reporting \"3072/4096 RSA key size support\" report, or use 2048 bits")
	}
	return nil
}

// trustFirst: the CA chain goes in as <purpose>-trust before the
// certificate, or the upload is refused (Administration Guide 12.5(1)SU3;
// UCM-08).
func trustFirst(purpose string) func(*rolecheck.Input) []rolecheck.Result {
	return func(in *rolecheck.Input) []rolecheck.Result {
		if in.Trust == nil {
			return nil
		}
		if err := in.Verify(in.Trust.Certs); err != nil {
			return rolecheck.Fail("UCM-TRUST", "the chain does not end in "+in.Trust.Path+": "+rolecheck.VerifyWords(err)+": Unified CM refuses the certificate until its CA chain is in "+purpose+"-trust",
				"upload the root and each intermediate as "+purpose+"-trust first ("+docAdmin+")")
		}
		return rolecheck.Pass("UCM-TRUST", "the chain ends in "+in.Trust.Path+", to upload as "+purpose+"-trust first")
	}
}

// nodeNames: every node the certificate serves is a SAN; for tomcat, the
// node names Expressway-C is configured with (UCM-09, UCM-10).
func nodeNames(purpose string) func(*rolecheck.Input) []rolecheck.Result {
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
			return rolecheck.Pass("UCM-NAMES", strings.Join(in.Req.Names, ", ")+" among the subject alternative names")
		}
		msg := strings.Join(missing, ", ") + " not among the subject alternative names"
		if purpose == "tomcat" {
			msg += ": Expressway-C verifies the tomcat certificate against the node name it is configured with, and MRA login fails (Expressway Administrator Guide X15.4, \"Unified Communications\")"
		} else {
			msg += ": the node's peers refuse its TLS connections"
		}
		return rolecheck.Fail("UCM-NAMES", msg, "generate the CSR again on the publisher with Distribution Multi-server (SAN) while every node is in the cluster")
	}
}

// eku: the CSR asks for serverAuth and clientAuth and the CA must keep them
// (UCM-06, UCM-07). CallManager needs clientAuth: Unified CM opens TLS as a
// client to Expressway-C for secure MRA registration and on SIP trunks.
func eku(purpose string, needClient bool) func(*rolecheck.Input) []rolecheck.Result {
	return func(in *rolecheck.Input) []rolecheck.Result {
		c := in.Leaf
		switch {
		case !rolecheck.HasEKU(c, x509.ExtKeyUsageServerAuth):
			return rolecheck.Fail("UCM-EKU", "extended key usage lacks serverAuth", "have the CA keep the usages the "+purpose+" CSR asks for ("+docAdmin+")")
		case rolecheck.HasEKU(c, x509.ExtKeyUsageClientAuth):
			return rolecheck.Pass("UCM-EKU", "extended key usage has serverAuth and clientAuth")
		case needClient:
			return rolecheck.Fail("UCM-EKU", "extended key usage lacks clientAuth: Unified CM takes the upload, but secure registrations over MRA are rejected with 403 and SIP trunks over TLS fail, since "+purpose+" is the client of those connections ("+docAdmin+"; Cisco TAC document 213872)",
				"have the internal CA sign the CSR with serverAuth and clientAuth: confcert plan does")
		}
		return rolecheck.Warn("UCM-EKU", "extended key usage lacks clientAuth: mutual TLS uses of "+purpose+" (LDAP, SIP OAuth over MRA) fail ("+docFN+")",
			"have the internal CA sign it with serverAuth and clientAuth")
	}
}
