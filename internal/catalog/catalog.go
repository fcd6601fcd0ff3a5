// Package catalog is the one place where confcert's products are wired in.
// It lists every product (All), finds the one a deployment file names (Load,
// Parse) and gathers every product's `confcert check` roles for the role
// engine (Roles). Adding a product is adding its package under
// internal/product and one line to All.
package catalog

import (
	"github.com/confcert/confcert/internal/product"
	"github.com/confcert/confcert/internal/product/cms"
	"github.com/confcert/confcert/internal/product/cucm"
	"github.com/confcert/confcert/internal/product/cwms"
	"github.com/confcert/confcert/internal/product/expressway"
	"github.com/confcert/confcert/internal/product/meetingplace"
	"github.com/confcert/confcert/internal/rolecheck"
)

// All returns every product confcert knows, in the order messages list them.
func All() []product.Product {
	return []product.Product{cms.Product{}, cwms.Product{}, meetingplace.Product{}, expressway.Product{}, cucm.Product{}}
}

// Lookup returns the product named name.
func Lookup(name string) (product.Product, bool) {
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

// Roles returns every role of every product, for `confcert check`.
func Roles() rolecheck.Roles {
	var rs rolecheck.Roles
	for _, p := range All() {
		rs = append(rs, p.Roles()...)
	}
	return rs
}
