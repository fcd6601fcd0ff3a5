package cli

import (
	"github.com/confcert/confcert/internal/validity"

	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/confcert/confcert/internal/termsafe"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/confcert/confcert/internal/apply"
	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/product"
	"github.com/confcert/confcert/internal/rolecheck"
	"github.com/confcert/confcert/internal/ui"
)

// planFlags are the flags of `confcert plan` (spec plan.md, "Phases and flags").
type planFlags struct {
	out                   string
	imports               []string
	check, dryRun, json   bool
	within                int
	renew                 []string
	allowPublicClientAuth bool
	keyInBundle, pfx      bool
	noKeyInBundle         bool
	// set names the flags given on the command line: they override the
	// deployment file's choice for one run (spec plan.md "Phases and flags").
	set func(name string) bool
	at  string
}

func newPlanCmd(a *app) *cobra.Command {
	f := &planFlags{}
	cmd := &cobra.Command{
		Use:   "plan DEPLOYMENT.yaml [MORE.yaml...] -o DIR [--import PATH...] [--check] [--dry-run] [--json]",
		Short: "Make every key, CSR, certificate, bundle and install step a deployment needs",
		Long: "plan reads a deployment description and creates, in DIR, what is missing: keys (in parallel),\n" +
			"CSRs, certificates signed by the named local CA, bundles, trust bundles, install/<node>.txt\n" +
			"and plan.json. Reruns are idempotent; a changed deployment re-issues only what changed.\n" +
			"--import places what a public CA returned (and the CSRs Unified CM made); --check verifies\n" +
			"DIR and writes nothing. Several deployment files (.yaml, .yml), or one with a deployments:\n" +
			"list, make one plan: a Meeting Server, its Expressways and its Unified CM, with the trust\n" +
			"between them.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPlan(cmd.Context(), a, f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.out, "out", "o", "", "output `DIR`")
	fl.StringArrayVar(&f.imports, "import", nil, "files or directories a public CA returned (further paths may follow)")
	fl.BoolVar(&f.check, "check", false, "verify DIR against the plan; write nothing; exit 1 on any problem")
	fl.IntVar(&f.within, "within", validity.WarnDays, "with --check: `DAYS` of validity below which a certificate is a problem")
	fl.BoolVar(&f.dryRun, "dry-run", false, "print the plan and what would be done; write nothing")
	fl.BoolVar(&f.json, "json", false, "print the plan document on stdout")
	fl.StringArrayVar(&f.renew, "renew", nil, "make a new key and CSR/certificate for certificate `NAME` (repeatable)")
	fl.BoolVar(&f.allowPublicClientAuth, "allow-public-client-auth", false, "for this run: keep public a certificate that needs clientAuth (the file's allow_public_client_auth)")
	fl.BoolVar(&f.keyInBundle, "key-in-bundle", false, "CWMS, for this run: the private key on top of each bundle (the file's key_in_bundle, default true)")
	fl.BoolVar(&f.noKeyInBundle, "no-key-in-bundle", false, "CWMS, for this run: no private key in the bundles, for a key CWMS made itself")
	fl.BoolVar(&f.pfx, "pfx", false, "CWMS, for this run: also write <name>.pfx (the file's pfx; password as for every verb)")
	f.set = func(name string) bool { return fl.Changed(name) }
	addAtFlag(fl, &f.at)
	return cmd
}

func runPlan(ctx context.Context, a *app, f *planFlags, args []string) error {
	if err := f.validate(args); err != nil {
		return badInput(err, "run 'confcert plan --help'")
	}
	if err := a.setClock(f.at); err != nil {
		return err
	}
	co := f.catalogOptions()
	co.At = a.now()
	files, more := splitArgs(args)
	p, err := catalog.LoadAll(files, co)
	if err != nil {
		return deployError(a, err)
	}
	printWarnings(a.stderr, p.Warnings)
	if f.dryRun && f.out == "" {
		return printPlan(a, f, p)
	}
	store, err := openStore(ctx, a, f.check || f.dryRun)
	if err != nil {
		return err
	}
	if store != nil {
		defer store.Close()
	}
	o := f.options(a, store, more)
	if p.CAServer != "" && !f.dryRun && !f.check {
		rm, err := remoteFor(p.CAServer)
		if err != nil {
			return err
		}
		o.Remote, o.CAs = rm, apply.RemoteCAs(rm)
	}
	if f.check {
		return checkPlan(ctx, a, f, p, o)
	}
	return carryOut(ctx, a, f, p, o, strings.Join(files, " "))
}

// catalogOptions are the flags that override the deployment file's choices
// for this run; a flag not given leaves the file's choice.
func (f *planFlags) catalogOptions() catalog.Options {
	flag := func(name string, v bool) product.Flag {
		if f.set == nil || !f.set(name) {
			return product.Flag{}
		}
		return product.Flag{Set: true, Value: v}
	}
	o := catalog.Options{
		AllowPublicClientAuth: flag("allow-public-client-auth", f.allowPublicClientAuth),
		KeyInBundle:           flag("key-in-bundle", f.keyInBundle),
		PFX:                   flag("pfx", f.pfx),
	}
	if f.set != nil && f.set("no-key-in-bundle") {
		o.KeyInBundle = product.Flag{Set: true, Value: !f.noKeyInBundle}
	}
	return o
}

func (f *planFlags) validate(args []string) error {
	switch {
	case f.set != nil && f.set("key-in-bundle") && f.set("no-key-in-bundle"):
		return errors.New("--key-in-bundle and --no-key-in-bundle contradict each other: give one")
	case len(args) > 1 && len(f.imports) == 0 && len(args) != len(deploymentArgs(args)):
		return fmt.Errorf("unexpected arguments %v: only --import takes several paths, and deployment files end in .yaml or .yml", args[1:])
	case f.out == "" && !f.dryRun:
		return errors.New("no output directory: give -o DIR")
	case f.check && (f.dryRun || len(f.imports) > 0 || len(f.renew) > 0):
		return errors.New("--check verifies only: it cannot be combined with --dry-run, --import or --renew")
	case f.within < 0:
		return errors.New("--within must be zero or more days")
	}
	return nil
}

func (f *planFlags) options(a *app, store castore.Store, more []string) apply.Options {
	now := a.now()
	o := apply.Options{
		Dir: f.out, CAs: apply.StoreCAs(store, now), Now: now,
		Renew: f.renew, Import: append(append([]string{}, f.imports...), more...),
		Read: certio.Options{Password: a.passwords().Func("the imported PKCS#12 file")}, DryRun: f.dryRun,
		Progress: a.progress, PFXPassword: a.passwords().Func("the .pfx files"),
	}
	return o
}

// openStore opens the confcert home's CA store. A check or a dry run never
// creates one: with no database yet they run without it.
func openStore(ctx context.Context, a *app, readOnly bool) (castore.Store, error) {
	s, _, err := openCAStore(ctx, a, !readOnly)
	return s, err
}

// carryOut runs the plan and prints what it did, the table and next steps.
func carryOut(ctx context.Context, a *app, f *planFlags, p *plan.Plan, o apply.Options, deployment string) error {
	res, err := apply.Run(ctx, p, o)
	if err != nil {
		return badInput(err, "")
	}
	out := a.stdout
	if f.json {
		out = a.stderr
	}
	writeChanges(out, res, f.dryRun)
	for _, u := range res.Unmatched {
		fmt.Fprintf(a.stderr, "confcert: warning: %s\n", termsafe.String(u))
	}
	for _, s := range res.Skipped {
		fmt.Fprintf(a.stderr, "confcert: skipped %s\n", s)
	}
	printWarnings(a.stderr, res.Warnings)
	if f.json {
		if err := writeDocument(a.stdout, p); err != nil || !apply.Invalid(p) {
			return err
		}
		return errSilentFail
	}
	fmt.Fprintln(out)
	if err := writeTable(out, p); err != nil {
		return err
	}
	importCmd := fmt.Sprintf("confcert plan %s -o %s%s --import <files the CA returned>", deployment, f.out, runFlags(p))
	writeNextSteps(out, p, importCmd)
	if apply.Invalid(p) {
		return errSilentFail // an imported certificate does not fit its plan: exit 1
	}
	return nil
}

// runFlags repeats the flags this run needed (a flag that overrode the
// deployment file), so that a command in "Next steps" does not undo them.
func runFlags(p *plan.Plan) string {
	if len(p.RunFlags) == 0 {
		return ""
	}
	return " " + strings.Join(p.RunFlags, " ")
}

// printPlan is --dry-run without a directory: the plan itself.
func printPlan(a *app, f *planFlags, p *plan.Plan) error {
	if f.json {
		return writeDocument(a.stdout, p)
	}
	if err := writeTable(a.stdout, p); err != nil {
		return err
	}
	for _, b := range p.Bundles {
		fmt.Fprintf(a.stdout, "bundle %s (%s): %s\n", b.File, b.Layout, strings.Join(bundleSource(b), ", "))
	}
	for _, in := range p.Install {
		fmt.Fprintf(a.stdout, "\n%s", apply.InstallText(in))
	}
	return nil
}

func bundleSource(b plan.Bundle) []string {
	if apply.IsCABundle(b) {
		return []string{"the certificate of the local CA " + b.CA}
	}
	return b.Members
}

// checkPlanDir is `confcert check --plan`: the one check of a plan that
// `plan --check` runs too (apply.Check), in the report shape of spec roles.md.
func checkPlanDir(ctx context.Context, a *app, p *plan.Plan, dir string, within time.Duration) (*rolecheck.Report, error) {
	store, err := openStore(ctx, a, true)
	if err != nil {
		return nil, err
	}
	if store != nil {
		defer store.Close()
	}
	now := a.now()
	o := apply.Options{Dir: dir, CAs: apply.StoreCAs(store, now), Now: now,
		Read: certio.Options{Password: a.passwords().Func("private key")}, Roles: catalog.Roles()}
	rep, err := apply.Check(ctx, p, o, within)
	if err != nil {
		return nil, badInput(err, "")
	}
	return rep.Checks(), nil
}

// checkPlan is --check: exit 1 on any problem.
func checkPlan(ctx context.Context, a *app, f *planFlags, p *plan.Plan, o apply.Options) error {
	o.Roles = catalog.Roles()
	rep, err := apply.Check(ctx, p, o, time.Duration(f.within)*24*time.Hour)
	if err != nil {
		return badInput(err, "")
	}
	if f.json {
		doc := struct {
			*plan.Plan
			OK       bool            `json:"ok"`
			Problems []apply.Problem `json:"problems"`
			Findings []apply.Problem `json:"role_warnings"`
		}{p, rep.OK(), append([]apply.Problem{}, rep.Problems...), append([]apply.Problem{}, rep.Warnings...)}
		if err := json.NewEncoder(a.stdout).Encode(doc); err != nil {
			return err
		}
	} else {
		writeCheck(a, rep)
	}
	if !rep.OK() {
		return errSilentFail
	}
	return nil
}

func writeCheck(a *app, rep *apply.Report) {
	pr := a.printer(a.stdout)
	for _, prob := range rep.Problems {
		fmt.Fprintf(a.stdout, "%s %s: %s\n", pr.Color(ui.Red, "FAILURE:"), prob.Subject, prob.Problem)
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(a.stdout, "%s %s: %s\n", pr.Color(ui.Yellow, "WARNING:"), w.Subject, w.Problem)
	}
	if rep.OK() {
		fmt.Fprintf(a.stdout, "%s every planned file is present and verifies\n", pr.Color(ui.Green, "SUCCESS:"))
		return
	}
	fmt.Fprintf(a.stdout, "%d problem(s) found\n", len(rep.Problems))
}

func writeDocument(w io.Writer, p *plan.Plan) error {
	data, err := apply.Document(p)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

func printWarnings(w io.Writer, warnings []string) {
	for _, s := range warnings {
		fmt.Fprintf(w, "confcert: warning: %s\n", termsafe.String(s))
	}
}

// deployError prints every problem of the deployment file on its own line
// (file:line: problem) and exits 2: nothing was written.
func deployError(a *app, err error) error {
	var de *catalog.Error
	if !errors.As(err, &de) {
		return badInput(err, "nothing was written")
	}
	for _, l := range de.Lines() {
		fmt.Fprintf(a.stderr, "confcert: error: %s\n", l)
	}
	fmt.Fprintln(a.stderr, "confcert: hint: fix the deployment file; nothing was written")
	return &exitError{code: exitUser}
}

// splitArgs tells deployment files from the further --import paths: the
// first argument is a deployment file, and so is every later one that ends
// in .yaml or .yml (choice: an import path never does, since CAs return
// certificates, not YAML).
func splitArgs(args []string) (files, imports []string) {
	files = deploymentArgs(args)
	for _, a := range args[1:] {
		if !isYAML(a) {
			imports = append(imports, a)
		}
	}
	return files, imports
}

func deploymentArgs(args []string) []string {
	out := []string{args[0]}
	for _, a := range args[1:] {
		if isYAML(a) {
			out = append(out, a)
		}
	}
	return out
}

func isYAML(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}
