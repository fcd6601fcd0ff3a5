package apply

import (
	"strings"

	"github.com/confcert/confcert/internal/validity"

	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/inputfile"

	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/rolecheck"
)

// DefaultWithin is how soon an expiry counts as a problem for --check.
var DefaultWithin = validity.Window(validity.WarnDays)

// Problem is one thing --check found wrong.
type Problem struct {
	// Subject is the certificate or file concerned.
	Subject string `json:"subject"`
	Problem string `json:"problem"`
	// Rule is the rule ID the finding belongs to (FILE-PRESENT, KEY-MATCH,
	// VALIDITY, CHAIN, or PLAN for what only the plan can tell), so that a
	// role check saying the same is not reported twice.
	Rule string `json:"-"`
	// cert is the planned certificate concerned, "" for a file of its own;
	// file is the path of the file concerned.
	cert, file string
}

// Report is what the one check of a plan found: `confcert plan --check` and
// `confcert check --plan` both run Check and print this report, each finding
// once.
type Report struct {
	Plan     *plan.Plan `json:"-"`
	Problems []Problem  `json:"problems"`
	// Warnings are the role checks' WARNING lines: worth reading, not a failure.
	Warnings []Problem `json:"warnings"`
	// Roles is the role checks' own report (spec roles.md), without the
	// findings that the plan's checks already made; Checks renders it whole.
	Roles *rolecheck.Report `json:"-"`
}

// OK reports whether nothing is wrong.
func (rep *Report) OK() bool { return len(rep.Problems) == 0 }

// Check verifies o.Dir against p and writes nothing: every planned file is
// there, each key matches its certificate, each chain verifies, names and
// usages still match the plan, nothing is expired or expires within within,
// bundles and install files hold what the plan says. Local CAs are looked up
// (never created); a CA bundle in the directory stands in for a missing store.
func Check(ctx context.Context, p *plan.Plan, o Options, within time.Duration) (*Report, error) {
	o.DryRun, o.Import, o.Renew = true, nil, nil
	r, err := newRun(ctx, p, o)
	if err != nil {
		return nil, err
	}
	r.setStatuses()
	r.caFromBundles()
	rep := &Report{Plan: p}
	for _, it := range r.items {
		probs := r.checkItem(it, within)
		rep.Problems = append(rep.Problems, probs...)
		if len(probs) > 0 && it.c.Status == plan.StatusSigned {
			it.c.Status = plan.StatusInvalid
		}
	}
	rep.Problems = append(rep.Problems, r.checkFiles()...)
	if err := rep.addRoles(p, o); err != nil {
		return nil, err
	}
	return rep, nil
}

// addRoles runs the product role checks of every certificate (spec roles.md,
// `check --plan`), each finding once (rolecheck.CheckPlan), leaves out what
// the plan's own checks already found (restated drops it), and lists their
// FAILURE lines as problems and their WARNING lines as warnings.
func (rep *Report) addRoles(p *plan.Plan, o Options) error {
	roles := o.Roles
	if roles == nil {
		roles = catalog.Roles()
	}
	rr, err := roles.CheckPlan(p, o.Dir, rolecheck.Options{Now: o.Now, Password: o.Read.Password, NoLints: o.NoLints, SystemRoots: o.SystemRoots})
	if err != nil {
		return err
	}
	rr.Drop(rep.restated)
	rep.Roles = rr
	for _, chk := range rr.Checks {
		for _, res := range chk.Results {
			pb := Problem{Subject: chk.Certificate, Problem: fmt.Sprintf("%s %s: %s", chk.Role, res.Rule, res.Message), Rule: res.Rule}
			if res.Fix != "" {
				pb.Problem += " (" + res.Fix + ")"
			}
			switch res.Severity {
			case rolecheck.Failure:
				rep.Problems = append(rep.Problems, pb)
			case rolecheck.Warning:
				rep.Warnings = append(rep.Warnings, pb)
			}
		}
	}
	return nil
}

// restated reports whether a role check's result says again what one of the
// plan's own checks found: a missing file (FILE-PRESENT, the same file), or
// a certificate's key match, validity or chain (the same certificate).
func (rep *Report) restated(chk *rolecheck.Check, res rolecheck.Result) bool {
	for _, pb := range rep.Problems {
		switch {
		case pb.Rule != res.Rule:
		case pb.Rule == ruleFilePresent && pb.file != "" && pb.file == chk.File:
			return true
		case pb.Rule != ruleFilePresent && pb.cert != "" && pb.cert == chk.Certificate:
			return true
		}
	}
	return false
}

// The rule IDs of the plan's own checks: those a role check may restate
// (spec roles.md) and PLAN for what only the plan can tell.
const (
	ruleFilePresent = "FILE-PRESENT"
	ruleKeyMatch    = "KEY-MATCH"
	ruleValidity    = "VALIDITY"
	ruleChain       = "CHAIN"
	rulePlan        = "PLAN"
)

