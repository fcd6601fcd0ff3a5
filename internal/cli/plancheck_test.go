package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// labYAML is the 3-node Meeting Server lab of seed 003: twelve role checks
// read the one CA bundle podca-bundle.crt.
const labYAML = `product: cms
version: "2.9"
domain: pod2.cms.lab
internal_ca: podca
key: ecdsa-p256
ca_key: ecdsa-p256
callbridge_cluster: cms1.pod2.cms.lab
xmpp_domain: conf.pod2.cms.lab
webbridge: join.pod2.cms.lab
database_cluster: {nodes: [cms1a, cms1b, cms1c], ca: dbca}
nodes:
  - {name: cms1a, fqdn: cms1a.pod2.cms.lab, services: [callbridge, webadmin, webbridge, xmpp, database]}
  - {name: cms1b, fqdn: cms1b.pod2.cms.lab, services: [callbridge, webadmin, webbridge, xmpp, database]}
  - {name: cms1c, fqdn: cms1c.pod2.cms.lab, services: [callbridge, webadmin, webbridge, xmpp, database]}
`

// run runs confcert with args and returns stdout and the exit code.
func run(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(args, nil, &stdout, &stderr)
	if code == exitUser {
		t.Fatalf("%v: exit 2\n%s", args, &stderr)
	}
	return stdout.String(), code
}

// TestPlanCheckAndCheckPlanAgree: `plan --check` and `check --plan` run one
// check of the plan and report the same findings, each once. A CA bundle
// rewritten with CRLF line ends was reported BUNDLE-FORMAT once per role
// check reading it (twelve times in this lab) before.
func TestPlanCheckAndCheckPlanAgree(t *testing.T) {
	t.Setenv("CONFCERT_HOME", t.TempDir())
	dir := t.TempDir()
	dep := filepath.Join(dir, "lab.yaml")
	out := filepath.Join(dir, "out")
	if err := os.WriteFile(dep, []byte(labYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, code := run(t, "plan", dep, "-o", out); code != exitOK {
		t.Fatalf("plan: exit %d", code)
	}
	bundle := filepath.Join(out, "podca-bundle.crt")
	data, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bundle, bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")), 0o644); err != nil {
		t.Fatal(err)
	}

	planOut, code := run(t, "plan", dep, "-o", out, "--check")
	if code != exitNo {
		t.Fatalf("plan --check: exit %d, want 1 (the bundle differs from the plan)\n%s", code, planOut)
	}
	checkOut, code := run(t, "--dir", out, "check", "--plan", dep)
	if code != exitNo {
		t.Fatalf("check --plan: exit %d, want 1\n%s", code, checkOut)
	}
	for name, text := range map[string]string{"plan --check": planOut, "check --plan": checkOut} {
		if n := countLines(text, "BUNDLE-FORMAT", "WARNING"); n != 1 {
			t.Errorf("%s reports the CRLF bundle (BUNDLE-FORMAT WARNING) %d times, want once:\n%s", name, n, text)
		}
		if n := strings.Count(text, "podca-bundle.crt does not hold what the plan says"); n != 1 {
			t.Errorf("%s reports the changed bundle %d times, want once:\n%s", name, n, text)
		}
	}

	planFindings := planCheckFindings(t, dep, out)
	checkFindings := checkPlanFindings(t, dep, out)
	if !slices.Equal(planFindings, checkFindings) {
		t.Errorf("the two verbs disagree:\nplan --check: %q\ncheck --plan: %q", planFindings, checkFindings)
	}
	if len(planFindings) < 2 {
		t.Errorf("findings %q: want the changed bundle and its format", planFindings)
	}
}

// planCheckFindings are the problems and warnings of `plan --check --json`,
// as severity and message.
func planCheckFindings(t *testing.T, dep, out string) []string {
	text, _ := run(t, "plan", dep, "-o", out, "--check", "--json")
	var doc struct {
		Problems []struct{ Problem string } `json:"problems"`
		Warnings []struct{ Problem string } `json:"role_warnings"`
	}
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatalf("plan --check --json: %v\n%s", err, text)
	}
	var got []string
	for _, p := range doc.Problems {
		got = append(got, "FAILURE "+p.Problem)
	}
	for _, w := range doc.Warnings {
		got = append(got, "WARNING "+w.Problem)
	}
	slices.Sort(got)
	return got
}

// checkPlanFindings are the FAILURE and WARNING results of `check --plan
// --json`, written as plan --check words them.
func checkPlanFindings(t *testing.T, dep, out string) []string {
	text, _ := run(t, "--dir", out, "check", "--plan", dep, "--json")
	var doc struct {
		Checks []struct {
			Role    string `json:"role"`
			Results []struct {
				Rule, Severity, Message, Fix string
			} `json:"results"`
		} `json:"checks"`
	}
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatalf("check --plan --json: %v\n%s", err, text)
	}
	var got []string
	for _, c := range doc.Checks {
		for _, r := range c.Results {
			if r.Severity == "SUCCESS" {
				continue
			}
			msg := r.Message
			if c.Role != "plan" {
				msg = c.Role + " " + r.Rule + ": " + msg
				if r.Fix != "" {
					msg += " (" + r.Fix + ")"
				}
			}
			got = append(got, r.Severity+" "+msg)
		}
	}
	slices.Sort(got)
	return got
}

// countLines counts the lines of text holding every one of words.
func countLines(text string, words ...string) int {
	n := 0
	for _, l := range strings.Split(text, "\n") {
		if !slices.ContainsFunc(words, func(w string) bool { return !strings.Contains(l, w) }) {
			n++
		}
	}
	return n
}
