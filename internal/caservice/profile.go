package caservice

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/certgen"
	"github.com/confcert/confcert/internal/chain"
)

// Profile is a certificate template (spec serve.md, "Profiles"): what a
// certificate may be, which CA signs it, the `check` role whose rules every
// CSR must pass, and whether requests wait for an approver.
type Profile struct {
	Name string `yaml:"name" json:"name"`
	// Role is the `confcert check` role run on every CSR.
	Role string `yaml:"role" json:"role"`
	// Usage is the extended key usage: server, client or server+client
	// (the profiles of `confcert ca sign`); key usage follows from it.
	Usage string `yaml:"usage" json:"usage"`
	// MaxDays caps the validity; a request for more gets MaxDays.
	MaxDays int `yaml:"max_days" json:"max_days"`
	// CA names the local CA that signs; empty means the service's CA.
	CA string `yaml:"ca,omitempty" json:"ca,omitempty"`
	// Approval is "auto" (issued at once) or "manual" (waits for an approver).
	Approval string `yaml:"approval" json:"approval"`
	// AllowedSuffixes, when set, are the DNS suffixes every name of the CSR
	// must end in ("example.com" allows example.com and *.example.com).
	AllowedSuffixes []string `yaml:"allowed_suffixes,omitempty" json:"allowed_suffixes,omitempty"`
	// Layout is the file the role judges and the default download: empty
	// for the certificate alone, else a chain layout (fullchain, cwms-25...).
	Layout string `yaml:"layout,omitempty" json:"layout,omitempty"`
	// Version is the product version the role's rules need (CWMS roles).
	Version string `yaml:"version,omitempty" json:"version,omitempty"`
}

// The approval modes.
const (
	ApprovalAuto   = "auto"
	ApprovalManual = "manual"
)

// DefaultMaxDays is the validity cap of the built-in profiles: two years,
// the days of the spec's example request; a private CA is not bound by the
// public 398/200/100/47-day schedule, and shorter is always allowed.
const DefaultMaxDays = 730

// profileFile is the YAML `confcert serve profile apply FILE` reads.
type profileFile struct {
	Profiles []Profile `yaml:"profiles"`
}

// ParseProfiles reads a profile file: `profiles:` and a list of profiles,
// unknown fields refused, every profile checked.
func ParseProfiles(data []byte) ([]Profile, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f profileFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("reading profiles: %w", err)
	}
	if len(f.Profiles) == 0 {
		return nil, errors.New("no profiles in the file: want profiles: [{name: ..., role: ...}]")
	}
	for i := range f.Profiles {
		if err := f.Profiles[i].normalize(); err != nil {
			return nil, err
		}
	}
	return f.Profiles, nil
}

// normalize fills defaults and refuses what cannot work.
func (p *Profile) normalize() error {
	if err := castore.CheckName(p.Name); err != nil {
		return fmt.Errorf("profile name: %w", err)
	}
	if !slices.Contains(catalog.Roles().Names(), p.Role) {
		return fmt.Errorf("profile %s: unknown role %q (roles: %s)", p.Name, p.Role, strings.Join(catalog.Roles().Names(), ", "))
	}
	u, err := certgen.ParseProfile(p.Usage)
	if err != nil {
		return fmt.Errorf("profile %s: usage: %w", p.Name, err)
	}
	p.Usage = string(u)
	if p.MaxDays == 0 {
		p.MaxDays = DefaultMaxDays
	}
	if p.MaxDays < 1 {
		return fmt.Errorf("profile %s: max_days must be at least 1", p.Name)
	}
	if p.Approval == "" {
		p.Approval = ApprovalManual
	}
	if p.Approval != ApprovalAuto && p.Approval != ApprovalManual {
		return fmt.Errorf("profile %s: approval %q: want auto or manual", p.Name, p.Approval)
	}
	if p.CA != "" {
		if err := castore.CheckName(p.CA); err != nil {
			return fmt.Errorf("profile %s: ca: %w", p.Name, err)
		}
	}
	if p.Layout != "" {
		if _, err := chain.ParseLayout(p.Layout); err != nil {
			return fmt.Errorf("profile %s: %w", p.Name, err)
		}
	}
	for i, s := range p.AllowedSuffixes {
		p.AllowedSuffixes[i] = strings.ToLower(strings.Trim(s, ". "))
	}
	return nil
}

// builtinShape is what a built-in profile needs beyond its role: the usage
// and the file the role judges, as `plan` makes them for that role.
type builtinShape struct {
	usage, layout, version string
}

// builtinShapes: usage server+client unless listed (the Unified CM-ready
// template, seed 002 §3.2 note), the certificate alone unless listed.
var builtinShapes = map[string]builtinShape{
	// The database client certificate is for client authentication only (seed 002 §3.1.5).
	"cms-dbclient": {usage: "client"},
	"cms-dbserver": {usage: "server+client"},
	// Web Bridge 3 takes a full chain file (seed 002 D.1-D.3); C2W needs serverAuth.
	"cms-webbridge3-https": {layout: "fullchain"},
	"cms-webbridge3-c2w":   {usage: "server", layout: "fullchain"},
	// CWMS 2.5 and later: intermediates first, server certificate last (seed 001).
	"cwms":          {usage: "server", layout: "cwms-25", version: "2.6"},
	"cwms-external": {usage: "server", layout: "cwms-25", version: "2.6"},
	"cwms-internal": {layout: "cwms-25", version: "2.6"},
	// MeetingPlace: the server certificate first, then intermediates (seed 004).
	"meetingplace": {usage: "server", layout: "meetingplace"},
}

// Builtin returns the built-in profiles: one per `check` role, named after
// it, approval manual (spec serve.md).
func Builtin() []Profile {
	var out []Profile
	for _, role := range catalog.Roles().Names() {
		sh := builtinShapes[role]
		p := Profile{Name: role, Role: role, Usage: sh.usage, Layout: sh.layout, Version: sh.version}
		if err := p.normalize(); err != nil {
			continue // unreachable: every field comes from the lists above
		}
		out = append(out, p)
	}
	return out
}
