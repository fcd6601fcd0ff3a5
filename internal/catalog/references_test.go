package catalog_test

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/confcert/confcert/internal/catalog"
)

// userRefs are the references users cannot look up: seed numbers and spec
// file names (issue 10 item 14). Messages cite the guides by title and
// section, e.g. "Cisco Meeting Server Certificate Guidelines 2.9, §4.8".
var userRefs = regexp.MustCompile(`seed 00[0-9]|\(00[0-9][ ,)]|spec [a-z]+\.md|\b[a-z]+\.md\b`)

// Every warning, note and role text of every example's plan cites guides by
// title: no seed number, no spec file (issue 10 item 14).
func TestExamplesCiteGuidesByTitle(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "examples", "*.yaml"))
	for _, f := range files {
		p, err := catalog.Load(f, catalog.Options{})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		data, _ := json.Marshal(p)
		if m := userRefs.FindString(string(data)); m != "" {
			t.Errorf("%s: the plan says %q, which users cannot look up", filepath.Base(f), m)
		}
	}
}

// Deployment-file errors cite guides by title too.
func TestErrorsCiteGuidesByTitle(t *testing.T) {
	for _, y := range []string{
		"product: cms\ndomain: example.com\nnodes:\n  - {name: a, fqdn: 10.0.0.1, services: [xmpp]}\n",
		"product: cms\ndomain: example.com\nsubject: {C: gb}\nnodes:\n  - {name: a, fqdn: a.example.com, services: [callbridge, database]}\n  - {name: b, fqdn: b.example.com, services: [database]}\n",
		"product: cwms\nversion: \"2.0\"\nglobal: {site_url: m.example.com, admin_url: a.example.com}\ndatacenters:\n  - {name: dc1, site_url: s.example.com, admin_url: x.example.com, vms: [v.example.com]}\n  - {name: dc2, site_url: t.example.com, admin_url: y.example.com, vms: [w.example.com]}\n",
		"product: meetingplace\nhome_page: a.example.com\nweb_conferencing: a.example.com\nsubject: {O: E, OU: I, L: San Jose, ST: California, C: US}\n",
	} {
		_, err := catalog.Parse("test.yaml", []byte(y), catalog.Options{})
		if err == nil {
			t.Fatalf("no error for\n%s", y)
		}
		if m := userRefs.FindString(err.Error()); m != "" {
			t.Errorf("error %q says %q", err, m)
		}
	}
}
