package product

import (
	"fmt"

	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/strictyaml"
)

// Flag is a command-line flag that may override a deployment file's choice
// for one run: unset, or set to a value.
type Flag struct {
	Set   bool
	Value bool
}

// On and Off are a flag given as true or as false.
var (
	On  = Flag{Set: true, Value: true}
	Off = Flag{Set: true, Value: false}
)

// Choice is one choice that changes what is written: its key in the
// deployment file, the flag of the same name, and the default.
type Choice struct {
	Key     string // the deployment file's key, e.g. "pfx"
	Flag    string // the flag that sets it, e.g. "--pfx"
	NoFlag  string // the flag that clears it, e.g. "--no-key-in-bundle"; "" for "--flag=false"
	Default bool
}

// Resolve returns the value for this run: the flag when given, else the
// deployment file's value, else the default. A flag that differs from what
// the file says is a warning that says so (the next run without it goes
// back to the file) and is recorded in p.RunFlags, so that "Next steps"
// repeats it (spec plan.md "Phases and flags").
func (c Choice) Resolve(file strictyaml.Bool, f Flag, p *plan.Plan) bool {
	v := c.Default
	if file.Set {
		v = file.Value
	}
	if !f.Set || f.Value == v {
		return v
	}
	flag := c.spell(f.Value)
	Warnf(p, "%s overrides the deployment file (%s: %t) for this run only: write %s: %t into the file to keep it", flag, c.Key, v, c.Key, f.Value)
	p.RunFlags = append(p.RunFlags, flag)
	return f.Value
}

// spell is the flag as a user types it for value.
func (c Choice) spell(value bool) string {
	switch {
	case value:
		return c.Flag
	case c.NoFlag != "":
		return c.NoFlag
	}
	return fmt.Sprintf("%s=false", c.Flag)
}

// The choices every product shares (spec plan.md "Phases and flags").
var (
	ChoicePFX                   = Choice{Key: "pfx", Flag: "--pfx"}
	ChoiceKeyInBundle           = Choice{Key: "key_in_bundle", Flag: "--key-in-bundle", NoFlag: "--no-key-in-bundle", Default: true}
	ChoiceAllowPublicClientAuth = Choice{Key: "allow_public_client_auth", Flag: "--allow-public-client-auth"}
)
