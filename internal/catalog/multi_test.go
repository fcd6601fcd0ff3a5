package catalog_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/product/producttest"
)

const (
	expDep = "  - product: expressway\n    version: \"X15.5\"\n    domain: example.com\n    internal_ca: collabca\n    mra: {domains: [example.com]}\n" +
		"    clusters:\n      - {name: expc, role: c, fqdn: expc.example.com, peers: [expc1.example.com]}\n      - {name: expe, role: e, fqdn: expe.example.com, peers: [expe1.example.com]}\n"
	ucmDep = "  - product: cucm\n    version: \"15\"\n    domain: example.com\n    internal_ca: collabca\n    publisher: ucm1.example.com\n    multi_server: true\n"
	cmsDep = "  - product: cms\n    version: \"3.8\"\n    domain: example.com\n    internal_ca: collabca\n    cucm: true\n    webbridge3: {https: join.example.com}\n" +
		"    nodes:\n      - {name: cms1, fqdn: cms1.example.com, services: [callbridge, webbridge3]}\n"
)

// TestDeploymentsList: one file, three products, the trust between them
// planned (Call Bridge CA into CallManager-trust, Expressway-C's chain into
// tomcat-trust and CallManager-trust, Unified CM's chain trusted by
// Expressway-C, the join URL on Expressway-E).
func TestDeploymentsList(t *testing.T) {
	p := producttest.PlanOf(t, "deployments:\n"+cmsDep+expDep+ucmDep, catalog.Options{})
	if p.Product != "cms+expressway+cucm" || len(p.Products) != 3 || len(p.CAs) != 1 {
		t.Errorf("product %q %v, CAs %v", p.Product, p.Products, p.CAs)
	}
	cb := producttest.BundleNamed(p, "cucm-callbridge-trust")
	if cb == nil || !cb.Issuers || !slices.Contains(cb.Members, "cms1") {
		t.Errorf("cucm-callbridge-trust: %+v", cb)
	}
	ex := producttest.BundleNamed(p, "cucm-expc-trust")
	if ex == nil || !slices.Equal(ex.Members, []string{"expc1"}) {
		t.Errorf("cucm-expc-trust: %+v", ex)
	}
	if c := producttest.BundleNamed(p, "expc-trust"); c == nil || !slices.Contains(c.Members, "tomcat-ms") || !slices.Contains(c.Members, "callmanager-ms") {
		t.Errorf("expc-trust: %+v", c)
	}
	if e := producttest.CertNamed(t, p, "expe1"); !slices.Contains(e.SANs, "join.example.com") || !slices.Contains(e.Roles[0].Names, "join.example.com") {
		t.Errorf("expe1 lacks the join URL: %v", e.SANs)
	}
	in := strings.Join(producttest.InstallOf(t, p, "ucm1").Commands, "\n")
	for _, w := range []string{"Purpose CallManager-trust, file cucm-callbridge-trust.pem", "Purpose tomcat-trust, file cucm-expc-trust.pem", "Purpose CallManager-trust, file cucm-expc-trust.pem"} {
		if !strings.Contains(in, w) {
			t.Errorf("ucm1 install lacks %q", w)
		}
	}
	if strings.Index(in, "cucm-expc-trust.pem") > strings.Index(in, "Generate CSR") {
		t.Error("the trust uploads come after the first certificate type")
	}
	if producttest.CertNamed(t, p, "cms1").Roles[0].Version != "3.8" {
		t.Error("the Call Bridge's role check lost its product's version")
	}
	if !strings.Contains(strings.Join(producttest.InstallOf(t, p, "expc").Notes, "\n"), "Guest account client URI join.example.com") {
		t.Error("Expressway-C's notes lack the Web Proxy setting")
	}
}

// TestSeveralFiles: several files given to one plan make the same plan as
// one deployments: list; each file's problems keep their file and line.
func TestSeveralFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	unindent := func(s string) string {
		s = strings.TrimPrefix(s, "  - ")
		return strings.ReplaceAll(s, "\n    ", "\n")
	}
	a, b := write("exp.yaml", unindent(expDep)), write("ucm.yaml", unindent(ucmDep))
	p, err := catalog.LoadAll([]string{a, b}, catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Product != "expressway+cucm" || producttest.BundleNamed(p, "cucm-expc-trust") == nil {
		t.Errorf("plan %s, bundles %v", p.Product, p.Bundles)
	}
	bad := write("bad.yaml", "product: cucm\nversion: \"15\"\ndomain: example.com\npublisher: '*.example.com'\n")
	_, err = catalog.LoadAll([]string{a, bad}, catalog.Options{})
	if err == nil || !strings.Contains(err.Error(), "bad.yaml:4: publisher") {
		t.Errorf("error %v, want bad.yaml:4", err)
	}
}

func TestDeploymentsProblems(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"key beside", "domain: x\ndeployments:\n" + ucmDep, `test.yaml:1: unknown key "domain" beside deployments`},
		{"not a list", "deployments: cucm\n", "deployments must be a list"},
		{"item not a mapping", "deployments:\n  - cucm\n", "each item of deployments must be a deployment"},
		{"same name twice", "deployments:\n" + ucmDep + ucmDep, `two certificates would be named "tomcat-ms"`},
		{"join URL is the MRA domain", "deployments:\n" + strings.Replace(cmsDep, "https: join.example.com", "https: collab-edge.example.com", 1) + expDep, "also the MRA domain"},
		{"line of an item", "deployments:\n" + ucmDep + "  - product: expressway\n    version: \"15.5\"\n", `test.yaml:8: the deployment lacks the required key "domain"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			de := producttest.ProblemsOf(t, tt.yaml)
			if !strings.Contains(de.Error(), tt.want) {
				t.Errorf("got:\n%s\nwant %q", de.Error(), tt.want)
			}
		})
	}
}

// TestExpresswayCNodesInTomcat: the Unified CM node names configured on
// Expressway-C must be in Unified CM's tomcat certificate (UCM-10).
func TestExpresswayCNodesInTomcat(t *testing.T) {
	exp := expDep + "    cucm: {nodes: [ucm1.example.com, ucm9.example.com]}\n"
	p := producttest.PlanOf(t, "deployments:\n"+exp+ucmDep, catalog.Options{})
	if !producttest.HasWarning(p, "Expressway-C is configured with ucm9.example.com, which no cucm-tomcat certificate carries") {
		t.Errorf("warnings: %v", p.Warnings)
	}
	if producttest.HasWarning(p, "configured with ucm1.example.com") {
		t.Error("ucm1 is the publisher, in the tomcat certificate")
	}
}
