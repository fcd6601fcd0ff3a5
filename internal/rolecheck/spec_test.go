package rolecheck_test

import (
	"github.com/confcert/confcert/internal/catalog"

	"crypto/x509"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/rolecheck"
)

// pemBlocks splits a PEM file into its blocks, each with its END line.
func pemBlocks(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const end = "-----END CERTIFICATE-----\n"
	var out []string
	for _, p := range strings.SplitAfter(string(b), end) {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// writeBlocks writes the blocks as one file in dir and returns its path.
func writeBlocks(t *testing.T, dir, name string, blocks ...string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(strings.Join(blocks, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSpecRules covers what spec roles.md writes and ruleCases does not:
// each case names the rule, the severity and words of the message or fix.
func TestSpecRules(t *testing.T) {
	dir := t.TempDir()
	full := pemBlocks(t, td("fullchain.crt")) // leaf, issuing CA, root
	bundle := pemBlocks(t, td("bundle.crt"))  // issuing CA, root
	root := readCert(t, td("root.crt"))
	public := func() ([]*x509.Certificate, error) { return []*x509.Certificate{root}, nil }
	withBundle := func(q rolecheck.Request, path string) rolecheck.Request { q.Bundle = path; return q }
	withKey := func(q rolecheck.Request, path string) rolecheck.Request { q.Key = path; return q }
	system := func(q rolecheck.Request) rolecheck.Request { q.SystemRoots = true; return q }
	reversed := writeBlocks(t, dir, "reversed-fullchain.crt", full[2], full[1], full[0])
	const S, F = rolecheck.Success, rolecheck.Failure
	tests := []struct {
		name  string
		req   rolecheck.Request
		roots func() ([]*x509.Certificate, error)
		rule  string
		want  rolecheck.Severity
		words string // in the message or the fix
	}{
		// CHAIN runs with --system-roots alone, against the system roots.
		{"system roots verify", system(r("cms-webadmin", "fullchain-noroot.crt")), public, "CHAIN", S, "Test Root CA"},
		{"system roots lack the root", system(r("cms-webadmin", "fullchain-noroot.crt")), noRoots, "CHAIN", F,
			"unable to get"},
		// BUNDLE-ORDER: the root must be last.
		{"root not last", withBundle(r("cms-webadmin", "good.crt"), writeBlocks(t, dir, "rootmid.crt", bundle[0], bundle[1], bundle[1])),
			noRoots, "BUNDLE-ORDER", F, "is not last"},
		// A full chain that does not start with the leaf (002 D.1).
		{"full chain reversed", rolecheck.Request{Role: "cms-webbridge3-https", Cert: reversed}, noRoots, "FULLCHAIN", F,
			"does not start with"},
		// CWMS-ORDER names the layout that fixes the order (spec roles.md).
		{"cwms 2.0 fix", r("cwms", "cwms25.pem", "version", "2.0"), noRoots, "CWMS-ORDER", F, "--layout cwms-1x"},
		{"cwms 2.5 fix", r("cwms", "cwms1x.pem", "version", "2.5"), noRoots, "CWMS-ORDER", F, "--layout cwms-25"},
		// FILENAME judges the key file with the key extensions (.key .pem .der).
		{"key named .crt", withKey(r("cms-webadmin", "good.crt"), writeBlocks(t, dir, "good.crt", readText(t, td("good.key")))),
			noRoots, "FILENAME", F, "good.crt: extension .crt"},
		{"key named .pem", withKey(r("cms-webadmin", "good.crt"), writeBlocks(t, dir, "goodkey.pem", readText(t, td("good.key")))),
			noRoots, "FILENAME", S, "file names the MMP accepts"},
	}
	for _, tt := range tests {
		t.Run(tt.rule+"/"+tt.name, func(t *testing.T) {
			c, err := catalog.Roles().Run(tt.req, rolecheck.Options{Now: now, NoLints: true, SystemRoots: tt.roots})
			if err != nil {
				t.Fatal(err)
			}
			got, ok := worst(c.Results, tt.rule)
			if !ok {
				t.Fatalf("no %s result in %+v", tt.rule, c.Results)
			}
			if got.Severity != tt.want || !strings.Contains(got.Message+" "+got.Fix, tt.words) {
				t.Errorf("%s = %s %q (fix %q), want %s with %q", tt.rule, got.Severity, got.Message, got.Fix, tt.want, tt.words)
			}
		})
	}
}

func readText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestUploadFilesJudgedByOwnOrderRule: for CWMS and MeetingPlace the
// version's own order rule judges the certificate file, not BUNDLE-ORDER
// (spec roles.md); a 2.5 upload, intermediate first, is not "out of sequence".
func TestUploadFilesJudgedByOwnOrderRule(t *testing.T) {
	for _, req := range []rolecheck.Request{
		r("cwms", "cwms25.pem", "version", "2.5"),
		r("meetingplace", "mp.pem"),
	} {
		c, err := catalog.Roles().Run(req, rolecheck.Options{Now: now, NoLints: true, SystemRoots: noRoots})
		if err != nil {
			t.Fatal(err)
		}
		rules := make([]string, len(c.Results))
		for i, res := range c.Results {
			rules[i] = res.Rule
		}
		if slices.Contains(rules, "BUNDLE-ORDER") {
			t.Errorf("%s: BUNDLE-ORDER judged the upload file: %q", req.Role, rules)
		}
		if !slices.Contains(rules, "CWMS-ORDER") && !slices.Contains(rules, "MP-ORDER") {
			t.Errorf("%s: no order rule in %q", req.Role, rules)
		}
	}
}

// TestMPKeySizeBeforeMR5: before 6.0MR5 a 2048-bit key is fine and
// MP-KEY-SIZE says nothing (seed 004 Restrictions).
func TestMPKeySizeBeforeMR5(t *testing.T) {
	c, err := catalog.Roles().Run(r("meetingplace", "rsa2048.crt", "version", "6.0"), rolecheck.Options{Now: now, NoLints: true, SystemRoots: noRoots})
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := worst(c.Results, "MP-KEY-SIZE"); ok {
		t.Errorf("MP-KEY-SIZE before 6.0MR5: %s %s", got.Severity, got.Message)
	}
}

// lintNames lists the results that are generic lints (lower-case names).
func lintNames(c *rolecheck.Check) []string {
	var out []string
	for _, res := range c.Results {
		if strings.ToLower(res.Rule) == res.Rule {
			out = append(out, res.Rule+": "+res.Message)
		}
	}
	return out
}

// TestCheckPlanLints: in a plan the generic lints of a certificate come once,
// at the end of its first role check, as a single `check` prints them; its
// other role checks do not repeat them (each finding once, issue 9).
func TestCheckPlanLints(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, td("noski.crt"), filepath.Join(dir, "noski.crt"), nil)
	p := &plan.Plan{Product: "cms", Certificates: []*plan.Certificate{{
		Name: "noski", Signer: "podca", Status: plan.StatusSigned, Files: plan.Files{Cert: "noski.crt"},
		Roles: []plan.RoleCheck{{Role: "cms-webadmin"}, {Role: "cms-xmpp"}},
	}}}
	o := rolecheck.Options{Now: now, SystemRoots: noRoots}
	rep, err := catalog.Roles().CheckPlan(p, dir, o)
	if err != nil {
		t.Fatal(err)
	}
	single, err := catalog.Roles().Run(r("cms-webadmin", "noski.crt"), o)
	if err != nil {
		t.Fatal(err)
	}
	want := lintNames(single)
	if len(want) == 0 || len(rep.Checks) != 2 {
		t.Fatalf("lints %q, checks %d: want lints and 2 checks", want, len(rep.Checks))
	}
	if got := lintNames(rep.Checks[0]); !slices.Equal(got, want) {
		t.Errorf("%s lints %q, want %q", rep.Checks[0].Role, got, want)
	}
	if got := lintNames(rep.Checks[1]); len(got) != 0 {
		t.Errorf("%s repeats the lints %q", rep.Checks[1].Role, got)
	}
}

// TestCWMSOrderMessageNamesTheLayout: the CWMS-ORDER message itself (the
// "message" of --json, not only the fix) holds the upload page's words and
// the confcert bundle --layout that builds the version's order (spec
// roles.md: "Message includes ... and the confcert bundle --layout
// cwms-1x|cwms-25 that fixes it").
func TestCWMSOrderMessageNamesTheLayout(t *testing.T) {
	for _, tt := range []struct {
		file, version, layout string
	}{
		{"cwms25.pem", "2.0", "confcert bundle --layout cwms-1x"},
		{"cwms1x.pem", "2.5", "confcert bundle --layout cwms-25"},
		{"cwms1x.pem", "2.5MR5", "confcert bundle --layout cwms-25"},
	} {
		t.Run(tt.version, func(t *testing.T) {
			c, err := catalog.Roles().Run(r("cwms", tt.file, "version", tt.version), rolecheck.Options{Now: now, NoLints: true, SystemRoots: noRoots})
			if err != nil {
				t.Fatal(err)
			}
			got, ok := worst(c.Results, "CWMS-ORDER")
			if !ok || got.Severity != rolecheck.Failure {
				t.Fatalf("CWMS-ORDER: %+v", got)
			}
			for _, want := range []string{"The certificates do not form a valid certificate chain", tt.layout} {
				if !strings.Contains(got.Message, want) {
					t.Errorf("message %q lacks %q", got.Message, want)
				}
			}
		})
	}
}
