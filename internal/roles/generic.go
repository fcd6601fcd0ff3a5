package roles

import (
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
	"github.com/confcert/confcert/internal/describe"
	"github.com/confcert/confcert/internal/keys"
)

// genericRules are the rules for every role (spec roles.md, "Rules for every
// role"), as the role r shapes them.
func genericRules(r role) []rule {
	rules := []rule{
		{"KEY-MATCH", "002 §4.4", keyMatch},
		{"VALIDITY", "002 §5.4, §5.6", validity},
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
	}
	if r.OwnNames {
		rules = slices.DeleteFunc(rules, func(ru rule) bool { return ru.ID == "NAMES" })
	}
	if r.ClientOnly {
		rules = slices.DeleteFunc(rules, func(ru rule) bool { return ru.ID == "SAN-PRESENT" })
	}
	if r.Product == "cms" {
		// File names are an MMP rule (002 §4.2 note, Appendix B); WebEx Meetings
		// Server takes .txt and .p12 uploads (seed 001 comments).
		rules = append(rules, rule{"FILENAME", "002 §4.2 note, Appendix B", fileName})
	}
	return rules
}

// The Meeting Server's own words when a key is assigned (seed 002 §4.6, §4.7).
const (
	mmpKeyMatch    = "Key and certificate pair match"
	mmpKeyMismatch = "Key and certificate problem: certificate and key do not match"
)

// keyMatch: the key must belong to the certificate (seed 002 §4.3, §4.4).
func keyMatch(in *input) []Result {
	if in.privKey == nil {
		return nil
	}
	if keys.Match(in.privKey, in.leaf.PublicKey) {
		return pass("KEY-MATCH", mmpKeyMatch)
	}
	return fail("KEY-MATCH", mmpKeyMismatch+fmt.Sprintf(" (%s, %s)", in.keyFrom, in.cert.Path),
		"give the key the CSR was made with (confcert match KEY CERT tells), or make a new CSR from this key: confcert csr NAME --key "+in.keyFrom+" ...")
}

// validity: expired or not yet valid fails; under 30 days left warns (002 §5.4, §5.6).
func validity(in *input) []Result {
	c, now := in.leaf, in.now
	renew := "renew it: the same steps as the first issue (confcert csr, then sign or send to the CA) (002 §5.6)"
	switch left := describe.DaysLeft(c.NotAfter, now); {
	case now.Before(c.NotBefore):
		return fail("VALIDITY", "certificate is not yet valid: valid from "+stamp(c.NotBefore),
			"check the clock of the server and of the CA, or wait until "+stamp(c.NotBefore))
	case now.After(c.NotAfter):
		return fail("VALIDITY", "certificate has expired on "+stamp(c.NotAfter), renew)
	case left < 30:
		return warn("VALIDITY", fmt.Sprintf("certificate expires on %s: %d days left", stamp(c.NotAfter), left), renew)
	default:
		return pass("VALIDITY", fmt.Sprintf("valid until %s (%d days left)", stamp(c.NotAfter), left))
	}
}

// chainVerifies: with --bundle, --trust or --system-roots the chain must
// verify, reported the openssl way `pki verify` prints it (002 §4.4, Appendix C).
func chainVerifies(in *input) []Result {
	if in.bundle == nil && in.trust == nil && !in.req.SystemRoots {
		return nil
	}
	roots := in.fileRoots()
	if in.trust != nil {
		roots = in.trust.Certs
	}
	if in.req.SystemRoots {
		sys, err := in.publicRoots()
		if err != nil {
			return fail("CHAIN", "cannot read the system trust store: "+err.Error(), "give the root with --trust FILE")
		}
		roots = append(slices.Clone(roots), sys...)
	}
	if err := in.verify(roots); err != nil {
		return fail("CHAIN", "chain does not verify: "+verifyWords(err),
			"put every intermediate from the certificate's issuer up in the bundle: confcert bundle --layout cms -o BUNDLE.crt "+in.cert.Path+" CA-FILES...")
	}
	return pass("CHAIN", "chain verifies: "+pathWords(in, roots))
}

// verifyWords renders a chain error the way openssl and `pki verify` do.
func verifyWords(err error) string {
	var ve *chain.VerifyError
	if errors.As(err, &ve) {
		return fmt.Sprintf("error at depth %d: %s (subject %s, issuer %s)", ve.Depth, ve.Reason, ve.Subject, ve.Issuer)
	}
	return err.Error()
}

