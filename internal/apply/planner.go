// Package apply carries out a deployment plan (package plan) against an
// output directory: it creates the keys, CSRs and internally signed
// certificates that are missing, places what a public CA returned, builds the
// bundles, trust bundles and install instructions, and records the plan
// document as plan.json (spec plan.md, "Phases and flags", "Output directory").
//
// The files in the directory are the planner's only state. Each run reads
// them, compares them with the plan and does only what differs, so a second
// run does nothing, a changed deployment re-issues only what changed, and a
// run killed at any moment is completed by the next one: every file is
// written atomically, a key is written before its CSR and a CSR before its
// certificate, and a CSR or certificate that does not match its key is redone.
package apply

import (
	"context"
	"crypto/x509"
	"errors"
	"slices"
	"time"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/rolecheck"
)

// ErrNoCA says a local CA is not in the store.
var ErrNoCA = errors.New("local CA not found")

// Authority is a local CA the planner signs with.
type Authority interface {
	// Certificate is the CA's own certificate.
	Certificate() *x509.Certificate
	// Sign issues a certificate for csr with the given usages and validity.
	Sign(ctx context.Context, csr *x509.CertificateRequest, r SignRequest) (*x509.Certificate, error)
}

// SignRequest is what the plan asks of a local CA for one certificate.
type SignRequest struct {
	ExtKeyUsage []x509.ExtKeyUsage
	// ExtraKeyUsage are key usage bits to keep beyond the usual ones (the
	// dataEncipherment a Unified CM CSR asks for).
	ExtraKeyUsage x509.KeyUsage
	// SubordinateCA issues it as a CA with pathLenConstraint 0
	// (plan.Certificate.SubordinateCA, the Unified CM CAPF).
	SubordinateCA bool
	Days          int
	Now           time.Time
}

// Authorities finds the local CAs a plan names.
type Authorities interface {
	// Ensure returns the named CA, creating it with a key of keyType when it
	// does not exist yet; created says which.
	Ensure(ctx context.Context, name, keyType string) (a Authority, created bool, err error)
	// Find returns the named CA without creating it, or an error wrapping ErrNoCA.
	Find(ctx context.Context, name string) (Authority, error)
}

// Options say how to carry out a plan.
type Options struct {
	// Dir is the output directory.
	Dir string
	// CAs gives the local CAs; required unless the plan has no internal signer.
	CAs Authorities
	// Remote, when set, is the deployment's ca_server: internally signed
	// certificates are submitted to it and collected on a later run
	// (remote.go); CAs then gives its CA certificate for the bundles.
	Remote Remote
	// Now is the time of the run (validity, backups' timestamps).
	Now time.Time
	// Renew names certificates that get a new key and a new CSR/certificate.
	Renew []string
	// Import lists files and directories holding what a public CA returned.
	Import []string
	// Read opens imported files (the password of a PKCS#12).
	Read certio.Options
	// Progress starts the display of a long step (key generation) of total
	// items; nil shows nothing. The CLI draws a bar on a terminal.
	Progress func(total int, what string) Progress
	// DryRun works out what a run would do and writes nothing.
	DryRun bool
	// PFXPassword gives the password of the .pfx files a plan asks for.
	PFXPassword func() ([]byte, error)
	// LockWait bounds the wait for another process holding the output
	// directory; 0 means LockWait.
	LockWait time.Duration

	// Roles are the product roles Check runs; nil means every product's
	// (catalog.Roles).
	Roles rolecheck.Roles
	// NoLints leaves the generic zlint lints out of Check's role checks.
	NoLints bool
	// SystemRoots returns the public trust anchors of Check's role checks;
	// nil means the operating system's.
	SystemRoots func() ([]*x509.Certificate, error)
}

// Progress shows how a long step advances.
type Progress interface {
	// Add counts n more items done.
	Add(n int)
	// Finish ends the display.
	Finish()
}

// noProgress shows nothing.
type noProgress struct{}

func (noProgress) Add(int) {}
func (noProgress) Finish() {}

// Change is one thing a run did (or, in a dry run, would do).
type Change struct {
	Name   string `json:"name"`
	Action string `json:"action"`
	Why    string `json:"why,omitempty"`
}

// Actions of a Change.
const (
	ActionCreated   = "created"    // new key, CSR and (unless public) certificate
	ActionReissued  = "re-issued"  // the planned content changed: new CSR/certificate, same key
	ActionRenewed   = "renewed"    // --renew: new key, CSR and certificate
	ActionCompleted = "completed"  // a run was interrupted or a file was missing: finished
	ActionImported  = "imported"   // a certificate from a public CA was placed
	ActionCACreated = "CA created" // a local CA was created on first use
	ActionWritten   = "written"    // a bundle, install file or plan.json was (re)written
	ActionSetAside  = "set aside"  // a bundle or .pfx of a certificate that awaits its CA moved to .bak
)

// Result is what a run did.
type Result struct {
	// Plan is the plan with every certificate's status filled in.
	Plan *plan.Plan
	// Changes lists what was done, certificates first.
	Changes []Change
	// Unmatched lists imported certificates that match no planned key (not written).
	Unmatched []string
	// Skipped lists imported files that hold no certificate.
	Skipped []string
	// Warnings are things the user should know that did not stop the run.
	Warnings []string
}

// NothingToDo reports whether the run changed nothing.
func (r *Result) NothingToDo() bool { return len(r.Changes) == 0 }

// Run carries out p in o.Dir: it imports, creates what is missing, re-issues
// what changed, writes bundles, install files and plan.json, and returns what
// it did. With o.DryRun it only works out what it would do.
//
// Unless it is a dry run, it holds the output directory's lock throughout
// (waiting at most LockWait for another process; then *dirlock.BusyError).
func Run(ctx context.Context, p *plan.Plan, o Options) (*Result, error) {
	if !o.DryRun {
		lock, err := lockDir(ctx, o.Dir, o.LockWait)
		if err != nil {
			return nil, err
		}
		defer lock.Release()
	}
	r, err := newRun(ctx, p, o)
	if err != nil {
		return nil, err
	}
	if err := r.checkCAIdentity(); err != nil {
		return nil, err
	}
	if err := r.execute(ctx); err != nil {
		return nil, err
	}
	return r.result(), nil
}

// Invalid reports whether a certificate of the plan does not fit it (an
// imported certificate without the planned names): the run exits 1.
func Invalid(p *plan.Plan) bool {
	return slices.ContainsFunc(p.Certificates, func(c *plan.Certificate) bool { return c.Status == plan.StatusInvalid })
}
