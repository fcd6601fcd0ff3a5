package roles

import (
	"fmt"
	"slices"
	"strings"

	"github.com/confcert/confcert/internal/chain"
)

// cwmsRoles are the Cisco WebEx Meetings Server roles (spec roles.md; seeds
// 000, 001). `cwms` is the single certificate before 2.5MR5; from 2.5MR5 the
// site URL has `cwms-external` and the rest `cwms-internal` (seed 000).
func cwmsRoles() []role {
	rules := []rule{
		// Upload order: 1.x/2.0 server first, 2.5+ root-side intermediate first
		// and server last (seed 001).
		{"CWMS-ORDER", "001", cwmsOrder},
		// "you don't need Root SSL cert" (seed 001 comments).
		{"CWMS-ROOT", "001 comments", cwmsRoot},
		// An externally made key is "ALWAYS at the VERY TOP" (seed 001).
		{"CWMS-KEY-TOP", "001", cwmsKeyTop},
		// IRP FQDNs never go in the certificate (seed 000).
		{"CWMS-IRP", "000", cwmsIRP},
		// 2.5MR5: the internal certificate's CN is the DC's admin URL (seed 000).
		{"CWMS-INTERNAL-CN", "000 (MR5)", cwmsInternalCN},
		// Unified CM treats equal CNs as one certificate (seed 000, secure audio).
		{"CWMS-DISTINCT-CN", "000", cwmsDistinctCN},
		// From 2.5MR5 the upload checks the CN only (CWMS 2.6 admin guide).
		{"CWMS-WILDCARD-CN", "CWMS 2.6 admin guide", cwmsWildcardCN},
		// Public CAs refuse internal names (seeds 000, 001 comments).
		{"CWMS-PUBLIC-NAMES", "000, 001 comments", cwmsPublicNames},
	}
	var out []role
	for _, name := range []string{"cwms", "cwms-external", "cwms-internal"} {
		out = append(out, role{Name: name, Product: "cwms", File: uploadFile, NeedsVersion: true, Rules: rules})
	}
	return out
}

// The words of the CWMS upload page when the order is wrong (seed 001).
const cwmsBadChain = "The certificates do not form a valid certificate chain"

func (in *input) cwmsLayout() string {
	if in.version.atLeast(2, 5, 0) {
		return "cwms-25"
	}
	return "cwms-1x"
}

func cwmsOrder(in *input) []Result {
	certs := in.cert.Certs
	layout := in.cwmsLayout()
	want, seq, first := "the server certificate first, then its issuers upward", certs, certs[0]
	if layout == "cwms-25" {
		want, seq, first = "the root-side intermediate first and the server certificate last", reversed(certs), certs[len(certs)-1]
	}
	ok, _ := chain.InSequence(seq)
	if !ok || !first.Equal(in.leaf) {
		return fail("CWMS-ORDER", fmt.Sprintf("%s: CWMS %s wants %s", cwmsBadChain, in.version.Text, want),
			"rebuild the upload file: confcert bundle --layout "+layout+" -o "+in.cert.Path+" CERT-AND-CA-FILES...")
	}
	return pass("CWMS-ORDER", fmt.Sprintf("order fits CWMS %s: %s", in.version.Text, want))
}

func reversed[T any](s []T) []T {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}

func cwmsRoot(in *input) []Result {
	for _, c := range in.cert.Certs {
		if c != in.leaf && chain.SelfSigned(c) {
			return warn("CWMS-ROOT", "the root "+chain.DisplayName(c)+" is included: CWMS does not need it",
				"leave it out: confcert bundle --layout "+in.cwmsLayout()+" writes no root")
		}
	}
	return pass("CWMS-ROOT", "no root certificate in the upload")
}