// Checks is the whole report in the shape of spec roles.md, for `confcert
// check --plan`: a check "plan" per certificate or file with a problem only
// the plan's own checks found, then every role check.
func (rep *Report) Checks() *rolecheck.Report {
	var checks []*rolecheck.Check
	byKey := map[string]*rolecheck.Check{}
	for _, pb := range rep.Problems {
		if pb.file == "" {
			continue // a role check's own finding: in rep.Roles
		}
		key := pb.cert + "\x00" + pb.Subject
		chk := byKey[key]
		if chk == nil {
			chk = &rolecheck.Check{Role: "plan", Certificate: pb.cert, File: pb.file}
			byKey[key] = chk
			checks = append(checks, chk)
		}
		chk.Results = append(chk.Results, rolecheck.Result{Rule: pb.Rule, Severity: rolecheck.Failure, Message: pb.Problem})
	}
	out := rolecheck.NewReport(checks...)
	if rep.Roles != nil {
		for _, c := range rep.Roles.Checks {
			out.Checks = append(out.Checks, c)
			out.OK = out.OK && c.OK
		}
		out.Skipped = rep.Roles.Skipped
	}
	return out
}

// caFromBundles uses the CA bundle of the directory, as loadPool read it, for
// a local CA the store does not have (the directory was copied to another
// machine).
func (r *run) caFromBundles() {
	for _, b := range r.p.Bundles {
		if !IsCABundle(b) || r.cas[b.CA] != nil {
			continue
		}
		if certs := r.onDisk[b.File]; len(certs) > 0 {
			r.cas[b.CA] = fileCA{cert: certs[len(certs)-1]}
		}
	}
}

// fileCA is a local CA known only by its certificate: it can verify, not sign.
type fileCA struct{ cert *x509.Certificate }

// Certificate returns the CA certificate read from the output directory.
func (f fileCA) Certificate() *x509.Certificate { return f.cert }

// Sign refuses: --check never signs.
func (f fileCA) Sign(context.Context, *x509.CertificateRequest, SignRequest) (*x509.Certificate, error) {
	return nil, errors.New("a CA read from a bundle file cannot sign")
}

// checkItem lists what is wrong with one certificate.
func (r *run) checkItem(it *item, within time.Duration) []Problem {
	c := it.c
	pb := func(rule, file, msg string) []Problem {
		return []Problem{{Subject: c.Name, Problem: msg, Rule: rule, cert: c.Name, file: r.path(file)}}
	}
	if c.KeyHeld != nil {
		return r.checkHeld(it, within, pb)
	}
	switch {
	case it.key == nil:
		return pb(ruleFilePresent, c.Files.Key, c.Files.Key+" is missing")
	case it.leaf == nil && c.Signer == plan.SignerPublic:
		return pb(rulePlan, c.Files.CSR, fmt.Sprintf("awaiting the CA: send %s to your CA, then run plan with --import", c.Files.CSR))
	case it.leaf == nil:
		return pb(ruleFilePresent, c.Files.Cert, c.Files.Cert+" is missing")
	case !keys.Match(it.key, it.leaf.PublicKey):
		return pb(ruleKeyMatch, c.Files.Cert, fmt.Sprintf("%s and %s do not match", c.Files.Key, c.Files.Cert))
	}
	var out []Problem
	for _, f := range []struct{ rule, msg string }{
		{rulePlan, r.namesProblem(it)},
		{ruleValidity, validityProblem(c, it.leaf, r.o.Now, within)},
		{ruleChain, r.chainProblem(it)},
	} {
		if f.msg != "" {
			out = append(out, pb(f.rule, c.Files.Cert, f.msg)...)
		}
	}
	return out
}

// namesProblem compares names and usages with the plan. A public CA may add
// names or order them its own way; it must not leave a planned one out.
func (r *run) namesProblem(it *item) string {
	c, leaf := it.c, it.leaf
	if c.Signer != plan.SignerPublic {
		if d := contentDiff(c, leaf.Subject, sanList(leaf.DNSNames, leaf.IPAddresses)); d != "" {
			return c.Files.Cert + ": " + d + " (rerun plan to re-issue it)"
		}
		if d := ekuDiff(c, leaf); d != "" {
			return c.Files.Cert + ": " + d + " (rerun plan to re-issue it)"
		}
		if d := kuDiff(c, leaf); d != "" {
			return c.Files.Cert + ": " + d + " (rerun plan to re-issue it)"
		}
		return ""
	}
	if missing := missingSANs(c, leaf); len(missing) > 0 {
		return fmt.Sprintf("%s lacks the planned names %v", c.Files.Cert, missing)
	}
	if missing := kuMissing(c, leaf); len(missing) > 0 {
		return fmt.Sprintf("%s lacks the planned key usage %s: ask the CA for a certificate with it", c.Files.Cert, strings.Join(missing, "+"))
	}
	want, _ := extKeyUsages(c)
	for _, u := range want {
		if len(leaf.ExtKeyUsage) > 0 && !slices.Contains(leaf.ExtKeyUsage, u) && !slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageAny) {
			return fmt.Sprintf("%s lacks the planned extended key usage %s", c.Files.Cert, orNone(c.ExtKeyUsage))
		}
	}
	return ""
}

