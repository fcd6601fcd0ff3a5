package rolecheck

import (
	"github.com/confcert/confcert/internal/validity"

	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/pkiattr"
)

// genericRules are the rules for every role (spec roles.md, "Rules for every
// role"), as the role r shapes them.
func genericRules(r Role) []Rule {
	rules := []Rule{
		{"KEY-MATCH", "002 §4.4", keyMatch},
		{"VALIDITY", "002 §5.4, §5.6", validityRule},
		{"CHAIN", "002 §4.4", chainVerifies},
		{"BUNDLE-ORDER", "002 §1.2.4, §3.2", bundleOrder},
		{"BUNDLE-FORMAT", "002 §1.2.4, §4.7.1", bundleFormat},
		{"CHAIN-LENGTH", "002 Appendix C", chainLength},
		{"SIGNATURE", "002 §3 note", signature},
		{"KEY-SIZE", "", keySize},
		{"SAN-PRESENT", "002 Table 4", sanPresent},
		{"CN-IN-SAN", "002 §3.1.2, D.2", cnInSAN},
		{"NAMES", "002 §3.1.2, §5.3", namesCovered},
		{"KEY-USAGE", "002 A.1, D.2", keyUsage},
		{"PUBLIC-CALENDAR", "CA/B Forum BR §6.3.2; Chrome Root Program Policy 1.8 §1.3.2", publicCalendar},
	}
	if r.OwnNames {
		rules = slices.DeleteFunc(rules, func(ru Rule) bool { return ru.ID == "NAMES" })
	}
	if r.ClientOnly {
		rules = slices.DeleteFunc(rules, func(ru Rule) bool { return ru.ID == "SAN-PRESENT" })
	}
	if r.MMPFileNames {
		// File names are an MMP rule (002 §4.2 note, Appendix B); WebEx Meetings
		// Server takes .txt and .p12 uploads (seed 001 comments).
		rules = append(rules, Rule{"FILENAME", "002 §4.2 note, Appendix B", fileName})
	}
	return rules
}

// The Meeting Server's own words when a key is assigned (seed 002 §4.6, §4.7).
const (
	mmpKeyMatch    = "Key and certificate pair match"
	mmpKeyMismatch = "Key and certificate problem: certificate and key do not match"
)

// keyMatch: the key must belong to the certificate (seed 002 §4.3, §4.4).
func keyMatch(in *Input) []Result {
	if in.PrivKey == nil {
		return nil
	}
	if keys.Match(in.PrivKey, in.Leaf.PublicKey) {
		return Pass("KEY-MATCH", mmpKeyMatch)
	}
	return Fail("KEY-MATCH", mmpKeyMismatch+fmt.Sprintf(" (%s, %s)", in.KeyFrom, in.Cert.Path),
		"give the key the CSR was made with (confcert match KEY CERT tells), or make a new CSR from this key: confcert csr NAME --key "+in.KeyFrom+" ...")
}

// validityRule: expired or not yet valid fails; under validity.WarnDays (30) days left warns (002 §5.4, §5.6).
func validityRule(in *Input) []Result {
	c, now := in.Leaf, in.Now
	renew := "renew it: the same steps as the first issue (confcert csr, then sign or send to the CA) (Cisco Meeting Server Certificate Guidelines 2.9, §5.6)"
	switch left := validity.DaysLeft(c.NotAfter, now); {
	case validity.NotYetValid(c.NotBefore, now):
		return Fail("VALIDITY", "certificate is not yet valid: valid from "+stamp(c.NotBefore),
			"check the clock of the server and of the CA, or wait until "+stamp(c.NotBefore))
	case validity.Expired(c.NotAfter, now):
		return Fail("VALIDITY", "certificate has expired on "+stamp(c.NotAfter), renew)
	case left < validity.WarnDays:
		return Warn("VALIDITY", fmt.Sprintf("certificate expires on %s: %d days left", stamp(c.NotAfter), left), renew)
	default:
		return Pass("VALIDITY", fmt.Sprintf("valid until %s (%d days left)", stamp(c.NotAfter), left))
	}
}

