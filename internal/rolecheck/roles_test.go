package rolecheck_test

import (
	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/rolecheck/rolechecktest"

	"crypto/x509"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/rolecheck"
)

// now is the time the fixtures of testdata/gen.go are judged at.
var now = rolechecktest.Now

func td(name string) string { return filepath.Join("testdata", name) }

// r builds a request on the fixtures: role, certificate, then flag pairs.
func r(role, cert string, kv ...string) rolecheck.Request {
	return rolechecktest.In("testdata", role, cert, kv...)
}

var (
	copyFile = rolechecktest.CopyFile
	worst    = rolechecktest.Worst
)

// TestRules runs the table of rule outcomes through the engine; package cli
// runs the same table through `confcert check --json`.
func TestRules(t *testing.T) {
	root := readCert(t, td("root.crt"))
	for _, tc := range rolechecktest.Cases() {
		t.Run(tc.Rule+"/"+tc.Name, func(t *testing.T) {
			req := rolechecktest.Prepare(t, tc)
			o := rolecheck.Options{Now: now, SystemRoots: func() ([]*x509.Certificate, error) { return nil, nil }}
			if tc.Public {
				o.SystemRoots = func() ([]*x509.Certificate, error) { return []*x509.Certificate{root}, nil }
			}
			c, err := catalog.Roles().Run(req, o)
			if err != nil {
				t.Fatal(err)
			}
			assertRule(t, c, tc.Rule, tc.Want)
			if got, _ := worst(c.Results, tc.Rule); !strings.Contains(got.Message, tc.Msg) {
				t.Errorf("%s message %q lacks %q", tc.Rule, got.Message, tc.Msg)
			}
			if tc.Want == rolecheck.Failure && c.OK {
				t.Errorf("a FAILURE and ok = true")
			}
		})
	}
}

func assertRule(t *testing.T, c *rolecheck.Check, rule string, want rolecheck.Severity) {
	t.Helper()
	got, ok := worst(c.Results, rule)
	if !ok {
		t.Fatalf("no result for %s in %+v", rule, c.Results)
	}
	if got.Severity != want {
		t.Fatalf("%s = %s (%s), want %s", rule, got.Severity, got.Message, want)
	}
	if want != rolecheck.Success && got.Fix == "" {
		t.Errorf("%s %s has no fix", rule, got.Severity)
	}
}

// TestRuleNotApplied: rules that cannot apply to a role print nothing, rather
// than a SUCCESS or a warning an administrator cannot act on.
func TestRuleNotApplied(t *testing.T) {
	tests := []struct {
		name string
		req  rolecheck.Request
		rule string
	}{
		// A database client certificate (CN postgres) is never checked for
		// names: no SAN needed (seed 002 §3.1.5).
		{"dbclient without SAN", r("cms-dbclient", "postgres.crt"), "SAN-PRESENT"},
		{"key match without a key", r("cms-webadmin", "good.crt"), "KEY-MATCH"},
		{"chain without bundle or trust", r("cms-webadmin", "good.crt"), "CHAIN"},
		{"names without --name", r("cms-webadmin", "good.crt"), "NAMES"},
		{"xmpp uses XMPP-NAME", r("cms-xmpp", "good.crt", "name", "cms1.example.com"), "NAMES"},
		{"filename is an MMP rule", r("cwms", "cwms1x.pem", "version", "2.0"), "FILENAME"},
		{"wildcard CN before MR5", r("cwms", "wildsan.crt", "version", "2.5"), "CWMS-WILDCARD-CN"},
		{"public names after MR5", r("cwms", "internal.crt", "version", "2.5MR5"), "CWMS-PUBLIC-NAMES"},
		{"MP key size without version", r("meetingplace", "rsa2048.crt"), "MP-KEY-SIZE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := catalog.Roles().Run(tt.req, rolecheck.Options{Now: now, NoLints: true, SystemRoots: noRoots})
			if err != nil {
				t.Fatal(err)
			}
			if got, ok := worst(c.Results, tt.rule); ok {
				t.Errorf("%s reported: %s %s", tt.rule, got.Severity, got.Message)
			}
		})
	}
}
