package cwms

import (
	"fmt"

	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/release"
)

// ParseVersion reads a CWMS release for `plan` and `check` alike: 1.x, 2.0,
// 2.5, 2.5MR5, 2.6, 2.6.1 ... 4.0 (spec plan.md CWMS).
func ParseVersion(s string) (release.Version, error) {
	v, err := release.Parse(s)
	if err != nil {
		return release.Version{}, fmt.Errorf("version %q: write the CWMS release as 1.x, 2.0, 2.5, 2.5MR5, 2.6 ... 4.0", s)
	}
	if v.Major < 1 || v.Major > 4 {
		return v, fmt.Errorf("version %q: CWMS releases run from 1.x to 4.0", s)
	}
	return v, nil
}

// dualDC reports 2.5 and later: dual data centres, and the bundle goes
// root-side intermediate first, server last (seed 001).
func dualDC(v release.Version) bool { return v.AtLeast(2, 5, 0) }

// split reports 2.5MR5 and later: an external certificate for the site URL
// and an internal one for the rest (seed 000).
func split(v release.Version) bool { return v.AtLeast(2, 5, 5) }

// Layout is the order of the file uploaded to CWMS v: before 2.5 the server
// certificate first, then its issuers upward; from 2.5 the root-side
// intermediate first and the server certificate last (seed 001). `plan`
// builds its bundles in it and `check` judges uploads by it.
func Layout(v release.Version) chain.Layout {
	if dualDC(v) {
		return chain.LayoutCWMS25
	}
	return chain.LayoutCWMS1x
}
