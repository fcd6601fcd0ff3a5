// Package products holds what confcert knows about each conferencing product:
// how its deployment file looks and which certificates, bundles and install
// steps the product's guides call for. Each product lives in one file (cms.go,
// cwms.go, meetingplace.go) with every rule citing its seed document and
// section; adding a product is adding a file and one line to All.
package products

import (
	"gopkg.in/yaml.v3"

	"github.com/confcert/confcert/internal/deploy/decode"
	"github.com/confcert/confcert/internal/plan"
)

// Options are the choices made on the command line that change a plan.
type Options struct {
	// AllowPublicClientAuth keeps public a certificate that needs clientAuth,
	// for a CA that still issues it (spec plan.md CMS rule 4a).
	AllowPublicClientAuth bool
	// KeyInBundle puts the private key on top of each CWMS bundle, for keys
	// made outside CWMS (seed 001; spec plan.md CWMS rule 5).
	KeyInBundle bool
	// PFX also plans a PKCS#12 file <name>.pfx per CWMS certificate.
	PFX bool
}

// Product turns one product's deployment file into a plan.
type Product interface {
	// Name is the value of the deployment file's product: key.
	Name() string
	// Plan decodes and checks the deployment (the document's top mapping) and
	// works out its plan. Problems, each with its line, come instead of a plan.
	Plan(doc *yaml.Node, o Options) (*plan.Plan, []decode.Problem)
}

// All returns every product confcert knows.
func All() []Product {
	return []Product{cms{}, cwms{}, meetingPlace{}}
}

// Lookup returns the product named name.
func Lookup(name string) (Product, bool) {
	for _, p := range All() {
		if p.Name() == name {
			return p, true
		}
	}
	return nil, false
}

// Names returns the names of every product, for messages.
func Names() []string {
	var names []string
	for _, p := range All() {
		names = append(names, p.Name())
	}
	return names
}
