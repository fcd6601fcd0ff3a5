package cwms

import (
	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/rolecheck"

	"fmt"
	"slices"
	"strings"

	"github.com/confcert/confcert/internal/chain"
)

// Roles implements product.Product: the Cisco WebEx Meetings Server roles (spec roles.md; seeds
// 000, 001). `cwms` is the single certificate before 2.5MR5; from 2.5MR5 the
// site URL has `cwms-external` and the rest `cwms-internal` (seed 000).
func (Product) Roles() []rolecheck.Role {
	rules := []rolecheck.Rule{
		// Upload order: 1.x/2.0 server first, 2.5+ root-side intermediate first
		// and server last (seed 001).
		{ID: "CWMS-ORDER", Source: "001", Check: cwmsOrder},
		// "you don't need Root SSL cert" (seed 001 comments).
		{ID: "CWMS-ROOT", Source: "001 comments", Check: cwmsRoot},
		// An externally made key is "ALWAYS at the VERY TOP" (seed 001).
		{ID: "CWMS-KEY-TOP", Source: "001", Check: cwmsKeyTop},
		// IRP FQDNs never go in the certificate (seed 000).
		{ID: "CWMS-IRP", Source: "000", Check: cwmsIRP},
		// 2.5MR5: the internal certificate's CN is the DC's admin URL (seed 000).
		{ID: "CWMS-INTERNAL-CN", Source: "000 (MR5)", Check: cwmsInternalCN},
		// Unified CM treats equal CNs as one certificate (seed 000, secure audio).
		{ID: "CWMS-DISTINCT-CN", Source: "000", Check: cwmsDistinctCN},
		// From 2.5MR5 the upload checks the CN only (CWMS 2.6 admin guide).
		{ID: "CWMS-WILDCARD-CN", Source: "CWMS 2.6 admin guide", Check: cwmsWildcardCN},
		// Public CAs refuse internal names (seeds 000, 001 comments).
		{ID: "CWMS-PUBLIC-NAMES", Source: "000, 001 comments", Check: cwmsPublicNames},
		// Mobile clients need the full chain (seed 001: "ensure that CWMS
		// offers a full SSL certificate chain to any end point").
		{ID: "CWMS-CHAIN", Source: "001", Check: func(in *rolecheck.Input) []rolecheck.Result { return rolecheck.UploadChain("CWMS-CHAIN", in) }},
		// A key made outside CWMS is "ALWAYS ... at the VERY TOP" (seed 001).
		{ID: "CWMS-KEY-MISSING", Source: "001", Check: func(in *rolecheck.Input) []rolecheck.Result { return rolecheck.KeyOnTop("CWMS-KEY-MISSING", in) }},
	}
	var out []rolecheck.Role
	for _, name := range []plan.RoleName{RoleSingle, RoleExternal, RoleInternal} {
		out = append(out, rolecheck.Role{Name: name, File: rolecheck.UploadFile, NeedsVersion: true, ParseVersion: ParseVersion, AcceptsPKCS12: true, Rules: rules})
	}
	return out
}

// The words of the CWMS upload page when the order is wrong (seed 001).
const cwmsBadChain = "The certificates do not form a valid certificate chain"

func cwmsLayout(in *rolecheck.Input) string { return string(Layout(in.Version)) }

func cwmsOrder(in *rolecheck.Input) []rolecheck.Result {
	certs := in.Cert.Certs
	layout := cwmsLayout(in)
	want, seq, first := "the server certificate first, then its issuers upward", certs, certs[0]
	if layout == string(chain.LayoutCWMS25) {
		want, seq, first = "the root-side intermediate first and the server certificate last", reversed(certs), certs[len(certs)-1]
	}
	ok, _ := chain.InSequence(seq)
	if !ok || !first.Equal(in.Leaf) {
		return rolecheck.Fail("CWMS-ORDER", fmt.Sprintf("%s: CWMS %s wants %s (confcert bundle --layout %s builds it)", cwmsBadChain, in.Version.Text, want, layout),
			"rebuild the upload file: confcert bundle --layout "+layout+" -o "+in.Cert.Path+" CERT-AND-CA-FILES...")
	}
	return rolecheck.Pass("CWMS-ORDER", fmt.Sprintf("order fits CWMS %s: %s", in.Version.Text, want))
}

func reversed[T any](s []T) []T {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}

func cwmsRoot(in *rolecheck.Input) []rolecheck.Result {
	for _, c := range in.Cert.Certs {
		if c != in.Leaf && chain.SelfSigned(c) {
			return rolecheck.Warn("CWMS-ROOT", "the root "+chain.DisplayName(c)+" is included: CWMS does not need it",
				"leave it out: confcert bundle --layout "+cwmsLayout(in)+" writes no root")
		}
	}
	return rolecheck.Pass("CWMS-ROOT", "no root certificate in the upload")
}

