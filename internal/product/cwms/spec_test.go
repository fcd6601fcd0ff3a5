package cwms_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/catalog"
)

// The tests of this file cover the rules of spec plan.md that the per-product
// tests leave out, one rule (or part of one) per case.

// CWMS rule 4: every kind of name no public CA certifies, in a certificate
// before 2.5MR5, is an error that points to the 2.5MR5 split.
func TestCWMSInternalOnlyNames(t *testing.T) {
	for _, vm := range []string{"v.example.lan", "v.example.internal", "v.example.corp", "v.localdomain", "v.home.arpa", "cwms1", "10.1.2.3", "192.168.0.9"} {
		t.Run(vm, func(t *testing.T) {
			y := "product: cwms\nversion: \"2.0\"\ndatacenters:\n  - {name: dc1, site_url: m.example.com, admin_url: a.example.com, vms: [" + vm + "]}\n"
			if de := problemsOf(t, y); !strings.Contains(de.Error(), "2.5MR5") {
				t.Errorf("problems:\n%v", de)
			}
		})
	}
	after := "product: cwms\nversion: \"2.6\"\ndatacenters:\n  - {name: dc1, site_url: m.example.local, admin_url: a.example.com, vms: [v.example.com]}\n"
	if de := problemsOf(t, after); !strings.Contains(de.Error(), "dc1-external") {
		t.Errorf("a .local site URL in the external certificate: problems:\n%v", de)
	}
}

// CWMS rule 3: IRP names are in no certificate, even before 2.5MR5.
func TestCWMSNoIRPBeforeMR5(t *testing.T) {
	p := planOf(t, dualYAML("2.5", "false", ""), catalog.Options{})
	for _, c := range p.Certificates {
		if slices.ContainsFunc(append(c.SANs, c.CN), func(s string) bool { return strings.HasPrefix(s, "irp") }) {
			t.Errorf("%s holds an IRP name: %v", c.Name, c.SANs)
		}
	}
}

// CWMS rule 6: install/<dc>.txt per data centre names each file to upload.
func TestCWMSInstall(t *testing.T) {
	p := planOf(t, dualYAML("2.5MR5", "true", "internal_ca: cwmsca"), catalog.Options{})
	for _, dc := range []string{"dc1", "dc2"} {
		in := installOf(t, p, dc)
		if in.File != "install/"+dc+".txt" {
			t.Errorf("%s install file %s", dc, in.File)
		}
		equal(t, dc+" uploads", in.Uploads, []string{dc + "-external-bundle.pem", dc + "-internal-bundle.pem"})
		if len(in.Notes) < len(in.Uploads) {
			t.Errorf("%s: notes %q do not say where each file goes", dc, in.Notes)
		}
	}
}
