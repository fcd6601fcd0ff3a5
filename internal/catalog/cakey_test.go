package catalog_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/catalog"
)

// The deployment key ca_key is accepted by every product (spec plan.md, "Cisco
// Meeting Server": "ca_key: key type of CAs created for this deployment (any
// product; default rsa2048)"). Where the product plans local CAs they take
// that key type; MeetingPlace plans none (public CA only) and says that the
// key changes nothing. An invalid value is an error on its line everywhere.
func TestEveryProductAcceptsCAKey(t *testing.T) {
	tests := []struct {
		product string
		yaml    string // the deployment without ca_key
		cas     int    // local CAs planned
	}{
		{"cms", "product: cms\ndomain: example.com\nnodes:\n  - {name: a, fqdn: a.example.com, services: [callbridge]}\n", 1},
		{"cwms", "product: cwms\nversion: \"2.5MR5\"\ninternal_ca: cwmsca\ndatacenters:\n  - {name: dc1, site_url: m.example.com, admin_url: a.example.com, vms: [v1.example.local]}\n", 1},
		{"meetingplace", "product: meetingplace\nhome_page: mp.example.com\nweb_conferencing: w.example.com\nsubject: {O: E, OU: IT, L: Paris, ST: Ile-de-France, C: FR}\n", 0},
		{"expressway", "product: expressway\nversion: \"X15.5\"\ndomain: example.com\ninternal_ca: collabca\nclusters:\n  - {name: expc, role: c, fqdn: expc.example.com, peers: [expc1.example.com]}\n", 1},
		{"cucm", "product: cucm\nversion: \"15\"\ndomain: example.com\ninternal_ca: collabca\npublisher: cucm-pub.example.com\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.product, func(t *testing.T) {
			p := planOf(t, tt.yaml+"ca_key: ecdsa-p256\n", catalog.Options{})
			if len(p.CAs) != tt.cas {
				t.Fatalf("local CAs %+v, want %d", p.CAs, tt.cas)
			}
			for _, ca := range p.CAs {
				if ca.KeyType != "ecdsa-p256" {
					t.Errorf("CA %s key type %s, want ecdsa-p256", ca.Name, ca.KeyType)
				}
			}
			if tt.cas == 0 && !hasWarning(p, "ca_key") {
				t.Errorf("no warning that ca_key changes nothing: %q", p.Warnings)
			}
			lines := strings.Count(tt.yaml, "\n") + 1
			de := problemsOf(t, tt.yaml+"ca_key: rsa1000\n")
			want := fmt.Sprintf("test.yaml:%d: ca_key: ", lines)
			if !strings.Contains(de.Error(), want) {
				t.Errorf("want a problem %q, got:\n%v", want, de)
			}
		})
	}
}
