package apply

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/fileout"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/plan"
)

// Certificates whose key another system holds (plan.Certificate.KeyHeld: the
// Unified CM publisher makes the key and the CSR): confcert makes no key. The
// CSR comes back with --import; it is matched to its planned certificate by
// CN (and, when several share it, by the purpose in its file name), checked,
// written as <name>.csr and signed by the local CA. Its subject is the CSR's
// own (the appliance fills in O, OU, L, ST, C): only the CN and the planned
// SANs are the plan's to judge.

// importedCSR is a CSR --import found.
type importedCSR struct {
	path string
	csr  *x509.CertificateRequest
}

// placeCSRs gives each imported CSR to the planned certificate it is for.
func (r *run) placeCSRs() {
	for _, ic := range r.csrs {
		if why := r.placeCSR(ic); why != "" {
			r.res.Unmatched = append(r.res.Unmatched, fmt.Sprintf("%s: %s; not used", ic.path, why))
		}
	}
}

func (r *run) placeCSR(ic importedCSR) string {
	if err := ic.csr.CheckSignature(); err != nil {
		return "the CSR's signature does not verify"
	}
	var cands []*item
	for _, it := range r.items {
		if it.c.KeyHeld != nil && strings.EqualFold(it.c.CN, ic.csr.Subject.CommonName) {
			cands = append(cands, it)
		}
	}
	if len(cands) > 1 {
		base := strings.ToLower(filepath.Base(ic.path))
		cands = slices.DeleteFunc(cands, func(it *item) bool { return !hintIn(base, it.c.KeyHeld.Hint) })
	}
	switch len(cands) {
	case 0:
		return fmt.Sprintf("a CSR for CN %q, which no planned certificate made elsewhere has (%s)", ic.csr.Subject.CommonName, r.heldNames())
	case 1:
	default:
		return fmt.Sprintf("a CSR for CN %q, which several planned certificates share: keep the purpose (e.g. tomcat, CallManager) in the file name, as Unified CM names it", ic.csr.Subject.CommonName)
	}
	it := cands[0]
	if why := heldCSRProblem(it.c, ic.csr); why != "" {
		return "for " + it.c.Name + ": " + why
	}
	it.importedCSR = ic.csr
	return ""
}

// hintIn reports whether the file name holds the purpose, as a word: the
// tomcat CSR is not the tomcat-ECDSA one.
func hintIn(base, hint string) bool {
	h := strings.ToLower(hint)
	i := strings.Index(base, h)
	if i < 0 {
		return false
	}
	rest := base[i+len(h):]
	return !strings.HasPrefix(rest, "-ec") && !strings.HasPrefix(rest, "_ec") && !strings.HasPrefix(rest, "-s2s")
}

func (r *run) heldNames() string {
	var out []string
	for _, it := range r.items {
		if it.c.KeyHeld != nil {
			out = append(out, it.c.Name+" CN "+it.c.CN)
		}
	}
	if len(out) == 0 {
		return "the plan has none"
	}
	return "planned: " + strings.Join(out, ", ")
}

// heldCSRProblem checks a CSR made elsewhere: no wildcard, the key algorithm
// and size the plan allows, every planned name.
func heldCSRProblem(c *plan.Certificate, csr *x509.CertificateRequest) string {
	for _, n := range append(sanList(csr.DNSNames, csr.IPAddresses), csr.Subject.CommonName) {
		if strings.Contains(n, "*") {
			return "the CSR names the wildcard " + n + ", which the product does not support"
		}
	}
	h := c.KeyHeld
	switch k := csr.PublicKey.(type) {
	case *rsa.PublicKey:
		if h.KeyAlgorithm == "ECDSA" {
			return "an RSA CSR where an ECDSA key is planned: generate it for the -ECDSA purpose"
		}
		if h.MaxKeyBits > 0 && k.N.BitLen() > h.MaxKeyBits {
			return fmt.Sprintf("an RSA key of %d bits, above the %d the product supports", k.N.BitLen(), h.MaxKeyBits)
		}
	case *ecdsa.PublicKey:
		if h.KeyAlgorithm == "RSA" {
			return "an ECDSA CSR where an RSA key is planned"
		}
	default:
		return "a key the product does not take (" + keys.Label(csr.PublicKey) + ")"
	}
	if missing := setDiff(c.SANs, sanList(csr.DNSNames, csr.IPAddresses)); len(missing) > 0 {
		return fmt.Sprintf("the CSR lacks the planned names %v: generate it again so that every node is listed", missing)
	}
	return ""
}

