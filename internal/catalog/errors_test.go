package catalog_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestValidationErrors: each problem comes with its line and says what to do.
func TestValidationErrors(t *testing.T) {
	const cmsHead = "product: cms\ndomain: example.com\n" // lines 1-2
	node := "nodes:\n  - {name: a, fqdn: a.example.com, services: [callbridge]}\n"
	tests := []struct {
		name string
		yaml string
		line int
		want string
	}{
		{"unknown top key", cmsHead + "domian: x\n" + node, 3, `unknown key "domian"`},
		{"unknown nested key", cmsHead + "subject: {O: X, Country: GB}\n" + node, 3, `unknown key "Country"`},
		{"unknown node key", cmsHead + "nodes:\n  - {name: a, fqdn: a.example.com, services: [callbridge], ip: 1.2.3.4}\n", 4, `unknown key "ip"`},
		{"missing domain", "product: cms\n" + node, 1, `required key "domain"`},
		{"missing fqdn", cmsHead + "nodes:\n  - {name: a, services: [callbridge]}\n", 4, `required key "fqdn"`},
		{"missing product", "domain: example.com\n", 1, `required key "product"`},
		{"unknown product", "product: vcs\n", 1, `unknown product "vcs"`},
		{"bad dns name", cmsHead + "webbridge: join_1.example.com\n" + node, 3, "not a valid DNS name"},
		{"bad fqdn", cmsHead + "nodes:\n  - {name: a, fqdn: -a.example.com, services: [callbridge]}\n", 4, "not a valid DNS name"},
		{"duplicate node", cmsHead + node + "  - {name: a, fqdn: b.example.com, services: [callbridge]}\n", 5, `duplicate node name "a"`},
		{"node name with dot", cmsHead + "nodes:\n  - {name: a.b, fqdn: a.example.com, services: [callbridge]}\n", 4, "cannot name files"},
		{"unknown service", cmsHead + "nodes:\n  - {name: a, fqdn: a.example.com, services: [callbrige]}\n", 4, `unknown service "callbrige"`},
		{"3.x xmpp", "product: cms\nversion: \"3.1\"\ndomain: example.com\nnodes:\n  - {name: a, fqdn: a.example.com, services: [callbridge, xmpp]}\n", 5, "webbridge3"},
		{"3.x webbridge", "product: cms\nversion: \"3.0\"\ndomain: example.com\nnodes:\n  - {name: a, fqdn: a.example.com, services: [webbridge]}\n", 5, "removed"},
		{"3.x trunks", "product: cms\nversion: \"3.0\"\ndomain: example.com\n" + node + "trunks: [{core: a, edge: a}]\n", 6, "trunks with version 3.0"},
		{"db node missing", cmsHead + "database_cluster: {nodes: [a, zz]}\nnodes:\n  - {name: a, fqdn: a.example.com, services: [database]}\n", 3, `no node is named "zz"`},
		{"db ca is internal", cmsHead + "internal_ca: podca\ndatabase_cluster: {nodes: [a], ca: podca}\nnodes:\n  - {name: a, fqdn: a.example.com, services: [database]}\n", 4, "dedicated root CA"},
		{"unknown key type", cmsHead + "key: rsa1000\n" + node, 3, "unknown key type"},
		{"legacy key type", cmsHead + "key: rsa1024\n" + node, 3, "rsa1024 is insecure"},
		{"xmpp ip", cmsHead + "xmpp_domain: example.com\nnodes:\n  - {name: a, fqdn: 10.0.0.1, services: [xmpp]}\n", 5, "no IP address may be in an XMPP certificate"},
		{"xmpp without domain", cmsHead + "nodes:\n  - {name: a, fqdn: a.example.com, services: [xmpp]}\n", 4, "set xmpp_domain"},
		{"wb3 before 2.9", "product: cms\nversion: \"2.8\"\ndomain: example.com\nwebbridge3: {https: m.example.com, c2w: [w.example.com]}\nnodes:\n  - {name: a, fqdn: a.example.com, services: [webbridge3]}\n", 6, "2.9 or later"},
		{"wb3 without config", cmsHead + "nodes:\n  - {name: a, fqdn: a.example.com, services: [webbridge3]}\n", 1, "add webbridge3:"},
		{"trunk core without xmpp", cmsHead + "nodes:\n  - {name: a, fqdn: a.example.com, services: [callbridge]}\n  - {name: e, fqdn: e.example.com, services: [loadbalancer]}\ntrunks: [{core: a, edge: e}]\n", 6, "does not run xmpp"},
		{"wrong type", cmsHead + "days: many\n" + node, 3, "whole number"},
		{"days range", cmsHead + "days: 0\n" + node, 3, "between 1 and 3650"},
		{"bool type", cmsHead + "cucm: yes please\n" + node, 3, "true or false"},
		{"yaml syntax", "product: cms\ndomain: [\n", 2, "YAML syntax"},
		{"cwms no vms", "product: cwms\nversion: \"2.5MR5\"\ndatacenters:\n  - {name: dc1, site_url: m.example.com, admin_url: a.example.com, vms: []}\n", 4, "lists no vms"},
		{"cwms bad version", "product: cwms\nversion: \"5.1\"\ndatacenters: []\n", 2, "1.x to 4.0"},
		{"cwms local in public", "product: cwms\nversion: \"2.0\"\ndatacenters:\n  - {name: dc1, site_url: m.example.com, admin_url: a.example.com, vms: [v1.example.local]}\n", 4, "2.5MR5"},
		{"cwms wildcard refused", "product: cwms\nversion: \"2.0\"\nstyle: wildcard\ndatacenters:\n  - {name: dc1, site_url: m.example.com, admin_url: a.other.com, vms: [v1.example.com]}\n", 5, "style: san"},
		{"cwms irp listed as vm", "product: cwms\nversion: \"2.0\"\ndatacenters:\n  - {name: dc1, site_url: m.example.com, admin_url: a.example.com, vms: [v1.example.com], irp: [v1.example.com]}\n", 4, "Internet Reverse Proxy"},
		{"cwms dual needs global", "product: cwms\nversion: \"2.6\"\ndatacenters:\n  - {name: dc1, site_url: m1.example.com, admin_url: a1.example.com, vms: [v1.example.com]}\n  - {name: dc2, site_url: m2.example.com, admin_url: a2.example.com, vms: [v2.example.com]}\n", 1, "add global"},
		{"cwms same admin url", "product: cwms\nversion: \"2.6\"\nglobal: {site_url: m.example.com, admin_url: a.example.com}\ndatacenters:\n  - {name: dc1, site_url: m1.example.com, admin_url: a1.example.com, vms: [v1.example.com]}\n  - {name: dc2, site_url: m2.example.com, admin_url: a1.example.com, vms: [v2.example.com]}\n", 6, "admin_url a1.example.com is already used"},
		{"mp same host", "product: meetingplace\nhome_page: mp.example.com\nweb_conferencing: mp.example.com\nsubject: {O: E, OU: IT, L: Paris, ST: Ile-de-France, C: FR}\n", 3, "must differ"},
		{"mp missing subject part", "product: meetingplace\nhome_page: mp.example.com\nweb_conferencing: w.example.com\nsubject: {O: E, L: Paris, ST: Ile-de-France, C: FR}\n", 4, "subject lacks OU"},
		{"mp unknown key", "product: meetingplace\nhome_page: mp.example.com\nweb_conferencing: w.example.com\nsubject: {O: E, OU: IT, L: Paris, ST: Ile-de-France, C: FR}\nkey: rsa4096\n", 5, `unknown key "key"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			de := problemsOf(t, tt.yaml)
			want := fmt.Sprintf("test.yaml:%d: ", tt.line)
			for _, l := range de.Lines() {
				if strings.HasPrefix(l, want) && strings.Contains(l, tt.want) {
					return
				}
			}
			t.Errorf("want a problem %q containing %q, got:\n%s", want, tt.want, de.Error())
		})
	}
}

// TestAllProblemsAtOnce: every problem is listed, not only the first.
func TestAllProblemsAtOnce(t *testing.T) {
	de := problemsOf(t, "product: cms\ndomain: example.com\nfoo: 1\nbar: 2\nnodes:\n  - {name: a, fqdn: a.example.com, services: [callbridge]}\n")
	if len(de.Problems) != 2 {
		t.Errorf("want 2 problems, got %d:\n%v", len(de.Problems), de)
	}
}
