package meetingplace

import (
	"github.com/confcert/confcert/internal/rolecheck"

	"crypto/rsa"
	"fmt"
	"strings"

	"github.com/confcert/confcert/internal/chain"
)

// Roles implements product.Product: the Cisco Unified MeetingPlace web server (seed 004).
func (Product) Roles() []rolecheck.Role {
	return []rolecheck.Role{{Name: Role, File: rolecheck.UploadFile, ParseVersion: ParseVersion, Rules: []rolecheck.Rule{
		// "The signed server certificate has to be pasted first and then the
		// intermediate certificate" (seed 004, expired intermediate).
		{ID: "MP-ORDER", Source: "004", Check: mpOrder},
		// The intermediate goes with the server certificate (seed 004, "How to
		// Replace an Expired Intermediate Certificate"): without it clients
		// cannot build the chain.
		{ID: "MP-CHAIN", Source: "004", Check: func(in *rolecheck.Input) []rolecheck.Result { return rolecheck.UploadChain("MP-CHAIN", in) }},
		// Self-signed certificates are not supported from Release 6.0 (seed 004 Restrictions).
		{ID: "MP-SELF-SIGNED", Source: "004 Restrictions", Check: mpSelfSigned},
		// City and state in full, no abbreviations (seed 004, CSR step 6).
		{ID: "MP-SUBJECT", Source: "004 CSR steps", Check: mpSubject},
		// 6.0 MR5 and later refuse keys over 1024 bits (seed 004 Restrictions).
		{ID: "MP-KEY-SIZE", Source: "004 Restrictions", Check: mpKeySize},
	}}}
}

func mpOrder(in *rolecheck.Input) []rolecheck.Result {
	certs := in.Cert.Certs
	ok, bad := chain.InSequence(certs)
	fix := "rebuild the PEM: confcert bundle --layout meetingplace -o " + in.Cert.Path + " CERT-AND-CA-FILES..."
	if !certs[0].Equal(in.Leaf) {
		return rolecheck.Fail("MP-ORDER", "the server certificate is not first in "+in.Cert.Path, fix)
	}
	if !ok {
		return rolecheck.Fail("MP-ORDER", fmt.Sprintf("certificate %d (%s) is not the issuer of the one before it", bad+1, chain.DisplayName(certs[bad])), fix)
	}
	return rolecheck.Pass("MP-ORDER", "server certificate first, then its intermediates")
}

func mpSelfSigned(in *rolecheck.Input) []rolecheck.Result {
	if chain.SelfSigned(in.Leaf) {
		return rolecheck.Fail("MP-SELF-SIGNED", "self-signed: not supported since MeetingPlace Release 6.0",
			"send the CSR to a CA (confcert plan writes it) and install what it returns")
	}
	return rolecheck.Pass("MP-SELF-SIGNED", "issued by "+in.Leaf.Issuer.CommonName)
}

func mpSubject(in *rolecheck.Input) []rolecheck.Result {
	var bad []string
	for _, f := range []struct{ name, value string }{{"L", first(in.Leaf.Subject.Locality)}, {"ST", first(in.Leaf.Subject.Province)}} {
		switch v := strings.TrimSpace(f.value); {
		case v == "":
			bad = append(bad, f.name+" missing")
		case len(v) <= 2:
			bad = append(bad, fmt.Sprintf("%s %q looks abbreviated", f.name, v))
		}
	}
	if len(bad) > 0 {
		return rolecheck.Warn("MP-SUBJECT", strings.Join(bad, "; ")+": MeetingPlace asks for the complete, official names",
			"make a new CSR with the full names, e.g. L:\"San Jose\" ST:California")
	}
	return rolecheck.Pass("MP-SUBJECT", "city and state given in full")
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func mpKeySize(in *rolecheck.Input) []rolecheck.Result {
	if in.Req.Version == "" || !in.Version.AtLeast(6, 0, 5) {
		return nil
	}
	pub, ok := in.Leaf.PublicKey.(*rsa.PublicKey)
	if !ok || pub.N.BitLen() > 1024 {
		return rolecheck.Warn("MP-KEY-SIZE", "MeetingPlace "+in.Version.Text+" does not support keys stronger than 1024-bit RSA",
			"only if this release must stay: a new key with confcert csr NAME --key-type rsa1024 (insecure); better, upgrade")
	}
	return rolecheck.Pass("MP-KEY-SIZE", "RSA 1024 bits, as MeetingPlace "+in.Version.Text+" requires")
}