// chainVerifies: with --bundle, --trust or --system-roots the chain must
// verify, reported the openssl way `pki verify` prints it (002 §4.4, Appendix C).
func chainVerifies(in *Input) []Result {
	if in.Bundle == nil && in.Trust == nil && !in.Req.SystemRoots {
		return nil
	}
	roots := in.fileRoots()
	if in.Trust != nil {
		roots = in.Trust.Certs
	}
	if in.Req.SystemRoots {
		sys, err := in.publicRoots()
		if err != nil {
			return Fail("CHAIN", "cannot read the system trust store: "+err.Error(), "give the root with --trust FILE")
		}
		roots = append(slices.Clone(roots), sys...)
	}
	if err := in.Verify(roots); err != nil {
		return Fail("CHAIN", "chain does not verify: "+VerifyWords(err),
			"put every intermediate from the certificate's issuer up in the bundle: confcert bundle --layout cms -o BUNDLE.crt "+in.Cert.Path+" CA-FILES...")
	}
	return Pass("CHAIN", "chain verifies: "+pathWords(in, roots))
}

// VerifyWords renders a chain error the way openssl and `pki verify` do.
func VerifyWords(err error) string {
	var ve *chain.VerifyError
	if errors.As(err, &ve) {
		return fmt.Sprintf("error at depth %d: %s (subject %s, issuer %s)", ve.Depth, ve.Reason, ve.Subject, ve.Issuer)
	}
	return err.Error()
}

// pathWords names the chain from the leaf to its anchor.
func pathWords(in *Input, roots []*x509.Certificate) string {
	c, err := chain.Build(in.intermediates(), chain.Options{Leaf: in.Leaf, Roots: roots, At: in.Now})
	if err != nil {
		return chain.DisplayName(in.Leaf)
	}
	var names []string
	for _, x := range c.Certificates() {
		names = append(names, chain.DisplayName(x))
	}
	return strings.Join(names, " <- ")
}

// bundleOrder: a bundle holds the chain in sequence, each certificate followed
// by its issuer, the root last (002 §1.2.4, §3.2). Web Bridge 3's full-chain
// file is judged the same way; CWMS and MeetingPlace files by their own rule.
func bundleOrder(in *Input) []Result {
	var out []Result
	if in.Bundle != nil {
		seq := in.Bundle.Certs
		if len(seq) == 0 || !seq[0].Equal(in.Leaf) {
			seq = append([]*x509.Certificate{in.Leaf}, seq...)
		}
		out = append(out, sequenceResult(in.Bundle.Path, seq, len(seq)-len(in.Bundle.Certs), "cms")...)
	}
	if in.Role.File == FullChain {
		out = append(out, sequenceResult(in.Cert.Path, in.Cert.Certs, 0, "fullchain")...)
	}
	return out
}

// sequenceResult judges one file's order; offset is how many certificates
// were put before the file's own (the leaf, for a bundle without it).
func sequenceResult(path string, seq []*x509.Certificate, offset int, layout string) []Result {
	fix := "write it in order: confcert bundle --layout " + layout + " -o " + path + " CERT-AND-CA-FILES..."
	if ok, bad := chain.InSequence(seq); !ok {
		return Fail("BUNDLE-ORDER", fmt.Sprintf("%s is not in sequence: certificate %d (%s) is not the issuer of the one before it",
			path, bad-offset+1, chain.DisplayName(seq[bad])), fix)
	}
	for i, c := range seq[:len(seq)-1] {
		if chain.SelfSigned(c) {
			return Fail("BUNDLE-ORDER", fmt.Sprintf("%s: the root %s is not last (certificate %d)", path, chain.DisplayName(c), i-offset+1), fix)
		}
	}
	return Pass("BUNDLE-ORDER", path+": in sequence, each certificate followed by its issuer"+rootWords(seq))
}

func rootWords(seq []*x509.Certificate) string {
	if chain.SelfSigned(seq[len(seq)-1]) {
		return ", root last"
	}
	return ""
}

