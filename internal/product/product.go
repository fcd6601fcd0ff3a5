// Package product is what every product package shares: the Product
// interface that package catalog wires in, the command-line Options that
// change a plan, and the helpers that turn a checked deployment file into plan
// certificates (subject, key type, validity, names, key usage). Each product
// lives in its own package under internal/product (cms, cwms, meetingplace),
// holding its deployment schema, plan rules, install script and `check` roles.
package product

import (
	"time"

	"gopkg.in/yaml.v3"

	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/rolecheck"
	"github.com/confcert/confcert/internal/strictyaml"
)

// Options are the command-line flags that override, for one run, a choice
// the deployment file makes (spec plan.md "Phases and flags": choices that
// change what is written live in the deployment file).
type Options struct {
	// AllowPublicClientAuth overrides allow_public_client_auth: keep public a
	// certificate that needs clientAuth, for a CA that still issues it
	// (spec plan.md CMS rule 4a).
	AllowPublicClientAuth Flag
	// KeyInBundle overrides key_in_bundle (CWMS, default true): the private
	// key on top of each upload bundle, for keys made outside CWMS (seed 001;
	// spec plan.md CWMS rule 5).
	KeyInBundle Flag
	// PFX overrides pfx: also a PKCS#12 file <name>.pfx per CWMS certificate.
	PFX Flag
	// At is the day the plan is made for (`--at`): the public-CA calendar
	// (package publicca) is read at it. Zero means now.
	At time.Time
}

// ClientAuthAdviser is implemented by a product that knows how its
// certificates can do without clientAuth from a public CA: the way out that
// the public-CA calendar's warning names (a version, a private CA).
type ClientAuthAdviser interface {
	// ClientAuthWayOut says what to do instead for certificate c of plan p.
	ClientAuthWayOut(p *plan.Plan, c *plan.Certificate) string
}

// Product turns one product's deployment file into a plan.
type Product interface {
	// Name is the value of the deployment file's product: key.
	Name() string
	// Plan decodes and checks the deployment (the document's top mapping) and
	// works out its plan. Problems, each with its line, come instead of a plan.
	Plan(doc *yaml.Node, o Options) (*plan.Plan, []strictyaml.Problem)
	// Roles are the product's `confcert check` roles (spec roles.md), each
	// with its own rules, run by package rolecheck after the generic ones.
	Roles() []rolecheck.Role
}