func cwmsKeyTop(in *rolecheck.Input) []rolecheck.Result {
	for i, b := range in.Cert.Layout.Blocks {
		if rolecheck.IsKeyBlock(b.Type) && i > 0 {
			return rolecheck.Fail("CWMS-KEY-TOP", fmt.Sprintf("the private key is block %d (line %d): it must be at the very top", i+1, b.Line),
				"rebuild the upload file with the key on top: confcert bundle --layout "+cwmsLayout(in)+" --key KEY -o "+in.Cert.Path+" CERT-AND-CA-FILES...")
		}
	}
	if len(in.Cert.Layout.Blocks) > 0 && rolecheck.IsKeyBlock(in.Cert.Layout.Blocks[0].Type) {
		return rolecheck.Pass("CWMS-KEY-TOP", "the private key is at the very top")
	}
	return nil
}

// certNames are the CN and rolecheck.SANs of the leaf.
func certNames(in *rolecheck.Input) []string {
	return append(rolecheck.SANs(in.Leaf), in.Leaf.Subject.CommonName)
}

func cwmsIRP(in *rolecheck.Input) []rolecheck.Result {
	if len(in.Req.IRP) == 0 {
		return nil
	}
	for _, irp := range in.Req.IRP {
		if rolecheck.Listed(certNames(in), irp) {
			return rolecheck.Fail("CWMS-IRP", "the Internet Reverse Proxy name "+irp+" is in the certificate: IRP VMs are never reached by name",
				"make a new CSR without the IRP FQDNs (confcert plan leaves them out)")
		}
	}
	return rolecheck.Pass("CWMS-IRP", "no Internet Reverse Proxy name in the certificate")
}

func cwmsInternalCN(in *rolecheck.Input) []rolecheck.Result {
	if in.Role.Name != RoleInternal || len(in.Req.Names) == 0 {
		return nil
	}
	admin := in.Req.Names[0]
	if !strings.EqualFold(in.Leaf.Subject.CommonName, admin) {
		return rolecheck.Fail("CWMS-INTERNAL-CN", fmt.Sprintf("the CN is %q, not the data centre's admin URL %s", in.Leaf.Subject.CommonName, admin),
			"make a new CSR with CN:"+admin)
	}
	return rolecheck.Pass("CWMS-INTERNAL-CN", "CN is the admin URL "+admin)
}

func cwmsDistinctCN(in *rolecheck.Input) []rolecheck.Result {
	if !in.Req.SecureAudio || in.PeerLeaf == nil {
		return nil
	}
	cn := in.Leaf.Subject.CommonName
	if strings.EqualFold(cn, in.PeerLeaf.Subject.CommonName) {
		return rolecheck.Fail("CWMS-DISTINCT-CN", "the other data centre's certificate has the same CN "+cn+": Unified CM keeps only one of them and one secure trunk fails",
			"use each data centre's own URL as CN (confcert plan with secure_audio: true does)")
	}
	return rolecheck.Pass("CWMS-DISTINCT-CN", "CN differs from the other data centre's ("+in.PeerLeaf.Subject.CommonName+")")
}

func cwmsWildcardCN(in *rolecheck.Input) []rolecheck.Result {
	if !split(in.Version) {
		return nil
	}
	cn := in.Leaf.Subject.CommonName
	wildSAN := slices.ContainsFunc(in.Leaf.DNSNames, func(n string) bool { return strings.HasPrefix(n, "*.") })
	if wildSAN && !strings.HasPrefix(cn, "*.") {
		return rolecheck.Fail("CWMS-WILDCARD-CN", "a wildcard only in the rolecheck.SANs: CWMS "+in.Version.Text+" checks the CN only and refuses the upload",
			"put the wildcard in the CN: confcert csr NAME CN:*.DOMAIN subjectAltName:*.DOMAIN")
	}
	return rolecheck.Pass("CWMS-WILDCARD-CN", "no wildcard that the CN check would miss")
}

func cwmsPublicNames(in *rolecheck.Input) []rolecheck.Result {
	public := in.Role.Name == RoleExternal || (in.Role.Name == RoleSingle && !split(in.Version))
	if !public {
		return nil
	}
	for _, n := range certNames(in) {
		if why := rolecheck.InternalOnly(strings.TrimPrefix(n, "*.")); why != "" {
			return rolecheck.Fail("CWMS-PUBLIC-NAMES", n+" is "+why+": no public CA certifies it",
				"keep internal names out of the public certificate; from CWMS 2.5MR5 they go in the internal certificate (role cwms-internal)")
		}
	}
	return rolecheck.Pass("CWMS-PUBLIC-NAMES", "every name can be certified by a public CA")
}