// bundleFormat: PEM bundles are plain blocks, one after the other, no blank
// lines, one final newline (002 §1.2.4, §4.7.1 c, D.2).
func bundleFormat(in *Input) []Result {
	var out []Result
	for _, s := range in.formatFiles() {
		pemOnly := s != in.Cert || in.Role.File != LeafFile
		if in.Role.AcceptsPKCS12 && s.File.Encoding == certio.PKCS12 {
			pemOnly = false // e.g. CWMS takes a PKCS#12 upload (seed 001 comments)
		}
		out = append(out, formatResult(s, pemOnly)...)
	}
	return out
}

// formatFiles are the files the server reads as PEM text.
func (in *Input) formatFiles() []*Source {
	var out []*Source
	for _, s := range []*Source{in.Cert, in.Bundle, in.Trust} {
		if s != nil {
			out = append(out, s)
		}
	}
	return out
}

// formatResult judges one file; pemOnly is true where DER is not accepted
// (bundles: a DER file holds one certificate only).
func formatResult(s *Source, pemOnly bool) []Result {
	fix := "rewrite it as clean PEM: confcert convert " + s.Path + " -o " + cleanName(s.Path) + " --to pem"
	if !s.Layout.PEM {
		if pemOnly && s.File.Encoding != certio.PEM {
			return Warn("BUNDLE-FORMAT", s.Path+": "+string(s.File.Encoding)+" where PEM is expected", fix)
		}
		return nil
	}
	if p := s.Layout.problems(); len(p) > 0 {
		return Warn("BUNDLE-FORMAT", s.Path+": "+strings.Join(p, "; "), fix)
	}
	return Pass("BUNDLE-FORMAT", s.Path+": clean PEM")
}

// cleanName suggests an output name next to path.
func cleanName(path string) string {
	ext := filepath.Ext(path)
	if ext == "" || ext == ".der" || ext == ".p7b" || ext == ".pfx" || ext == ".p12" {
		ext = ".crt"
	}
	return strings.TrimSuffix(path, filepath.Ext(path)) + "-clean" + ext
}

// chainLength: long chains slow every handshake (002 Appendix C, pki csr note).
func chainLength(in *Input) []Result {
	n := len(in.presented())
	if n > 4 {
		return Warn("CHAIN-LENGTH", fmt.Sprintf("%d certificates presented: more than 4 makes TLS handshakes slow", n),
			"leave the root out of what the server presents (confcert bundle --layout chain), or ask the CA for a shorter chain")
	}
	return Pass("CHAIN-LENGTH", fmt.Sprintf("%d certificate(s) presented", n))
}

// signature: MD5 is refused everywhere; SHA-1 is still accepted by the
// Meeting Server (002 §3 note) but not by browsers.
func signature(in *Input) []Result {
	fix := "have the certificate re-issued with SHA-256 (confcert sign always uses SHA-256 or better)"
	var weak []Result
	for _, c := range in.presented() {
		if chain.SelfSigned(c) && c != in.Leaf {
			continue // a root's own signature is never checked
		}
		switch chain.SignatureStrength(c) {
		case chain.Broken:
			return Fail("SIGNATURE", chain.DisplayName(c)+" is signed with "+c.SignatureAlgorithm.String()+", which nothing accepts", fix)
		case chain.Weak:
			weak = Warn("SIGNATURE", chain.DisplayName(c)+" is signed with SHA-1: the Meeting Server takes it, browsers do not", fix)
		}
	}
	if weak != nil {
		return weak
	}
	return Pass("SIGNATURE", "signed with "+in.Leaf.SignatureAlgorithm.String())
}

// keySize: RSA below 1024 bits fails, below 2048 warns.
func keySize(in *Input) []Result {
	alg, bits := keys.Describe(in.Leaf.PublicKey)
	desc := fmt.Sprintf("%s %d bits", alg, bits)
	fix := "make a new key and CSR: confcert csr NAME --key-type rsa2048 ..."
	if _, ok := in.Leaf.PublicKey.(*rsa.PublicKey); ok {
		switch {
		case bits < 1024:
			return Fail("KEY-SIZE", desc+": below 1024 bits, refused by every TLS stack", fix)
		case bits < 2048:
			return Warn("KEY-SIZE", desc+": below 2048 bits, refused by current browsers and CAs", fix)
		}
	}
	return Pass("KEY-SIZE", desc)
}

