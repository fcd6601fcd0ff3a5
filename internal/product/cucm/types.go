package cucm

import "github.com/confcert/confcert/internal/plan"

// The Unified CM roles of `confcert check`.
const (
	RoleTomcat      plan.RoleName = "cucm-tomcat"
	RoleCallManager plan.RoleName = "cucm-callmanager"
	RoleCupXMPP     plan.RoleName = "cucm-cup-xmpp"
)

// Where a certificate type lives.
const (
	onCUCM  = "cucm"  // the Unified CM cluster
	onIMP   = "imp"   // the IM and Presence cluster
	onUnity = "unity" // each Unity Connection node
)

// certType is one certificate purpose of Cisco Unified OS Administration
// (Security Guide Release 14, "Certificate Names and Descriptions"; research
// §2.1).
type certType struct {
	key     string // the deployment file's name
	purpose string // the Certificate Purpose in Generate CSR and Upload
	trust   string // the trust store its CA chain goes into, uploaded first (UCM-08)
	ec      bool   // an -ECDSA purpose: EC key
	multi   bool   // multi-server (SAN) distribution exists
	role    plan.RoleName
	restart string // the services to restart after the upload
}

// certTypes lists the purposes confcert plans. CAPF is one certificate on the
// publisher, signed as a subordinate CA (certificates.go addCAPF).
func certTypes() []certType {
	return []certType{
		{key: "tomcat", purpose: "tomcat", trust: "tomcat-trust", multi: true, role: RoleTomcat,
			restart: "utils service restart Cisco Tomcat, on every node of the certificate (then Cisco TFTP, so that it stops serving the old certificate)"},
		{key: "tomcat-ecdsa", purpose: "tomcat-ECDSA", trust: "tomcat-trust", ec: true, multi: true, role: RoleTomcat,
			restart: "utils service restart Cisco Tomcat, on every node of the certificate"},
		{key: "callmanager", purpose: "CallManager", trust: "CallManager-trust", multi: true, role: RoleCallManager,
			restart: "Cisco CallManager, Cisco TFTP, Cisco CTIManager and Cisco HAProxy on every node, as the upload's pop-up lists them"},
		{key: "callmanager-ecdsa", purpose: "CallManager-ECDSA", trust: "CallManager-trust", ec: true, multi: true, role: RoleCallManager,
			restart: "Cisco CallManager, Cisco TFTP and Cisco HAProxy on every node, as the upload's pop-up lists them"},
		{key: "tvs", purpose: "TVS", trust: "TVS-trust", multi: true,
			restart: "Cisco Trust Verification Service on every node"},
		{key: "ipsec", purpose: "ipsec", trust: "ipsec-trust",
			restart: "utils ipsec restart (DRS uses the ipsec certificate)"},
		{key: "capf", purpose: "CAPF", trust: "CAPF-trust",
			restart: "the services the upload's pop-up lists (Cisco Certificate Authority Proxy Function on the publisher)"},
		{key: "cup-xmpp", purpose: "cup-xmpp", trust: "cup-xmpp-trust", multi: true, role: RoleCupXMPP,
			restart: "Cisco XCP Router on every IM and Presence node"},
		{key: "cup-xmpp-ecdsa", purpose: "cup-xmpp-ECDSA", trust: "cup-xmpp-trust", ec: true, multi: true, role: RoleCupXMPP,
			restart: "Cisco XCP Router on every IM and Presence node"},
		{key: "cup-xmpp-s2s", purpose: "cup-xmpp-s2s", trust: "cup-xmpp-trust", multi: true, role: RoleCupXMPP,
			restart: "Cisco XCP XMPP Federation Connection Manager on every IM and Presence node"},
	}
}

func typeNamed(key string) (certType, bool) {
	for _, t := range certTypes() {
		if t.key == key {
			return t, true
		}
	}
	return certType{}, false
}

// cluster says where a type lives.
func (t certType) cluster() string {
	if len(t.key) >= 8 && t.key[:8] == "cup-xmpp" {
		return onIMP
	}
	return onCUCM
}
