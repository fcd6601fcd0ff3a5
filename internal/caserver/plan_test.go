package caserver_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/caservice"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/cli"
	"github.com/confcert/confcert/internal/openssltest"
	planpkg "github.com/confcert/confcert/internal/plan"
)

// TestPlanWithCAServer: a deployment's ca_server makes plan submit its
// internal CSRs to the service; they are "awaiting approval (ID)" until
// another token approves them, and the next run collects them (spec
// serve.md, "From plan and the CLI"). Every product whose plan signs with
// an internal CA takes ca_server.
func TestPlanWithCAServer(t *testing.T) {
	openssltest.Need(t)
	for _, tc := range []struct {
		name, deployment, leaf string
		keyHeld                bool // the CSR comes from the appliance, with --import
	}{
		{"cms", `product: cms
version: "2.9"
domain: pod2.cms.lab
internal_ca: podca
ca_server: BASE
certificates: combined
callbridge_cluster: cms1.pod2.cms.lab
webbridge: join.pod2.cms.lab
database_cluster: {nodes: [cms1a, cms1b], ca: dbca}
nodes:
  - {name: cms1a, fqdn: cms1a.pod2.cms.lab, services: [callbridge, webadmin, webbridge, database]}
  - {name: cms1b, fqdn: cms1b.pod2.cms.lab, services: [callbridge, webadmin, webbridge, database]}
`, "cms1a.crt", false},
		{"expressway", `product: expressway
version: "X15.5"
domain: example.com
internal_ca: collabca
ca_server: BASE
clusters:
  - {name: expc, role: c, fqdn: expc.example.com, peers: [expc1.example.com, expc2.example.com]}
  - {name: expe, role: e, fqdn: expe.example.com, peers: [expe1.example.com]}
`, "expc1.crt", false},
		{"cucm", `product: cucm
version: "15"
domain: example.com
internal_ca: collabca
ca_server: BASE
publisher: cucm-pub.example.com
certificates: [tomcat]
`, "cucm-pub-tomcat.crt", true},
	} {
		t.Run(tc.name, func(t *testing.T) { planWithCAServer(t, tc.deployment, tc.leaf, tc.keyHeld) })
	}
}

func planWithCAServer(t *testing.T, yaml, leafName string, keyHeld bool) {
	e := start(t, t.TempDir(), "")
	deployment := e.write("lab.yaml", []byte(strings.ReplaceAll(yaml, "BASE", e.base)))
	e.write("alice.token", []byte(e.tokens["alice"]))
	t.Setenv("CONFCERT_TOKEN_FILE", filepath.Join(e.dir, "alice.token"))
	t.Setenv("CONFCERT_SERVER_CA", e.caFile)
	t.Setenv("CONFCERT_HOME", filepath.Join(e.dir, "planhome"))
	out := filepath.Join(e.dir, "out")
	plan := func(extra ...string) (int, string, string) {
		var so, se bytes.Buffer
		code := cli.Main(append([]string{"plan", deployment, "-o", out}, extra...), strings.NewReader(""), &so, &se)
		return code, so.String(), se.String()
	}
	code, stdout, stderr := plan()
	if keyHeld {
		if code != 0 || strings.Contains(stdout, "awaiting approval (") {
			t.Fatalf("run before the appliance's CSR: exit %d\n%s%s", code, stdout, stderr)
		}
		code, stdout, stderr = plan("--import", applianceCSRs(t, out))
	}
	if code != 0 || !strings.Contains(stdout, "awaiting approval (") {
		t.Fatalf("first run: exit %d\n%s%s", code, stdout, stderr)
	}
	t.Logf("first run:\n%s%s", stdout, stderr)
	if strings.Contains(stderr, "the plan's ca_key") {
		t.Errorf("a warning about local CA key types, where the service's CA signs:\n%s", stderr)
	}
	ids := regexp.MustCompile(`awaiting approval \(([0-9a-f]{32})\)`).FindAllStringSubmatch(stdout, -1)
	reqs, err := e.svc.Requests(t.Context(), bobPrincipal, caservice.StatusPending)
	if err != nil || len(reqs) == 0 || len(reqs) != len(uniqueIDs(ids)) {
		t.Fatalf("pending requests %d (%v), IDs in the table %d\n%s", len(reqs), err, len(uniqueIDs(ids)), stdout)
	}
	if _, err := os.Stat(filepath.Join(out, leafName)); err == nil {
		t.Error("a certificate awaiting approval was written")
	}
	if code, again, _ := plan(); code != 0 || !strings.Contains(again, "awaiting approval (") {
		t.Fatalf("second run before approval: exit %d\n%s", code, again)
	}
	if reqs2, _ := e.svc.Requests(t.Context(), bobPrincipal, ""); len(reqs2) != len(reqs) {
		t.Errorf("a run before approval submitted again: %d requests, want %d", len(reqs2), len(reqs))
	}
	for _, r := range reqs {
		if _, err := e.svc.Approve(t.Context(), bobPrincipal, r.ID, "lab"); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, stderr = plan()
	if code != 0 || strings.Contains(stdout, "awaiting approval") {
		t.Fatalf("run after approval: exit %d\n%s%s", code, stdout, stderr)
	}
	t.Logf("run after approval:\n%s%s", stdout, stderr)
	leaf := filepath.Join(out, leafName)
	if v := openssltest.Run(t, e.dir, "verify", "-CAfile", e.caFile, leaf); !strings.Contains(v, ": OK") {
		t.Errorf("openssl verify %s: %s", leaf, v)
	}
}

// applianceCSRs makes the CSRs an appliance that holds its own keys would
// make for the plan's certificates that wait for one (Unified CM), in a
// directory for --import: the planned CN and SANs, named after the hint.
func applianceCSRs(t *testing.T, out string) string {
	data, err := os.ReadFile(filepath.Join(out, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	var p planpkg.Plan
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, c := range p.Certificates {
		if c.KeyHeld == nil {
			continue
		}
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
			Subject: pkix.Name{CommonName: c.CN, Organization: []string{"Example"}, Country: []string{"GB"}}, DNSNames: c.SANs}, key)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, c.KeyHeld.Hint+".csr"), certio.CSRPEM(der), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var bobPrincipal = caservice.Principal{Name: "bob", Role: caservice.RoleApprover}

func uniqueIDs(m [][]string) map[string]bool {
	out := map[string]bool{}
	for _, x := range m {
		out[x[1]] = true
	}
	return out
}