// sanPresent: current browsers and clients ignore the CN (002 Table 4).
func sanPresent(in *Input) []Result {
	if !HasSAN(in.Leaf) {
		return Warn("SAN-PRESENT", "no subject alternative name: current browsers and clients ignore the CN",
			"make a new CSR with the names: confcert csr NAME "+pkiattr.Arg("CN", in.Leaf.Subject.CommonName)+" subjectAltName:NAME,...")
	}
	return Pass("SAN-PRESENT", "subject alternative names: "+strings.Join(SANs(in.Leaf), ", "))
}

// cnInSAN: when a SAN list exists it must hold the CN (002 §3.1.2, D.2 note).
func cnInSAN(in *Input) []Result {
	cn := in.Leaf.Subject.CommonName
	if !isHostName(cn) || !HasSAN(in.Leaf) {
		return nil
	}
	if !Listed(SANs(in.Leaf), cn) {
		return Warn("CN-IN-SAN", "the CN "+cn+" is not among the subject alternative names",
			"make a new CSR: confcert csr adds the CN to the SAN list itself")
	}
	return Pass("CN-IN-SAN", "the CN "+cn+" is among the subject alternative names")
}

// namesCovered: every --name must be covered by a SAN (002 §3.1.2, §5.3).
func namesCovered(in *Input) []Result {
	if len(in.Req.Names) == 0 {
		return nil
	}
	var missing []string
	for _, n := range in.Req.Names {
		if !CoveredBy(SANs(in.Leaf), n) {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return Fail("NAMES", "not covered by the subject alternative names: "+strings.Join(missing, ", "),
			"make a new CSR with subjectAltName listing "+strings.Join(missing, ","))
	}
	return Pass("NAMES", "every name is covered: "+strings.Join(in.Req.Names, ", "))
}

// keyUsage: digitalSignature is needed for TLS with ECDHE (002 A.1, D.2).
func keyUsage(in *Input) []Result {
	return KeyUsageRule("KEY-USAGE", in, Warn)
}

func KeyUsageRule(id string, in *Input, bad func(id, msg, fix string) []Result) []Result {
	ku := in.Leaf.KeyUsage
	if ku == 0 {
		return Pass(id, "no key usage extension: every use allowed")
	}
	if ku&x509.KeyUsageDigitalSignature == 0 {
		return bad(id, "key usage lacks digitalSignature", "have it re-issued with keyUsage digitalSignature (confcert sign sets it)")
	}
	return Pass(id, "key usage includes digitalSignature")
}

// fileName: the MMP refuses a '.' other than before the extension, a '_', and
// extensions outside its lists (002 §4.2 note, §3.1 note, Appendix B).
func fileName(in *Input) []Result {
	var out []Result
	check := func(s *Source, exts []string) {
		if s == nil {
			return
		}
		if msg := mmpNameProblem(filepath.Base(s.Path), exts); msg != "" {
			out = append(out, Fail("FILENAME", filepath.Base(s.Path)+": "+msg,
				"rename it: letters, digits and '-', then one of "+strings.Join(exts, " "))...)
		}
	}
	certExts := []string{".pem", ".cer", ".crt", ".der"}
	check(in.Cert, certExts)
	check(in.Key, []string{".key", ".pem", ".der"})
	check(in.Bundle, certExts)
	check(in.Trust, certExts)
	if out == nil {
		return Pass("FILENAME", "file names the MMP accepts")
	}
	return out
}

func mmpNameProblem(base string, exts []string) string {
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	switch {
	case strings.Contains(stem, "."):
		return "a '.' other than before the extension"
	case strings.Contains(stem, "_"):
		return "a '_' in the name"
	case !slices.Contains(exts, strings.ToLower(ext)):
		return "extension " + quoteExt(ext) + " is not one the MMP accepts"
	}
	return ""
}

func quoteExt(ext string) string {
	if ext == "" {
		return "(none)"
	}
	return ext
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02") }
