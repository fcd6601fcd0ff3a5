// Package rolecheck is the engine of `confcert check` (spec roles.md): for a
// certificate meant for one product role (a Meeting Server Call Bridge, a
// WebEx Meetings Server upload, a MeetingPlace web server...) it says what the
// server would say when the file is installed, and more: the rules from the
// guides that a server only reveals later.
//
// The rules are data: generic.go holds the rules every role runs; each
// product package (internal/product/cms, ...) declares its own roles and
// rules in its roles.go, each rule next to the seed document it comes from,
// and package catalog hands them to the engine as Roles. Generic lints from
// zlint (package lint) follow the rules as warnings.
package rolecheck

//go:generate go run testdata/gen.go

import (
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/release"
)

// Severity is the outcome of one rule, in the Meeting Server's words.
type Severity string

// The three outcomes (spec roles.md).
const (
	Success Severity = "SUCCESS"
	Warning Severity = "WARNING"
	Failure Severity = "FAILURE"
)

// Result is the outcome of one rule for one certificate.
type Result struct {
	// Rule is the fixed rule ID of spec roles.md, or a zlint lint name.
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	// Fix says how to put a WARNING or FAILURE right.
	Fix string `json:"fix,omitempty"`
}

// Check is the outcome of one role check: every rule of the role, then the
// generic lints. Its JSON is the shape of spec roles.md.
type Check struct {
	Role string `json:"role"`
	// Certificate is the plan's name for the certificate (plan checks only).
	Certificate string   `json:"certificate,omitempty"`
	File        string   `json:"file"`
	OK          bool     `json:"ok"`
	Results     []Result `json:"results"`
}

// Report gathers the checks of a whole plan (CheckPlan) or of one role.
type Report struct {
	OK     bool     `json:"ok"`
	Checks []*Check `json:"checks"`
	// Skipped names the planned certificates not checked, and why (a
	// certificate still awaiting its CA has no file yet).
	Skipped []string `json:"skipped,omitempty"`
}

// Request says what to check: the flags of `confcert check`.
type Request struct {
	Role string
	// Cert is the certificate file as it will be uploaded (for Web Bridge 3 the
	// full-chain file, for CWMS and MeetingPlace the whole bundle).
	Cert        string
	Key         string
	Bundle      string
	Trust       string
	SystemRoots bool
	Names       []string
	Domain      string
	CUCM        bool
	LyncFQDN    string
	PeerCert    string
	Version     string
	IRP         []string
	SecureAudio bool
}

// Options tune a check.
type Options struct {
	// Now is the time certificates are judged at; zero means time.Now().
	Now time.Time
	// Password unlocks encrypted keys and PKCS#12 files; nil leaves them locked.
	Password func() ([]byte, error)
	// SystemRoots returns the public trust anchors used by PUBLIC-TRUST,
	// PUBLIC-CLIENT-AUTH and --system-roots; nil means the operating system's.
	SystemRoots func() ([]*x509.Certificate, error)
	// NoLints leaves out the generic zlint lints.
	NoLints bool
	// Files, when set, holds the inputs by the paths the Request names, so
	// that certificates made in memory (the CA service's copy of the
	// certificate it would issue) are judged without writing them out; a
	// path it does not hold is read from disk as usual. The rules see the
	// same bytes and paths either way.
	Files map[string][]byte
}

// Rule is one Rule of spec roles.md: its ID, its source and the check, which
// returns nothing when the Rule does not apply (say, KEY-MATCH without a key).
type Rule struct {
	ID     string
	Source string
	Check  func(in *Input) []Result
}

// CertFile says what the role's certificate file is.
type CertFile int

const (
	LeafFile   CertFile = iota // the certificate alone; the chain goes in --bundle
	FullChain                  // leaf, issuers upward, root last (Web Bridge 3, seed 002 D.1–D.3)
	UploadFile                 // the product's own bundle, judged by its order rule (CWMS, MeetingPlace)
)

