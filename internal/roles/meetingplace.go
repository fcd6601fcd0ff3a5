package roles

import (
	"crypto/rsa"
	"fmt"
	"strings"

	"github.com/confcert/confcert/internal/chain"
)

// meetingPlaceRoles is the Cisco Unified MeetingPlace web server (seed 004).
func meetingPlaceRoles() []role {
	return []role{{Name: "meetingplace", Product: "meetingplace", File: uploadFile, Rules: []rule{
		// "The signed server certificate has to be pasted first and then the
		// intermediate certificate" (seed 004, expired intermediate).
		{"MP-ORDER", "004", mpOrder},
		// Self-signed certificates are not supported from Release 6.0 (seed 004 Restrictions).
		{"MP-SELF-SIGNED", "004 Restrictions", mpSelfSigned},
		// City and state in full, no abbreviations (seed 004, CSR step 6).
		{"MP-SUBJECT", "004 CSR steps", mpSubject},
		// 6.0 MR5 and later refuse keys over 1024 bits (seed 004 Restrictions).
		{"MP-KEY-SIZE", "004 Restrictions", mpKeySize},
	}}}
}

func mpOrder(in *input) []Result {
	certs := in.cert.Certs
	ok, bad := chain.InSequence(certs)
	fix := "rebuild the PEM: confcert bundle --layout meetingplace -o " + in.cert.Path + " CERT-AND-CA-FILES..."
	if !certs[0].Equal(in.leaf) {
		return fail("MP-ORDER", "the server certificate is not first in "+in.cert.Path, fix)
	}
	if !ok {
		return fail("MP-ORDER", fmt.Sprintf("certificate %d (%s) is not the issuer of the one before it", bad+1, chain.DisplayName(certs[bad])), fix)
	}
	return pass("MP-ORDER", "server certificate first, then its intermediates")
}

func mpSelfSigned(in *input) []Result {
	if chain.SelfSigned(in.leaf) {
		return fail("MP-SELF-SIGNED", "self-signed: not supported since MeetingPlace Release 6.0",
			"send the CSR to a CA (confcert plan writes it) and install what it returns")
	}
	return pass("MP-SELF-SIGNED", "issued by "+in.leaf.Issuer.CommonName)
}

func mpSubject(in *input) []Result {
	var bad []string
	for _, f := range []struct{ name, value string }{{"L", first(in.leaf.Subject.Locality)}, {"ST", first(in.leaf.Subject.Province)}} {
		switch v := strings.TrimSpace(f.value); {
		case v == "":
			bad = append(bad, f.name+" missing")
		case len(v) <= 2:
			bad = append(bad, fmt.Sprintf("%s %q looks abbreviated", f.name, v))
		}
	}
	if len(bad) > 0 {
		return warn("MP-SUBJECT", strings.Join(bad, "; ")+": MeetingPlace asks for the complete, official names",
			"make a new CSR with the full names, e.g. L:\"San Jose\" ST:California")
	}
	return pass("MP-SUBJECT", "city and state given in full")
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func mpKeySize(in *input) []Result {
	if in.req.Version == "" || !in.version.atLeast(6, 0, 5) {
		return nil
	}
	pub, ok := in.leaf.PublicKey.(*rsa.PublicKey)
	if !ok || pub.N.BitLen() > 1024 {
		return warn("MP-KEY-SIZE", "MeetingPlace "+in.version.Text+" does not support keys stronger than 1024-bit RSA",
			"only if this release must stay: a new key with confcert csr NAME --key-type rsa1024 (insecure); better, upgrade")
	}
	return pass("MP-KEY-SIZE", "RSA 1024 bits, as MeetingPlace "+in.version.Text+" requires")
}