// validityProblem reports an expired, not yet valid or soon expiring certificate.
func validityProblem(c *plan.Certificate, leaf *x509.Certificate, now time.Time, within time.Duration) string {
	switch {
	case now.Before(leaf.NotBefore):
		return fmt.Sprintf("%s is not valid before %s", c.Files.Cert, leaf.NotBefore.UTC().Format(time.RFC3339))
	case validity.Expired(leaf.NotAfter, now):
		return fmt.Sprintf("%s expired on %s", c.Files.Cert, leaf.NotAfter.UTC().Format(time.RFC3339))
	case validity.ExpiresWithin(leaf.NotAfter, now, within):
		return fmt.Sprintf("%s expires on %s, in %d days", c.Files.Cert,
			leaf.NotAfter.UTC().Format(time.RFC3339), validity.DaysLeft(leaf.NotAfter, now))
	}
	return ""
}

// chainProblem verifies the certificate's chain to the signer the plan names.
func (r *run) chainProblem(it *item) string {
	c, leaf := it.c, it.leaf
	var roots, inter []*x509.Certificate
	switch {
	case c.Signer == plan.SignerSelf:
		if !chain.SelfSigned(leaf) {
			return c.Files.Cert + " is not self-signed as the plan says (rerun plan to re-issue it)"
		}
		return ""
	case isLocal(c.Signer):
		ca := r.cas[c.Signer]
		if ca == nil {
			return "the local CA " + c.Signer + " is neither in the CA store nor in a bundle of the directory"
		}
		roots = []*x509.Certificate{ca.Certificate()}
	default:
		ch, err := r.chainOf(leaf)
		if err != nil {
			return fmt.Sprintf("%s: %v", c.Files.Cert, err)
		}
		if !ch.Complete {
			return fmt.Sprintf("%s: chain incomplete: the issuer %q is in no bundle; --import what the CA sent", c.Files.Cert, ch.MissingIssuer)
		}
		roots, inter = []*x509.Certificate{ch.Root}, ch.Intermediates
	}
	if err := chain.Verify(leaf, inter, roots, chain.VerifyOptions{At: r.o.Now}); err != nil {
		return fmt.Sprintf("%s does not verify: %v", c.Files.Cert, err)
	}
	return ""
}

// checkFiles compares bundles, install files and plan.json with what the
// plan makes of the certificates in the directory.
func (r *run) checkFiles() []Problem {
	var out []Problem
	for _, b := range r.bundles() {
		data, why, err := r.bundleData(b)
		switch {
		case err != nil:
			out = append(out, Problem{Subject: b.File, Problem: err.Error(), Rule: rulePlan, file: r.path(b.File)})
			continue
		case data == nil && r.awaiting(b):
			continue // the certificate's own problem says it awaits its CA
		case data == nil:
			out = append(out, Problem{Subject: b.File, Problem: b.File + " cannot be built: " + why, Rule: rulePlan, file: r.path(b.File)})
			continue
		}
		out = appendFileProblem(out, r.path(b.File), b.File, data)
	}
	for _, it := range r.items {
		if f := it.c.Files.PFX; f != "" && it.leaf != nil && !exists(r.path(f)) {
			out = append(out, Problem{Subject: f, Problem: f + " is missing", Rule: ruleFilePresent, file: r.path(f)})
		}
	}
	for _, in := range r.p.Install {
		out = appendFileProblem(out, r.path(in.File), in.File, []byte(InstallText(in)))
	}
	return out
}

// appendFileProblem reports a missing file, or one whose content is not what
// the plan gives (data nil: cannot be built yet, only presence counts).
func appendFileProblem(out []Problem, path, name string, data []byte) []Problem {
	got, err := inputfile.Read(path, inputfile.MaxCertFile)
	switch {
	case err != nil:
		return append(out, Problem{Subject: name, Problem: name + " is missing", Rule: ruleFilePresent, file: path})
	case data != nil && !bytes.Equal(got, data):
		return append(out, Problem{Subject: name, Problem: name + " does not hold what the plan says: rerun plan to rebuild it", Rule: rulePlan, file: path})
	}
	return out
}