// Role is one product Role and its own rules.
type Role struct {
	Name plan.RoleName
	File CertFile
	// OwnNames: the role's own rule says what --name must match (CN or SAN),
	// so the generic NAMES rule (SAN only) does not run.
	OwnNames bool
	// ClientOnly: the certificate only ever identifies a client (the database
	// client, CN postgres): no browser or client checks its names, so
	// SAN-PRESENT does not apply (seed 002 §3.1.5).
	ClientOnly bool
	// MMPFileNames: the files are uploaded to the Meeting Server's MMP, whose
	// file name rules (rule FILENAME) apply (seed 002 §4.2 note, Appendix B).
	MMPFileNames bool
	// AcceptsPKCS12: the upload may be a PKCS#12 file (CWMS, seed 001 comments).
	AcceptsPKCS12 bool
	// NeedsVersion: --version is required.
	NeedsVersion bool
	// ClientAuthWayOut, when set, says the role needs clientAuth and how to
	// do without it from a public CA: rule PUBLIC-CALENDAR warns once public
	// CAs stop issuing it (package publicca).
	ClientAuthWayOut string
	// ParseVersion reads --version: the product's own parser, the one its
	// plan uses, so that every version `plan` accepts `check` accepts too;
	// nil means release.Parse.
	ParseVersion release.Parser
	Rules        []Rule
}

// Roles is the set of roles a check may name: every role of every product,
// as package catalog gathers them. The engine knows no product itself.
type Roles []Role

// Names returns the names of every role, for help texts and errors.
func (rs Roles) Names() []string {
	var names []string
	for _, r := range rs {
		names = append(names, string(r.Name))
	}
	return names
}

func (rs Roles) find(name string) (Role, error) {
	for _, r := range rs {
		if string(r.Name) == name {
			return r, nil
		}
	}
	return Role{}, fmt.Errorf("unknown role %q (roles: %s)", name, strings.Join(rs.Names(), ", "))
}

// Run checks one certificate for one role. Files that cannot be read are an
// error; everything a server would object to is a Result.
func (rs Roles) Run(req Request, o Options) (*Check, error) {
	return rs.run(req, o, lintResults)
}

// run is Run with the generic lints given: CheckPlan lints each certificate
// once, however many roles judge it.
func (rs Roles) run(req Request, o Options, lints func(*x509.Certificate) ([]Result, error)) (*Check, error) {
	r, err := rs.find(req.Role)
	if err != nil {
		return nil, err
	}
	in, err := load(req, r, o)
	if err != nil {
		return nil, err
	}
	c := &Check{Role: string(r.Name), File: req.Cert}
	for _, ru := range slices.Concat(genericRules(r), r.Rules) {
		c.Results = append(c.Results, ru.Check(in)...)
	}
	if !o.NoLints {
		found, err := lints(in.Leaf)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", req.Cert, err)
		}
		c.Results = append(c.Results, found...)
	}
	c.OK = !slices.ContainsFunc(c.Results, func(r Result) bool { return r.Severity == Failure })
	return c, nil
}

// NewReport wraps checks into a report.
func NewReport(checks ...*Check) *Report {
	rep := &Report{OK: true, Checks: checks}
	for _, c := range checks {
		rep.OK = rep.OK && c.OK
	}
	return rep
}

// results builders keep the rule files short.

func Pass(id, msg string) []Result { return []Result{{Rule: id, Severity: Success, Message: msg}} }

func Warn(id, msg, fix string) []Result {
	return []Result{{Rule: id, Severity: Warning, Message: msg, Fix: fix}}
}

func Fail(id, msg, fix string) []Result {
	return []Result{{Rule: id, Severity: Failure, Message: msg, Fix: fix}}
}

// FailOr is FAILURE when hard, else WARNING.
func FailOr(hard bool, id, msg, fix string) []Result {
	if hard {
		return Fail(id, msg, fix)
	}
	return Warn(id, msg, fix)
}
