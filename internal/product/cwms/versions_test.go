package cwms_test

import (
	"testing"

	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/product/producttest"
	"github.com/confcert/confcert/internal/rolecheck"
)

// Every version `plan` accepts, `check --version` accepts too, and judges the
// upload by the layout `plan` built the bundle in: CWMS-ORDER passes on a
// file arranged in the plan's layout. 2.6.1 was accepted by plan and refused
// by check (exit 2) when each had its own parser.
func TestPlanVersionsCheckAccepts(t *testing.T) {
	tests := []struct {
		version string
		layout  chain.Layout
	}{
		{"1.x", chain.LayoutCWMS1x}, {"1.5", chain.LayoutCWMS1x}, {"2.0", chain.LayoutCWMS1x},
		{"2.5", chain.LayoutCWMS25}, {"2.5MR4", chain.LayoutCWMS25}, {"2.5 MR5", chain.LayoutCWMS25},
		{"2.5mr5", chain.LayoutCWMS25}, {"2.6", chain.LayoutCWMS25}, {"2.6.1", chain.LayoutCWMS25},
		{"3.0", chain.LayoutCWMS25}, {"4.0", chain.LayoutCWMS25},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			y := "product: cwms\nversion: \"" + tt.version + "\"\ndatacenters:\n  - {name: dc1, site_url: m.example.com, admin_url: a.example.com, vms: [v.example.com]}\n"
			p := planOf(t, y, catalog.Options{})
			for _, b := range p.Bundles {
				if b.Layout != tt.layout {
					t.Fatalf("bundle %s: layout %s, want %s", b.Name, b.Layout, tt.layout)
				}
			}
			file := producttest.UploadFile(t, tt.layout, "m.example.com")
			for _, c := range p.Certificates {
				got := producttest.CheckPlanned(t, p, c, file)["CWMS-ORDER"]
				if got.Severity != rolecheck.Success {
					t.Errorf("%s: CWMS-ORDER %s on a %s file: %s", c.Name, got.Severity, tt.layout, got.Message)
				}
			}
		})
	}
}

// A version neither verb accepts is refused by both with the same words.
func TestBadVersionRefusedByBoth(t *testing.T) {
	for _, v := range []string{"5.0", "2", "two", "2.5MR"} {
		y := "product: cwms\nversion: \"" + v + "\"\ndatacenters:\n  - {name: dc1, site_url: m.example.com, admin_url: a.example.com, vms: [v.example.com]}\n"
		de := problemsOf(t, y)
		_, err := catalog.Roles().Run(rolecheck.Request{Role: "cwms", Cert: "unused.pem", Version: v}, rolecheck.Options{})
		if err == nil || len(de.Problems) == 0 || de.Problems[0].Msg != err.Error() {
			t.Errorf("%q: plan says %v, check says %v", v, de.Problems, err)
		}
	}
}