// decideHeld: a new CSR brought back is written and signed; otherwise the
// certificate is signed again when missing, stale or expiring, as for a key
// confcert holds.
func (r *run) decideHeld(it *item) {
	c := it.c
	if in := it.importedCSR; in != nil && (it.csr == nil || !bytes.Equal(it.csr.Raw, in.Raw)) {
		it.backupIf(it.csr != nil, c.Files.CSR)
		it.backupIf(it.leaf != nil, c.Files.Cert)
		it.csr, it.newCSR, it.newCert = in, true, true
		it.setAction(ActionImported, "CSR from "+c.KeyHeld.By)
		return
	}
	if it.csr == nil {
		return
	}
	if why := r.heldStale(it); why != "" {
		it.newCert = true
		it.setAction(ActionReissued, why)
		it.backupIf(it.leaf != nil, c.Files.Cert)
	}
}

func (r *run) heldStale(it *item) string {
	c, leaf := it.c, it.leaf
	switch {
	case leaf == nil:
		return c.Files.Cert + " was missing"
	case !samePublicKey(it.csr.RawSubjectPublicKeyInfo, leaf.RawSubjectPublicKeyInfo):
		return c.Files.Cert + " does not match " + c.Files.CSR
	}
	if d := ekuDiff(c, leaf); d != "" {
		return d
	}
	if d := caDiff(c, leaf); d != "" {
		return d
	}
	if d := r.signerDiff(c, leaf); d != "" {
		return d
	}
	if leaf.NotAfter.Sub(r.o.Now) < renewWindow {
		return "it expires on " + leaf.NotAfter.UTC().Format(time.DateOnly)
	}
	return ""
}

func samePublicKey(a, b []byte) bool { return bytes.Equal(a, b) }

// writeHeldCSR writes the CSR brought back, as it came.
func (r *run) writeHeldCSR(it *item) error {
	return fileout.Write(fileout.File{Path: r.path(it.c.Files.CSR), Data: certio.CSRPEM(it.csr.Raw)})
}

// checkHeld lists what is wrong with a certificate made from a CSR made
// elsewhere (--check).
func (r *run) checkHeld(it *item, within time.Duration, pb func(rule, file, msg string) []Problem) []Problem {
	c := it.c
	switch {
	case it.csr == nil:
		return pb(rulePlan, c.Files.CSR, fmt.Sprintf("awaiting the CSR from %s: generate it there, then run plan with --import", c.KeyHeld.By))
	case it.leaf == nil:
		return pb(ruleFilePresent, c.Files.Cert, c.Files.Cert+" is missing")
	case !samePublicKey(it.csr.RawSubjectPublicKeyInfo, it.leaf.RawSubjectPublicKeyInfo):
		return pb(ruleKeyMatch, c.Files.Cert, fmt.Sprintf("%s and %s are not for the same key", c.Files.CSR, c.Files.Cert))
	}
	var out []Problem
	for _, f := range []struct{ rule, msg string }{
		{rulePlan, heldNamesProblem(c, it.leaf)},
		{ruleValidity, validityProblem(c, it.leaf, r.o.Now, within)},
		{ruleChain, r.chainProblem(it)},
	} {
		if f.msg != "" {
			out = append(out, pb(f.rule, c.Files.Cert, f.msg)...)
		}
	}
	return out
}

func heldNamesProblem(c *plan.Certificate, leaf *x509.Certificate) string {
	if !strings.EqualFold(leaf.Subject.CommonName, c.CN) {
		return fmt.Sprintf("%s: CN %q, the plan says %q", c.Files.Cert, leaf.Subject.CommonName, c.CN)
	}
	if missing := missingSANs(c, leaf); len(missing) > 0 {
		return fmt.Sprintf("%s lacks the planned names %v", c.Files.Cert, missing)
	}
	if d := ekuDiff(c, leaf); d != "" {
		return c.Files.Cert + ": " + d + " (rerun plan to sign it again)"
	}
	if d := caDiff(c, leaf); d != "" {
		return c.Files.Cert + ": " + d + " (rerun plan to sign it again)"
	}
	return ""
}

// caDiff says how a certificate's basic constraints and key usage differ
// from a planned subordinate CA's (CA:TRUE, pathLenConstraint 0, the
// planned key usage), or that a certificate planned as none is a CA.
func caDiff(c *plan.Certificate, leaf *x509.Certificate) string {
	isSub := leaf.IsCA && leaf.MaxPathLen == 0 && leaf.MaxPathLenZero
	switch {
	case c.SubordinateCA && !isSub:
		return "it is not a CA with pathLenConstraint 0, as the plan says"
	case !c.SubordinateCA && leaf.IsCA:
		return "it is a CA certificate, which the plan does not say"
	case c.SubordinateCA:
		return kuDiff(c, leaf)
	}
	return ""
}

// extraKeyUsage keeps dataEncipherment when the plan gives it: Unified CM's
// CSRs ask for it and the CA must not remove it (Security Guide for Cisco
// Unified Communications Manager Release 14, UCM-07).
func extraKeyUsage(c *plan.Certificate) x509.KeyUsage {
	if c.KeyHeld != nil && slices.Contains(c.KeyUsage, "dataEncipherment") {
		return x509.KeyUsageDataEncipherment
	}
	return 0
}
