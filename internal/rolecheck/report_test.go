package rolecheck_test

import (
	"github.com/confcert/confcert/internal/catalog"

	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/rolecheck"
	"github.com/confcert/confcert/internal/ui"
)

// TestJSONShape: {"role", "ok", "results": [{"rule", "severity", "message"}]}
// as spec roles.md fixes it (fields may be added).
func TestJSONShape(t *testing.T) {
	c, err := catalog.Roles().Run(r("cms-dbclient", "good.crt"), rolecheck.Options{Now: now, NoLints: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["role"] != "cms-dbclient" || doc["ok"] != false {
		t.Errorf("role/ok = %v/%v", doc["role"], doc["ok"])
	}
	results, ok := doc["results"].([]any)
	if !ok || len(results) == 0 {
		t.Fatalf("results = %v", doc["results"])
	}
	for _, x := range results {
		res := x.(map[string]any)
		for _, k := range []string{"rule", "severity", "message"} {
			if _, ok := res[k].(string); !ok {
				t.Errorf("result %v lacks string %q", res, k)
			}
		}
		if s := res["severity"]; s != "SUCCESS" && s != "WARNING" && s != "FAILURE" {
			t.Errorf("severity %v", s)
		}
	}
}

// TestLintsAfterRules: zlint findings come after every rule, as WARNING, and
// hide none.
func TestLintsAfterRules(t *testing.T) {
	with, err := catalog.Roles().Run(r("cms-webadmin", "noski.crt"), rolecheck.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	without, err := catalog.Roles().Run(r("cms-webadmin", "noski.crt"), rolecheck.Options{Now: now, NoLints: true})
	if err != nil {
		t.Fatal(err)
	}
	n := len(without.Results)
	if len(with.Results) <= n {
		t.Fatalf("no lint findings for a certificate without SKI: %+v", with.Results)
	}
	if !slices.EqualFunc(with.Results[:n], without.Results, func(a, b rolecheck.Result) bool { return a == b }) {
		t.Errorf("lints changed the rule results")
	}
	for _, l := range with.Results[n:] {
		if l.Severity != rolecheck.Warning || strings.ToLower(l.Rule) != l.Rule {
			t.Errorf("lint result %+v: want a WARNING named after the lint", l)
		}
	}
}

// TestWrite: grouped, aligned, the MMP's words, no colour off a terminal.
func TestWrite(t *testing.T) {
	c, err := catalog.Roles().Run(r("cms-callbridge", "good.crt", "key", "other.key"), rolecheck.Options{Now: now, NoLints: true})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := rolecheck.Write(&b, ui.New(&b), rolecheck.NewReport(c)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"cms-callbridge: testdata/good.crt\n",
		"  KEY-MATCH           FAILURE: Key and certificate problem: certificate and key do not match",
		"  VALIDITY            SUCCESS: valid until 2045-01-01",
		"  PUBLIC-CLIENT-AUTH  SUCCESS: ",
		"FAILED: 1 failure(s), 0 warning(s)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Errorf("colour written to a non-terminal")
	}
}

// TestCheckPlan runs a plan's role checks on a directory of files.
func TestCheckPlan(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"good.crt", "good.key", "bundle.crt", "postgres.crt", "dbca.crt"} {
		copyFile(t, td(f), filepath.Join(dir, f), nil)
	}
	p := &plan.Plan{
		Product: "cms",
		Certificates: []*plan.Certificate{
			{Name: "good", Signer: "podca", Status: plan.StatusSigned,
				Files: plan.Files{Key: "good.key", Cert: "good.crt"},
				Roles: []plan.RoleCheck{{Role: "cms-callbridge", CUCM: true}, {Role: "cms-webbridge", Names: []string{"cms1.example.com"}, Domain: "example.com"}}},
			{Name: "postgres", Signer: "dbca", Status: plan.StatusSigned, Files: plan.Files{Cert: "postgres.crt"},
				Roles: []plan.RoleCheck{{Role: "cms-dbclient", Trust: "dbca"}}},
			{Name: "public", Signer: plan.SignerPublic, Status: plan.StatusAwaitingCA, Files: plan.Files{Cert: "public.crt"},
				Roles: []plan.RoleCheck{{Role: "cms-webbridge"}}},
			{Name: "lost", Signer: "podca", Status: plan.StatusSigned, Files: plan.Files{Cert: "lost.crt"},
				Roles: []plan.RoleCheck{{Role: "cms-webadmin"}}},
			// The public CA's certificate is in, its upload bundle is not: not
			// awaiting any more, so the missing bundle is a FAILURE.
			{Name: "mp", Signer: plan.SignerPublic, Status: plan.StatusAwaitingCA, Files: plan.Files{Cert: "good.crt"},
				Roles: []plan.RoleCheck{{Role: "meetingplace"}}},
		},
		Bundles: []plan.Bundle{
			// An upload file of a certificate dbca signed names dbca too: it
			// is not the CA's trust file.
			{Name: "upload", File: "upload.pem", Layout: "cwms-25", CA: "dbca", Members: []string{"postgres"}},
			{Name: "podca-bundle", File: "bundle.crt", Layout: "cms", CA: "podca"}, {Name: "dbca", File: "dbca.crt", Layout: "trust", CA: "dbca"},
			{Name: "mp-bundle", File: "mp-bundle.pem", Layout: "meetingplace", Members: []string{"mp"}}},
	}
	rep, err := catalog.Roles().CheckPlan(p, dir, rolecheck.Options{Now: now, NoLints: true, SystemRoots: noRoots})
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK || len(rep.Checks) != 5 || len(rep.Skipped) != 1 {
		t.Fatalf("ok=%v checks=%d skipped=%v", rep.OK, len(rep.Checks), rep.Skipped)
	}
	want := []struct{ cert, role, rule string }{
		{"good", "cms-callbridge", "KEY-MATCH"},
		{"good", "cms-callbridge", "CHAIN"},
		{"good", "cms-webbridge", "WEBBRIDGE-NAME"},
		{"postgres", "cms-dbclient", "DB-CLIENT-CN"},
	}
	for i, w := range want {
		c := rep.Checks[i/2+i/3]
		if c.Certificate != w.cert || c.Role != w.role {
			t.Fatalf("check %d = %s/%s, want %s/%s", i, c.Certificate, c.Role, w.cert, w.role)
		}
		if got, ok := worst(c.Results, w.rule); !ok || got.Severity != rolecheck.Success {
			t.Errorf("%s %s: %+v", w.cert, w.rule, got)
		}
	}
	lost := rep.Checks[3]
	if got, _ := worst(lost.Results, "FILE-PRESENT"); got.Severity != rolecheck.Failure {
		t.Errorf("missing file: %+v", lost.Results)
	}
	mp := rep.Checks[4]
	if got, _ := worst(mp.Results, "FILE-PRESENT"); got.Severity != rolecheck.Failure || !strings.Contains(got.Message, "mp-bundle.pem") {
		t.Errorf("missing upload bundle of an imported certificate: %+v", mp.Results)
	}
	if _, err := os.Stat(filepath.Join(dir, "public.crt")); err == nil {
		t.Fatal("check wrote a file")
	}
}
