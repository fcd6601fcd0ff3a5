package expressway_test

import (
	"os"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/product/producttest"
)

// TestPlanVersionsCheckAccepts: every version the plan accepts, the plan's
// role checks accept as --version (one parser for both, issue 9).
func TestPlanVersionsCheckAccepts(t *testing.T) {
	example, err := os.ReadFile("../../../examples/expressway-mra.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"X14.3", "X15.3.2", "X15.4", "x15.5", "X15.5.1", "X8.10"} {
		t.Run(v, func(t *testing.T) {
			y := strings.Replace(string(example), `version: "X15.5"`, `version: "`+v+`"`, 1)
			p := producttest.PlanOf(t, y, catalog.Options{})
			if p.Version != v {
				t.Fatalf("plan version %q, want %q", p.Version, v)
			}
			checked := 0
			for _, c := range p.Certificates {
				if len(c.Roles) == 0 {
					continue
				}
				producttest.CheckPlanned(t, p, c, producttest.UploadFile(t, chain.LayoutChain, c.CN))
				checked++
			}
			if checked == 0 {
				t.Fatal("no certificate with a role check")
			}
		})
	}
}
