package cms_test

import (
	"testing"

	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/product/producttest"
	"github.com/confcert/confcert/internal/rolecheck"
)

// Every version `plan` accepts, the plan's role checks accept as --version,
// and the chain bundles keep the one Meeting Server layout (cms) whatever
// the version.
func TestPlanVersionsCheckAccepts(t *testing.T) {
	for _, v := range []string{"2.0", "2.7", "2.9", "3.0", "3.8", "3.10"} {
		t.Run(v, func(t *testing.T) {
			y := "product: cms\nversion: \"" + v + "\"\ndomain: example.com\nnodes:\n  - {name: cms1, fqdn: cms1.example.com, services: [callbridge, webadmin]}\n"
			p := planOf(t, y, catalog.Options{})
			for _, b := range p.Bundles {
				if b.CA != "" && b.Layout != chain.LayoutCMS {
					t.Errorf("CA bundle %s: layout %s, want cms", b.Name, b.Layout)
				}
			}
			file := producttest.UploadFile(t, chain.LayoutChain, "cms1.example.com")
			for _, c := range p.Certificates {
				if len(c.Roles) == 0 {
					t.Fatalf("%s has no role check", c.Name)
				}
				if got := producttest.CheckPlanned(t, p, c, file)["KEY-MATCH"]; got.Severity == rolecheck.Failure {
					t.Errorf("%s: %s", c.Name, got.Message)
				}
			}
		})
	}
}
