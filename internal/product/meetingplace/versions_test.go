package meetingplace_test

import (
	"testing"

	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/product/producttest"
	"github.com/confcert/confcert/internal/rolecheck"
)

// MeetingPlace deployments carry no version: the plan hands none to `check`,
// which then judges the upload by the layout `plan` built (MP-ORDER passes
// on a file in the plan's meetingplace layout).
func TestPlanVersionsCheckAccepts(t *testing.T) {
	y := "product: meetingplace\nhome_page: mp.example.com\nweb_conferencing: w.example.com\nsubject: {O: Example, OU: IT, L: San Jose, ST: California, C: US}\n"
	p := planOf(t, y, catalog.Options{})
	if p.Version != "" {
		t.Fatalf("plan version %q", p.Version)
	}
	for _, b := range p.Bundles {
		if b.Layout != chain.LayoutMeetingPlace {
			t.Fatalf("bundle %s: layout %s", b.Name, b.Layout)
		}
	}
	for _, c := range p.Certificates {
		file := producttest.UploadFile(t, chain.LayoutMeetingPlace, c.CN)
		if got := producttest.CheckPlanned(t, p, c, file)["MP-ORDER"]; got.Severity != rolecheck.Success {
			t.Errorf("%s: MP-ORDER %s: %s", c.Name, got.Severity, got.Message)
		}
	}
}
