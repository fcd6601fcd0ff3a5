package catalog

import (
	"slices"
	"time"

	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/product"
	"github.com/confcert/confcert/internal/publicca"
)

// defaultWayOut is the way out of the clientAuth warning for a product that
// names none: the internal CA still issues clientAuth.
const defaultWayOut = "have the internal CA sign it (drop it from public), since private CAs are not bound by the root programs"

// reviewCalendar adds the public-CA calendar's warnings to a plan made at
// the day at (spec plan.md "Public-CA policy"): a public certificate planned
// longer than the CA/Browser Forum allows that day, and one that needs
// clientAuth once public CAs stop issuing it.
func reviewCalendar(p *plan.Plan, prod product.Product, at time.Time) {
	if at.IsZero() {
		at = time.Now()
	}
	for _, c := range p.Certificates {
		if c.Signer != plan.SignerPublic {
			continue
		}
		if c.Days > 0 {
			addWarning(p, publicca.ValidityWarning(c.Name, c.Days, at))
		}
		if slices.Contains(c.ExtKeyUsage, product.ClientAuth) {
			addWarning(p, publicca.ClientAuthWarning(c.Name, at, wayOut(prod, p, c)))
		}
	}
}

func wayOut(prod product.Product, p *plan.Plan, c *plan.Certificate) string {
	if a, ok := prod.(product.ClientAuthAdviser); ok {
		if w := a.ClientAuthWayOut(p, c); w != "" {
			return w
		}
	}
	return defaultWayOut
}

func addWarning(p *plan.Plan, w string) {
	if w != "" && !slices.Contains(p.Warnings, w) {
		p.Warnings = append(p.Warnings, w)
	}
}
