package cwms_test

import (
	"github.com/confcert/confcert/internal/chain"

	"strings"
	"testing"

	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/product"
)

const dual = `product: cwms
version: "%s"
secure_audio: %s
%s
global: {site_url: meet.example.com, admin_url: admin.example.com}
datacenters:
  - {name: dc1, site_url: dc1-meet.example.com, admin_url: dc1-admin.example.com, vms: [v1.example.com], irp: [irp1.example.com]}
  - {name: dc2, site_url: dc2-meet.example.com, admin_url: dc2-admin.example.com, vms: [v2.example.com], irp: [irp2.example.com]}
`

func dualYAML(version, secure, extra string) string {
	return strings.Replace(strings.Replace(strings.Replace(dual, "%s", version, 1), "%s", secure, 1), "%s", extra, 1)
}

// Rule 1: one certificate per data centre before MR5; CN per secure audio.
func TestCWMSPreMR5(t *testing.T) {
	tests := []struct{ secure, cn string }{{"true", "dc1-meet.example.com"}, {"false", "meet.example.com"}}
	for _, tt := range tests {
		p := planOf(t, dualYAML("2.5", tt.secure, ""), catalog.Options{})
		c := certNamed(t, p, "dc1")
		if c.CN != tt.cn || c.Signer != "public" {
			t.Errorf("secure_audio %s: CN %s signer %s", tt.secure, c.CN, c.Signer)
		}
		equal(t, "SANs", c.SANs, []string{"v1.example.com", "dc1-meet.example.com", "dc1-admin.example.com", "meet.example.com", "admin.example.com"})
	}
}

// Rules 2 and 3: the MR5 split, internal CN per DC, no IRP names; layout cwms-25.
func TestCWMSMR5(t *testing.T) {
	p := planOf(t, dualYAML("2.5MR5", "true", "internal_ca: cwmsca"), catalog.Options{PFX: product.On})
	ext, in := certNamed(t, p, "dc1-external"), certNamed(t, p, "dc1-internal")
	equal(t, "external SANs", ext.SANs, []string{"dc1-meet.example.com", "meet.example.com"})
	if in.CN != "dc1-admin.example.com" || in.Signer != "cwmsca" || certNamed(t, p, "dc2-internal").CN == in.CN {
		t.Errorf("internal CN %s signer %s", in.CN, in.Signer)
	}
	equal(t, "internal SANs", in.SANs, []string{"v1.example.com", "dc1-admin.example.com", "admin.example.com"})
	for _, c := range p.Certificates {
		for _, s := range c.SANs {
			if strings.HasPrefix(s, "irp") {
				t.Errorf("%s holds IRP name %s", c.Name, s)
			}
		}
	}
	b := bundleNamed(p, "dc1-internal-bundle")
	if b == nil || b.Layout != "cwms-25" || !b.Key || b.File != "dc1-internal-bundle.pem" {
		t.Errorf("bundle %+v", b)
	}
	if in.Files.PFX != "dc1-internal.pfx" {
		t.Errorf("pfx %q", in.Files.PFX)
	}
}

func TestCWMSVersions(t *testing.T) {
	tests := []struct {
		version string
		layout  chain.Layout
		first   string
	}{
		{"1.5", "cwms-1x", "dc1"}, {"2.0", "cwms-1x", "dc1"}, {"2.5", "cwms-25", "dc1"},
		{"2.5MR4", "cwms-25", "dc1"}, {"2.5 MR5", "cwms-25", "dc1-external"}, {"2.6", "cwms-25", "dc1-external"},
		{"4.0", "cwms-25", "dc1-external"},
	}
	for _, tt := range tests {
		y := "product: cwms\nversion: \"" + tt.version + "\"\ndatacenters:\n  - {name: dc1, site_url: m.example.com, admin_url: a.example.com, vms: [v.example.com]}\n"
		p := planOf(t, y, catalog.Options{})
		if p.Certificates[0].Name != tt.first || p.Bundles[0].Layout != tt.layout {
			t.Errorf("%s: first %s layout %s", tt.version, p.Certificates[0].Name, p.Bundles[0].Layout)
		}
	}
}

// Rule 3: wildcard CN when every name is one label under one domain.
func TestCWMSWildcard(t *testing.T) {
	y := "product: cwms\nversion: \"2.0\"\nstyle: wildcard\ndatacenters:\n  - {name: dc1, site_url: m.example.com, admin_url: a.example.com, vms: [v.example.com]}\n"
	c := certNamed(t, planOf(t, y, catalog.Options{}), "dc1")
	if c.CN != "*.example.com" {
		t.Errorf("CN %s", c.CN)
	}
	equal(t, "SANs", c.SANs, []string{"*.example.com"})
}

// Rule 4 after MR5: internal names are fine in the internal certificate.
func TestCWMSInternalNamesAfterMR5(t *testing.T) {
	y := "product: cwms\nversion: \"2.5MR5\"\ndatacenters:\n  - {name: dc1, site_url: m.example.com, admin_url: a.example.com, vms: [v.example.local, cwms2]}\n"
	p := planOf(t, y, catalog.Options{})
	if certNamed(t, p, "dc1-internal").Signer != "public" || !hasWarning(p, "no internal_ca") {
		t.Errorf("CSR-only internal certificate: %+v %q", certNamed(t, p, "dc1-internal"), p.Warnings)
	}
}