// pathWords names the chain from the leaf to its anchor.
func pathWords(in *input, roots []*x509.Certificate) string {
	c, err := chain.Build(in.intermediates(), chain.Options{Leaf: in.leaf, Roots: roots, At: in.now})
	if err != nil {
		return chain.DisplayName(in.leaf)
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
func bundleOrder(in *input) []Result {
	var out []Result
	if in.bundle != nil {
		seq := in.bundle.Certs
		if len(seq) == 0 || !seq[0].Equal(in.leaf) {
			seq = append([]*x509.Certificate{in.leaf}, seq...)
		}
		out = append(out, sequenceResult(in.bundle.Path, seq, len(seq)-len(in.bundle.Certs), "cms")...)
	}
	if in.role.File == fullChain {
		out = append(out, sequenceResult(in.cert.Path, in.cert.Certs, 0, "fullchain")...)
	}
	return out
}

// sequenceResult judges one file's order; offset is how many certificates
// were put before the file's own (the leaf, for a bundle without it).
func sequenceResult(path string, seq []*x509.Certificate, offset int, layout string) []Result {
	fix := "write it in order: confcert bundle --layout " + layout + " -o " + path + " CERT-AND-CA-FILES..."
	if ok, bad := chain.InSequence(seq); !ok {
		return fail("BUNDLE-ORDER", fmt.Sprintf("%s is not in sequence: certificate %d (%s) is not the issuer of the one before it",
			path, bad-offset+1, chain.DisplayName(seq[bad])), fix)
	}
	for i, c := range seq[:len(seq)-1] {
		if chain.SelfSigned(c) {
			return fail("BUNDLE-ORDER", fmt.Sprintf("%s: the root %s is not last (certificate %d)", path, chain.DisplayName(c), i-offset+1), fix)
		}
	}
	return pass("BUNDLE-ORDER", path+": in sequence, each certificate followed by its issuer"+rootWords(seq))
}

func rootWords(seq []*x509.Certificate) string {
	if chain.SelfSigned(seq[len(seq)-1]) {
		return ", root last"
	}
	return ""
}

// bundleFormat: PEM bundles are plain blocks, one after the other, no blank
// lines, one final newline (002 §1.2.4, §4.7.1 c, D.2).
func bundleFormat(in *input) []Result {
	var out []Result
	for _, s := range in.formatFiles() {
		pemOnly := s != in.cert || in.role.File != leafFile
		if in.role.Product == "cwms" && s.File.Encoding == certio.PKCS12 {
			pemOnly = false // CWMS takes a PKCS#12 upload (seed 001 comments)
		}
		out = append(out, formatResult(s, pemOnly)...)
	}
	return out
}

// formatFiles are the files the server reads as PEM text.
func (in *input) formatFiles() []*source {
	var out []*source
	for _, s := range []*source{in.cert, in.bundle, in.trust} {
		if s != nil {
			out = append(out, s)
		}
	}
	return out
}

// formatResult judges one file; pemOnly is true where DER is not accepted
// (bundles: a DER file holds one certificate only).
func formatResult(s *source, pemOnly bool) []Result {
	fix := "rewrite it as clean PEM: confcert convert " + s.Path + " -o " + cleanName(s.Path) + " --to pem"
	if !s.Layout.PEM {
		if pemOnly && s.File.Encoding != certio.PEM {
			return warn("BUNDLE-FORMAT", s.Path+": "+string(s.File.Encoding)+" where PEM is expected", fix)
		}
		return nil
	}
	if p := s.Layout.problems(); len(p) > 0 {
		return warn("BUNDLE-FORMAT", s.Path+": "+strings.Join(p, "; "), fix)
	}
	return pass("BUNDLE-FORMAT", s.Path+": clean PEM")
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
func chainLength(in *input) []Result {
	n := len(in.presented())
	if n > 4 {
		return warn("CHAIN-LENGTH", fmt.Sprintf("%d certificates presented: more than 4 makes TLS handshakes slow", n),
			"leave the root out of what the server presents (confcert bundle --layout chain), or ask the CA for a shorter chain")
	}
	return pass("CHAIN-LENGTH", fmt.Sprintf("%d certificate(s) presented", n))
}

// signature: MD5 is refused everywhere; SHA-1 is still accepted by the
// Meeting Server (002 §3 note) but not by browsers.
func signature(in *input) []Result {
	fix := "have the certificate re-issued with SHA-256 (confcert sign always uses SHA-256 or better)"
	var weak []Result
	for _, c := range in.presented() {
		if chain.SelfSigned(c) && c != in.leaf {
			continue // a root's own signature is never checked
		}
		switch chain.SignatureStrength(c) {
		case chain.Broken:
			return fail("SIGNATURE", chain.DisplayName(c)+" is signed with "+c.SignatureAlgorithm.String()+", which nothing accepts", fix)
		case chain.Weak:
			weak = warn("SIGNATURE", chain.DisplayName(c)+" is signed with SHA-1: the Meeting Server takes it, browsers do not", fix)
		}
	}
	if weak != nil {
		return weak
	}
	return pass("SIGNATURE", "signed with "+in.leaf.SignatureAlgorithm.String())
}

// keySize: RSA below 1024 bits fails, below 2048 warns.
func keySize(in *input) []Result {
	alg, bits := keys.Describe(in.leaf.PublicKey)
	desc := fmt.Sprintf("%s %d bits", alg, bits)
	fix := "make a new key and CSR: confcert csr NAME --key-type rsa2048 ..."
	if _, ok := in.leaf.PublicKey.(*rsa.PublicKey); ok {
		switch {
		case bits < 1024:
			return fail("KEY-SIZE", desc+": below 1024 bits, refused by every TLS stack", fix)
		case bits < 2048:
			return warn("KEY-SIZE", desc+": below 2048 bits, refused by current browsers and CAs", fix)
		}
	}
	return pass("KEY-SIZE", desc)
}

// sanPresent: current browsers and clients ignore the CN (002 Table 4).
func sanPresent(in *input) []Result {
	if !hasSAN(in.leaf) {
		return warn("SAN-PRESENT", "no subject alternative name: current browsers and clients ignore the CN",
			"make a new CSR with the names: confcert csr NAME CN:"+in.leaf.Subject.CommonName+" subjectAltName:NAME,...")
	}
	return pass("SAN-PRESENT", "subject alternative names: "+strings.Join(sans(in.leaf), ", "))
}

// cnInSAN: when a SAN list exists it must hold the CN (002 §3.1.2, D.2 note).
func cnInSAN(in *input) []Result {
	cn := in.leaf.Subject.CommonName
	if !isHostName(cn) || !hasSAN(in.leaf) {
		return nil
	}
	if !listed(sans(in.leaf), cn) {
		return warn("CN-IN-SAN", "the CN "+cn+" is not among the subject alternative names",
			"make a new CSR: confcert csr adds the CN to the SAN list itself")
	}
	return pass("CN-IN-SAN", "the CN "+cn+" is among the subject alternative names")
}

// namesCovered: every --name must be covered by a SAN (002 §3.1.2, §5.3).
func namesCovered(in *input) []Result {
	if len(in.req.Names) == 0 {
		return nil
	}
	var missing []string
	for _, n := range in.req.Names {
		if !coveredBy(sans(in.leaf), n) {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fail("NAMES", "not covered by the subject alternative names: "+strings.Join(missing, ", "),
			"make a new CSR with subjectAltName listing "+strings.Join(missing, ","))
	}
	return pass("NAMES", "every name is covered: "+strings.Join(in.req.Names, ", "))
}

// keyUsage: digitalSignature is needed for TLS with ECDHE (002 A.1, D.2).
func keyUsage(in *input) []Result {
	return keyUsageRule("KEY-USAGE", in, warn)
}

func keyUsageRule(id string, in *input, bad func(id, msg, fix string) []Result) []Result {
	ku := in.leaf.KeyUsage
	if ku == 0 {
		return pass(id, "no key usage extension: every use allowed")
	}
	if ku&x509.KeyUsageDigitalSignature == 0 {
		return bad(id, "key usage lacks digitalSignature", "have it re-issued with keyUsage digitalSignature (confcert sign sets it)")
	}
	return pass(id, "key usage includes digitalSignature")
}

// fileName: the MMP refuses a '.' other than before the extension, a '_', and
// extensions outside its lists (002 §4.2 note, §3.1 note, Appendix B).
func fileName(in *input) []Result {
	var out []Result
	check := func(s *source, exts []string) {
		if s == nil {
			return
		}
		if msg := mmpNameProblem(filepath.Base(s.Path), exts); msg != "" {
			out = append(out, fail("FILENAME", filepath.Base(s.Path)+": "+msg,
				"rename it: letters, digits and '-', then one of "+strings.Join(exts, " "))...)
		}
	}
	certExts := []string{".pem", ".cer", ".crt", ".der"}
	check(in.cert, certExts)
	check(in.key, []string{".key", ".pem", ".der"})
	check(in.bundle, certExts)
	check(in.trust, certExts)
	if out == nil {
		return pass("FILENAME", "file names the MMP accepts")
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
