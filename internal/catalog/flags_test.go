package catalog_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/product"
)

// A run flag given to a plan whose products lack its choice says so (spec
// plan.md: the flags override the deployment file "and say so"), instead of
// being ignored without a word; where a product has the choice, no such
// warning.
func TestRunFlagsWithoutTheirChoice(t *testing.T) {
	const (
		cms  = "product: cms\ndomain: example.com\nnodes:\n  - {name: a, fqdn: a.example.com, services: [callbridge]}\n"
		cwms = "product: cwms\nversion: \"2.5MR5\"\ninternal_ca: cwmsca\ndatacenters:\n  - {name: dc1, site_url: m.example.com, admin_url: a.example.com, vms: [v1.example.local]}\n"
		mp   = "product: meetingplace\nhome_page: mp.example.com\nweb_conferencing: w.example.com\nsubject: {O: E, OU: IT, L: Paris, ST: Ile-de-France, C: FR}\n"
	)
	tests := []struct {
		name, yaml string
		o          catalog.Options
		want       string // "" for no such warning
	}{
		{"pfx on cms", cms, catalog.Options{PFX: product.On}, "--pfx changes nothing in a plan of cms: only cwms deployments have pfx"},
		{"pfx on cwms", cwms, catalog.Options{PFX: product.On}, ""},
		{"no key in bundle on meetingplace", mp, catalog.Options{KeyInBundle: product.Off}, "--no-key-in-bundle changes nothing in a plan of meetingplace"},
		{"public client auth on cwms", cwms, catalog.Options{AllowPublicClientAuth: product.On}, "--allow-public-client-auth changes nothing in a plan of cwms: only cms deployments"},
		{"public client auth on cms", cms, catalog.Options{AllowPublicClientAuth: product.On}, ""},
		{"no flag", cms, catalog.Options{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "d.yaml")
			if err := os.WriteFile(path, []byte(tt.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			p, err := catalog.LoadAll([]string{path}, tt.o)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			for _, w := range p.Warnings {
				if strings.Contains(w, "changes nothing in a plan") {
					got = w
				}
			}
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Errorf("warning %q, want %q", got, tt.want)
			}
		})
	}
}
