package caserver_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/caservice"
	"github.com/confcert/confcert/internal/cli"
	"github.com/confcert/confcert/internal/openssltest"
)

// TestPlanWithCAServer: a deployment's ca_server makes plan submit its
// internal CSRs to the service; they are "awaiting approval (ID)" until
// another token approves them, and the next run collects them (spec
// serve.md, "From plan and the CLI").
func TestPlanWithCAServer(t *testing.T) {
	openssltest.Need(t)
	e := start(t, t.TempDir(), "")
	deployment := e.write("lab.yaml", []byte(`product: cms
version: "2.9"
domain: pod2.cms.lab
internal_ca: podca
ca_server: `+e.base+`
certificates: combined
callbridge_cluster: cms1.pod2.cms.lab
webbridge: join.pod2.cms.lab
database_cluster: {nodes: [cms1a, cms1b], ca: dbca}
nodes:
  - {name: cms1a, fqdn: cms1a.pod2.cms.lab, services: [callbridge, webadmin, webbridge, database]}
  - {name: cms1b, fqdn: cms1b.pod2.cms.lab, services: [callbridge, webadmin, webbridge, database]}
`))
	e.write("alice.token", []byte(e.tokens["alice"]))
	t.Setenv("CONFCERT_TOKEN_FILE", filepath.Join(e.dir, "alice.token"))
	t.Setenv("CONFCERT_SERVER_CA", e.caFile)
	t.Setenv("CONFCERT_HOME", filepath.Join(e.dir, "planhome"))
	out := filepath.Join(e.dir, "out")
	plan := func() (int, string, string) {
		var so, se bytes.Buffer
		code := cli.Main([]string{"plan", deployment, "-o", out}, strings.NewReader(""), &so, &se)
		return code, so.String(), se.String()
	}
	code, stdout, stderr := plan()
	if code != 0 || !strings.Contains(stdout, "awaiting approval (") {
		t.Fatalf("first run: exit %d\n%s%s", code, stdout, stderr)
	}
	t.Logf("first run:\n%s%s", stdout, stderr)
	ids := regexp.MustCompile(`awaiting approval \(([0-9a-f]{32})\)`).FindAllStringSubmatch(stdout, -1)
	reqs, err := e.svc.Requests(t.Context(), bobPrincipal, caservice.StatusPending)
	if err != nil || len(reqs) == 0 || len(reqs) != len(uniqueIDs(ids)) {
		t.Fatalf("pending requests %d (%v), IDs in the table %d\n%s", len(reqs), err, len(uniqueIDs(ids)), stdout)
	}
	if _, err := os.Stat(filepath.Join(out, "cms1a.crt")); err == nil {
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
	leaf := filepath.Join(out, "cms1a.crt")
	if v := openssltest.Run(t, e.dir, "verify", "-CAfile", e.caFile, leaf); !strings.Contains(v, ": OK") {
		t.Errorf("openssl verify %s: %s", leaf, v)
	}
}

var bobPrincipal = caservice.Principal{Name: "bob", Role: caservice.RoleApprover}

func uniqueIDs(m [][]string) map[string]bool {
	out := map[string]bool{}
	for _, x := range m {
		out[x[1]] = true
	}
	return out
}