func cwmsKeyTop(in *input) []Result {
	for i, b := range in.cert.Layout.Blocks {
		if keyBlock(b.Type) && i > 0 {
			return fail("CWMS-KEY-TOP", fmt.Sprintf("the private key is block %d (line %d): it must be at the very top", i+1, b.Line),
				"rebuild the upload file with the key on top: confcert bundle --layout "+in.cwmsLayout()+" --key KEY -o "+in.cert.Path+" CERT-AND-CA-FILES...")
		}
	}
	if len(in.cert.Layout.Blocks) > 0 && keyBlock(in.cert.Layout.Blocks[0].Type) {
		return pass("CWMS-KEY-TOP", "the private key is at the very top")
	}
	return nil
}

// certNames are the CN and SANs of the leaf.
func certNames(in *input) []string {
	return append(sans(in.leaf), in.leaf.Subject.CommonName)
}

func cwmsIRP(in *input) []Result {
	if len(in.req.IRP) == 0 {
		return nil
	}
	for _, irp := range in.req.IRP {
		if listed(certNames(in), irp) {
			return fail("CWMS-IRP", "the Internet Reverse Proxy name "+irp+" is in the certificate: IRP VMs are never reached by name",
				"make a new CSR without the IRP FQDNs (confcert plan leaves them out)")
		}
	}
	return pass("CWMS-IRP", "no Internet Reverse Proxy name in the certificate")
}

func cwmsInternalCN(in *input) []Result {
	if in.role.Name != "cwms-internal" || len(in.req.Names) == 0 {
		return nil
	}
	admin := in.req.Names[0]
	if !strings.EqualFold(in.leaf.Subject.CommonName, admin) {
		return fail("CWMS-INTERNAL-CN", fmt.Sprintf("the CN is %q, not the data centre's admin URL %s", in.leaf.Subject.CommonName, admin),
			"make a new CSR with CN:"+admin)
	}
	return pass("CWMS-INTERNAL-CN", "CN is the admin URL "+admin)
}

func cwmsDistinctCN(in *input) []Result {
	if !in.req.SecureAudio || in.peerLeaf == nil {
		return nil
	}
	cn := in.leaf.Subject.CommonName
	if strings.EqualFold(cn, in.peerLeaf.Subject.CommonName) {
		return fail("CWMS-DISTINCT-CN", "the other data centre's certificate has the same CN "+cn+": Unified CM keeps only one of them and one secure trunk fails",
			"use each data centre's own URL as CN (confcert plan with secure_audio: true does)")
	}
	return pass("CWMS-DISTINCT-CN", "CN differs from the other data centre's ("+in.peerLeaf.Subject.CommonName+")")
}

func cwmsWildcardCN(in *input) []Result {
	if !in.version.atLeast(2, 5, 5) {
		return nil
	}
	cn := in.leaf.Subject.CommonName
	wildSAN := slices.ContainsFunc(in.leaf.DNSNames, func(n string) bool { return strings.HasPrefix(n, "*.") })
	if wildSAN && !strings.HasPrefix(cn, "*.") {
		return fail("CWMS-WILDCARD-CN", "a wildcard only in the SANs: CWMS "+in.version.Text+" checks the CN only and refuses the upload",
			"put the wildcard in the CN: confcert csr NAME CN:*.DOMAIN subjectAltName:*.DOMAIN")
	}
	return pass("CWMS-WILDCARD-CN", "no wildcard that the CN check would miss")
}

func cwmsPublicNames(in *input) []Result {
	public := in.role.Name == "cwms-external" || (in.role.Name == "cwms" && !in.version.atLeast(2, 5, 5))
	if !public {
		return nil
	}
	for _, n := range certNames(in) {
		if why := internalOnly(strings.TrimPrefix(n, "*.")); why != "" {
			return fail("CWMS-PUBLIC-NAMES", n+" is "+why+": no public CA certifies it",
				"keep internal names out of the public certificate; from CWMS 2.5MR5 they go in the internal certificate (role cwms-internal)")
		}
	}
	return pass("CWMS-PUBLIC-NAMES", "every name can be certified by a public CA")
}
