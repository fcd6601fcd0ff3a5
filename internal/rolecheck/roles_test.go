package rolecheck_test

import (
	"github.com/confcert/confcert/internal/catalog"

	"bytes"
	"crypto/x509"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/cli"
	"github.com/confcert/confcert/internal/rolecheck"
)

// now is the time the fixtures of testdata/gen.go are judged at.
var now = time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)

type ruleCase struct {
	name   string
	req    rolecheck.Request
	rule   string
	want   rolecheck.Severity
	public bool                // the test root counts as a public root
	edit   func([]byte) []byte // rewrite the --bundle file before the check
	copyAs string              // check the certificate under this file name
	noCLI  bool                // depends on the fixed clock or injected roots
	msg    string              // words the message must hold (fixed by spec roles.md)
}

func td(name string) string { return filepath.Join("testdata", name) }

// r builds a request: role, certificate, then flag pairs.
func r(role, cert string, kv ...string) rolecheck.Request {
	q := rolecheck.Request{Role: role, Cert: td(cert)}
	for i := 0; i+1 < len(kv); i += 2 {
		v := kv[i+1]
		switch kv[i] {
		case "key":
			q.Key = td(v)
		case "bundle":
			q.Bundle = td(v)
		case "trust":
			q.Trust = td(v)
		case "peer":
			q.PeerCert = td(v)
		case "name":
			q.Names = append(q.Names, v)
		case "domain":
			q.Domain = v
		case "lync":
			q.LyncFQDN = v
		case "version":
			q.Version = v
		case "irp":
			q.IRP = append(q.IRP, v)
		case "cucm":
			q.CUCM = true
		case "secure-audio":
			q.SecureAudio = true
		}
	}
	return q
}

func ruleCases() []ruleCase {
	const S, W, F = rolecheck.Success, rolecheck.Warning, rolecheck.Failure
	return []ruleCase{
		{name: "key matches", req: r("cms-webadmin", "good.crt", "key", "good.key"), rule: "KEY-MATCH", want: S,
			msg: "Key and certificate pair match"},
		{name: "key differs", req: r("cms-webadmin", "good.crt", "key", "other.key"), rule: "KEY-MATCH", want: F,
			msg: "Key and certificate problem: certificate and key do not match"},
		{name: "valid", req: r("cms-webadmin", "good.crt"), rule: "VALIDITY", want: S, noCLI: true},
		{name: "expired", req: r("cms-webadmin", "expired.crt"), rule: "VALIDITY", want: F},
		{name: "not yet valid", req: r("cms-webadmin", "future.crt"), rule: "VALIDITY", want: F},
		{name: "expires soon", req: r("cms-webadmin", "soon.crt"), rule: "VALIDITY", want: W, noCLI: true},
		{name: "chain verifies", req: r("cms-webadmin", "good.crt", "bundle", "bundle.crt"), rule: "CHAIN", want: S},
		{name: "chain verifies with trust", req: r("cms-webadmin", "good.crt", "bundle", "bundle.crt", "trust", "root.crt"), rule: "CHAIN", want: S},
		{name: "intermediate missing", req: r("cms-webadmin", "good.crt", "bundle", "bundle-rootonly.crt"), rule: "CHAIN", want: F,
			msg: "error at depth 0: unable to get issuer certificate"},
		{name: "wrong trust", req: r("cms-webadmin", "good.crt", "bundle", "bundle.crt", "trust", "dbca.crt"), rule: "CHAIN", want: F},
		{name: "bundle in order", req: r("cms-webadmin", "good.crt", "bundle", "bundle.crt"), rule: "BUNDLE-ORDER", want: S},
		{name: "bundle reversed", req: r("cms-webadmin", "good.crt", "bundle", "bundle-reversed.crt"), rule: "BUNDLE-ORDER", want: F},
		{name: "wb3 full chain in order", req: r("cms-webbridge3-https", "fullchain.crt"), rule: "BUNDLE-ORDER", want: S},
		{name: "clean PEM", req: r("cms-webadmin", "good.crt", "bundle", "bundle.crt"), rule: "BUNDLE-FORMAT", want: S},
		{name: "blank line", req: r("cms-webadmin", "good.crt", "bundle", "bundle.crt"), rule: "BUNDLE-FORMAT", want: W,
			edit: func(b []byte) []byte {
				return bytes.Replace(b, []byte("-----\n-----BEGIN"), []byte("-----\n\n-----BEGIN"), 1)
			}},
		{name: "CRLF", req: r("cms-webadmin", "good.crt", "bundle", "bundle.crt"), rule: "BUNDLE-FORMAT", want: W,
			edit: func(b []byte) []byte { return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")) }},
		{name: "text outside", req: r("cms-webadmin", "good.crt", "bundle", "bundle.crt"), rule: "BUNDLE-FORMAT", want: W,
			edit: func(b []byte) []byte { return append([]byte("subject=CN = Test Issuing CA\n"), b...) }},
		{name: "no final newline", req: r("cms-webadmin", "good.crt", "bundle", "bundle.crt"), rule: "BUNDLE-FORMAT", want: W,
			edit: func(b []byte) []byte { return bytes.TrimSuffix(b, []byte("\n")) }},
		{name: "DER bundle", req: r("cms-webadmin", "good.crt", "bundle", "bundle.crt"), rule: "BUNDLE-FORMAT", want: W, edit: firstDER},
		{name: "short chain", req: r("cms-webadmin", "good.crt", "bundle", "bundle.crt"), rule: "CHAIN-LENGTH", want: S},
		{name: "long chain", req: r("cms-webadmin", "deep.crt", "bundle", "deep-bundle.crt"), rule: "CHAIN-LENGTH", want: W},
		{name: "SHA-256", req: r("cms-webadmin", "good.crt"), rule: "SIGNATURE", want: S},
		{name: "MD5", req: r("cms-webadmin", "md5.crt"), rule: "SIGNATURE", want: F},
		{name: "SHA-1", req: r("cms-webadmin", "sha1.crt"), rule: "SIGNATURE", want: W},
		{name: "P-256", req: r("cms-webadmin", "good.crt"), rule: "KEY-SIZE", want: S},
		{name: "RSA 2048", req: r("cms-webadmin", "rsa2048.crt"), rule: "KEY-SIZE", want: S},
		{name: "RSA 1024", req: r("cms-webadmin", "rsa1024.crt"), rule: "KEY-SIZE", want: W},
		{name: "RSA 512", req: r("cms-webadmin", "rsa512.crt"), rule: "KEY-SIZE", want: F},
		{name: "SAN present", req: r("cms-webadmin", "good.crt"), rule: "SAN-PRESENT", want: S},
		{name: "no SAN", req: r("cms-webadmin", "nosan.crt"), rule: "SAN-PRESENT", want: W},
		{name: "CN in SAN", req: r("cms-webadmin", "good.crt"), rule: "CN-IN-SAN", want: S},
		{name: "CN not in SAN", req: r("cms-webadmin", "cnnotinsan.crt"), rule: "CN-IN-SAN", want: W},
		{name: "name covered", req: r("cms-webadmin", "good.crt", "name", "join.example.com"), rule: "NAMES", want: S},
		{name: "name not covered", req: r("cms-webadmin", "good.crt", "name", "other.example.com"), rule: "NAMES", want: F},
		{name: "wildcard covers one label", req: r("cms-webadmin", "wildcn.crt", "name", "a.example.com"), rule: "NAMES", want: S},
		{name: "wildcard not two labels", req: r("cms-webadmin", "wildcn.crt", "name", "a.b.example.com"), rule: "NAMES", want: F},
		{name: "digitalSignature", req: r("cms-webadmin", "good.crt"), rule: "KEY-USAGE", want: S},
		{name: "no digitalSignature", req: r("cms-webadmin", "kunods.crt"), rule: "KEY-USAGE", want: W},
		{name: "MMP file names", req: r("cms-webadmin", "good.crt", "key", "good.key"), rule: "FILENAME", want: S},
		{name: "underscore", req: r("cms-webadmin", "good.crt"), rule: "FILENAME", want: F, copyAs: "my_cert.crt"},
		{name: "inner dot", req: r("cms-webadmin", "good.crt"), rule: "FILENAME", want: F, copyAs: "cert.v2.crt"},
		{name: "extension", req: r("cms-webadmin", "good.crt"), rule: "FILENAME", want: F, copyAs: "good.txt"},

		{name: "callbridge EKU both", req: r("cms-callbridge", "good.crt", "cucm", ""), rule: "CALLBRIDGE-EKU", want: S},
		{name: "callbridge serverAuth only, CUCM", req: r("cms-callbridge", "serveronly.crt", "cucm", ""), rule: "CALLBRIDGE-EKU", want: F},
		{name: "callbridge serverAuth only", req: r("cms-callbridge", "serveronly.crt"), rule: "CALLBRIDGE-EKU", want: W},
		{name: "clientAuth from internal CA", req: r("cms-callbridge", "good.crt", "cucm", "", "bundle", "bundle.crt"), rule: "PUBLIC-CLIENT-AUTH", want: S},
		{name: "clientAuth from public CA", req: r("cms-callbridge", "good.crt", "cucm", "", "bundle", "bundle.crt"), rule: "PUBLIC-CLIENT-AUTH", want: W, public: true, noCLI: true},
		{name: "Lync CN", req: r("cms-callbridge", "good.crt", "lync", "cms1.example.com"), rule: "LYNC-CN", want: S},
		{name: "Lync CN differs", req: r("cms-callbridge", "good.crt", "lync", "lync.example.com"), rule: "LYNC-CN", want: F},
		{name: "Lync FQDN not in SAN", req: r("cms-callbridge", "lync.crt", "lync", "lync.example.com"), rule: "LYNC-CN", want: F},
		{name: "webbridge name", req: r("cms-webbridge", "good.crt", "name", "cms1.example.com"), rule: "WEBBRIDGE-NAME", want: S},
		{name: "webbridge CN is domain", req: r("cms-webbridge", "good.crt", "name", "join.example.com", "domain", "cms1.example.com"), rule: "WEBBRIDGE-NAME", want: S},
		{name: "webbridge CN wrong", req: r("cms-webbridge", "good.crt", "name", "join.example.com", "domain", "other.com"), rule: "WEBBRIDGE-NAME", want: F},
		{name: "webbridge A record missing", req: r("cms-webbridge", "good.crt", "name", "meet.example.com"), rule: "WEBBRIDGE-NAME", want: F},
		{name: "webbridge public", req: r("cms-webbridge", "good.crt", "bundle", "bundle.crt"), rule: "PUBLIC-TRUST", want: S, public: true, noCLI: true},
		{name: "webbridge internal CA", req: r("cms-webbridge", "good.crt", "bundle", "bundle.crt"), rule: "PUBLIC-TRUST", want: W},
		{name: "full chain", req: r("cms-webbridge3-https", "fullchain.crt"), rule: "FULLCHAIN", want: S},
		{name: "leaf only", req: r("cms-webbridge3-https", "good.crt"), rule: "FULLCHAIN", want: F},
		{name: "no root", req: r("cms-webbridge3-https", "fullchain-noroot.crt"), rule: "FULLCHAIN", want: F},
		{name: "c2w leaf only", req: r("cms-webbridge3-c2w", "good.crt"), rule: "FULLCHAIN", want: F},
		{name: "wb3 digitalSignature", req: r("cms-webbridge3-https", "fullchain.crt"), rule: "WB3-KEY-USAGE", want: S},
		{name: "wb3 no digitalSignature", req: r("cms-webbridge3-https", "kunods.crt"), rule: "WB3-KEY-USAGE", want: F},
		{name: "c2w serverAuth", req: r("cms-webbridge3-c2w", "fullchain.crt"), rule: "C2W-EKU", want: S},
		{name: "c2w clientAuth only", req: r("cms-webbridge3-c2w", "clientonly.crt"), rule: "C2W-EKU", want: F},
		{name: "c2w name", req: r("cms-webbridge3-c2w", "fullchain.crt", "name", "cms1.example.com"), rule: "C2W-NAME", want: S},
		{name: "c2w name missing", req: r("cms-webbridge3-c2w", "fullchain.crt", "name", "wb3.example.com"), rule: "C2W-NAME", want: F},
		{name: "xmpp SAN", req: r("cms-xmpp", "good.crt"), rule: "XMPP-SAN", want: S},
		{name: "xmpp no SAN", req: r("cms-xmpp", "nosan.crt"), rule: "XMPP-SAN", want: F},
		{name: "xmpp domain", req: r("cms-xmpp", "good.crt", "domain", "example.com"), rule: "XMPP-DOMAIN", want: S},
		{name: "xmpp domain missing", req: r("cms-xmpp", "good.crt", "domain", "xmpp.other.com"), rule: "XMPP-DOMAIN", want: F},
		{name: "xmpp name in CN", req: r("cms-xmpp", "nosan.crt", "name", "cms1.example.com"), rule: "XMPP-NAME", want: S},
		{name: "xmpp name missing", req: r("cms-xmpp", "good.crt", "name", "xmpp.other.com"), rule: "XMPP-NAME", want: F},
		{name: "xmpp no IP", req: r("cms-xmpp", "good.crt"), rule: "XMPP-NO-IP", want: S},
		{name: "xmpp IP", req: r("cms-xmpp", "xmppip.crt"), rule: "XMPP-NO-IP", want: F},
		{name: "turn same CA", req: r("cms-turn", "good.crt", "peer", "fullchain.crt"), rule: "TURN-SIGNER", want: S},
		{name: "turn other CA", req: r("cms-turn", "good.crt", "peer", "byroot.crt"), rule: "TURN-SIGNER", want: W},
		{name: "dbserver serverAuth", req: r("cms-dbserver", "dbserver.crt", "trust", "dbca.crt"), rule: "DB-SERVER-EKU", want: S},
		{name: "dbserver clientAuth only", req: r("cms-dbserver", "clientonly.crt"), rule: "DB-SERVER-EKU", want: F},
		{name: "dbserver CA", req: r("cms-dbserver", "dbserver.crt", "trust", "dbca.crt"), rule: "DB-CA", want: S},
		{name: "dbserver no trust", req: r("cms-dbserver", "dbserver.crt"), rule: "DB-CA", want: F},
		{name: "dbserver other CA", req: r("cms-dbserver", "dbserver.crt", "trust", "root.crt"), rule: "DB-CA", want: F},
		{name: "dbclient postgres", req: r("cms-dbclient", "postgres.crt"), rule: "DB-CLIENT-CN", want: S},
		{name: "dbclient wrong CN", req: r("cms-dbclient", "good.crt"), rule: "DB-CLIENT-CN", want: F,
			msg: "Client certificate common name incorrect"},
		{name: "dbclient clientAuth", req: r("cms-dbclient", "postgres.crt"), rule: "DB-CLIENT-EKU", want: S},
		{name: "dbclient serverAuth only", req: r("cms-dbclient", "serveronly.crt"), rule: "DB-CLIENT-EKU", want: F},
		{name: "trunk distinct", req: r("cms-trunk", "good.crt", "peer", "byroot.crt"), rule: "DISTINCT-PAIR", want: S},
		{name: "trunk same key", req: r("cms-trunk", "good.crt", "peer", "fullchain.crt"), rule: "DISTINCT-PAIR", want: F},
		{name: "loadbalancer same key", req: r("cms-loadbalancer", "good.crt", "peer", "good.crt"), rule: "DISTINCT-PAIR", want: F},

		{name: "cwms 2.0 server first", req: r("cwms", "cwms1x.pem", "version", "2.0"), rule: "CWMS-ORDER", want: S},
		{name: "cwms 2.0 given 2.5 order", req: r("cwms", "cwms25.pem", "version", "2.0"), rule: "CWMS-ORDER", want: F,
			msg: "The certificates do not form a valid certificate chain"},
		{name: "cwms 2.5 server last", req: r("cwms", "cwms25.pem", "version", "2.5"), rule: "CWMS-ORDER", want: S},
		{name: "cwms 2.5 given 1.x order", req: r("cwms", "cwms1x.pem", "version", "2.5"), rule: "CWMS-ORDER", want: F},
		{name: "cwms no root", req: r("cwms", "cwms1x.pem", "version", "2.0"), rule: "CWMS-ROOT", want: S},
		{name: "cwms root", req: r("cwms", "cwms1x-root.pem", "version", "2.0"), rule: "CWMS-ROOT", want: W},
		{name: "cwms key on top", req: r("cwms", "cwms-keytop.pem", "version", "2.0"), rule: "CWMS-KEY-TOP", want: S},
		{name: "cwms key in the middle", req: r("cwms", "cwms-keymid.pem", "version", "2.0"), rule: "CWMS-KEY-TOP", want: F},
		{name: "cwms no IRP", req: r("cwms", "cwms1x.pem", "version", "2.0", "irp", "irp1.example.com"), rule: "CWMS-IRP", want: S},
		{name: "cwms IRP", req: r("cwms", "cwms1x.pem", "version", "2.0", "irp", "join.example.com"), rule: "CWMS-IRP", want: F},
		{name: "cwms internal CN", req: r("cwms-internal", "internal.crt", "version", "2.5MR5", "name", "dc1-admin.example.com"), rule: "CWMS-INTERNAL-CN", want: S},
		{name: "cwms internal CN wrong", req: r("cwms-internal", "good.crt", "version", "2.5MR5", "name", "dc1-admin.example.com"), rule: "CWMS-INTERNAL-CN", want: F},
		{name: "cwms distinct CN", req: r("cwms", "good.crt", "version", "2.5", "secure-audio", "", "peer", "internal.crt"), rule: "CWMS-DISTINCT-CN", want: S},
		{name: "cwms same CN", req: r("cwms", "good.crt", "version", "2.5", "secure-audio", "", "peer", "byroot.crt"), rule: "CWMS-DISTINCT-CN", want: F},
		{name: "cwms wildcard CN", req: r("cwms-external", "wildcn.crt", "version", "2.6"), rule: "CWMS-WILDCARD-CN", want: S},
		{name: "cwms wildcard SAN only", req: r("cwms-external", "wildsan.crt", "version", "2.5MR5"), rule: "CWMS-WILDCARD-CN", want: F},
		{name: "cwms public names", req: r("cwms-external", "good.crt", "version", "2.5MR5"), rule: "CWMS-PUBLIC-NAMES", want: S},
		{name: "cwms external .local", req: r("cwms-external", "internal.crt", "version", "2.5MR5"), rule: "CWMS-PUBLIC-NAMES", want: F},
		{name: "cwms pre-MR5 .local", req: r("cwms", "internal.crt", "version", "2.0"), rule: "CWMS-PUBLIC-NAMES", want: F},

		{name: "mp order", req: r("meetingplace", "mp.pem"), rule: "MP-ORDER", want: S},
		{name: "mp reversed", req: r("meetingplace", "mp-reversed.pem"), rule: "MP-ORDER", want: F},
		{name: "mp CA signed", req: r("meetingplace", "mp.pem"), rule: "MP-SELF-SIGNED", want: S},
		{name: "mp self-signed", req: r("meetingplace", "selfsigned.crt"), rule: "MP-SELF-SIGNED", want: F},
		{name: "mp subject", req: r("meetingplace", "mp.pem"), rule: "MP-SUBJECT", want: S},
		{name: "mp subject abbreviated", req: r("meetingplace", "mpabbrev.crt"), rule: "MP-SUBJECT", want: W},
		{name: "mp 6.0MR5 1024", req: r("meetingplace", "rsa1024.crt", "version", "6.0MR5"), rule: "MP-KEY-SIZE", want: S},
		{name: "mp 6.0MR5 2048", req: r("meetingplace", "rsa2048.crt", "version", "6.0MR5"), rule: "MP-KEY-SIZE", want: W},
	}
}

// firstDER replaces a PEM bundle with the DER of its first certificate.
func firstDER(b []byte) []byte {
	s := string(b)
	body := s[strings.Index(s, "\n")+1 : strings.Index(s, "-----END")]
	der, err := decodeB64(body)
	if err != nil {
		panic(err)
	}
	return der
}

func TestRules(t *testing.T) {
	root := readCert(t, td("root.crt"))
	for _, tc := range ruleCases() {
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			req := prepare(t, tc)
			o := rolecheck.Options{Now: now, SystemRoots: func() ([]*x509.Certificate, error) { return nil, nil }}
			if tc.public {
				o.SystemRoots = func() ([]*x509.Certificate, error) { return []*x509.Certificate{root}, nil }
			}
			c, err := catalog.Roles().Run(req, o)
			if err != nil {
				t.Fatal(err)
			}
			assertRule(t, c, tc.rule, tc.want)
			if got, _ := worst(c.Results, tc.rule); !strings.Contains(got.Message, tc.msg) {
				t.Errorf("%s message %q lacks %q", tc.rule, got.Message, tc.msg)
			}
			if tc.want == rolecheck.Failure && c.OK {
				t.Errorf("a FAILURE and ok = true")
			}
			if !tc.noCLI {
				assertCLI(t, req, tc.rule, tc.want)
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

// assertCLI runs the same check through `confcert check --json` and asserts
// the exit code (1 on any FAILURE) and the rule's severity.
func assertCLI(t *testing.T, req rolecheck.Request, rule string, want rolecheck.Severity) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Main(append([]string{"check", "--json"}, args(req)...), strings.NewReader(""), &out, &errOut)
	var c rolecheck.Check
	if err := json.Unmarshal(out.Bytes(), &c); err != nil {
		t.Fatalf("exit %d, stderr %s: %v", code, errOut.String(), err)
	}
	wantCode := 0
	if !c.OK {
		wantCode = 1
	}
	if code != wantCode || (want == rolecheck.Failure && code != 1) {
		t.Fatalf("exit %d, want %d (stderr %s)", code, wantCode, errOut.String())
	}
	assertRule(t, &c, rule, want)
}

func args(q rolecheck.Request) []string {
	a := []string{"--role", q.Role, "--cert", q.Cert}
	add := func(flag, v string) {
		if v != "" {
			a = append(a, flag, v)
		}
	}
	add("--key", q.Key)
	add("--bundle", q.Bundle)
	add("--trust", q.Trust)
	add("--peer-cert", q.PeerCert)
	add("--domain", q.Domain)
	add("--lync-fqdn", q.LyncFQDN)
	add("--version", q.Version)
	for _, n := range q.Names {
		add("--name", n)
	}
	for _, n := range q.IRP {
		add("--irp", n)
	}
	if q.CUCM {
		a = append(a, "--cucm")
	}
	if q.SecureAudio {
		a = append(a, "--secure-audio")
	}
	return a
}

// prepare writes edited or renamed copies into a temporary directory.
func prepare(t *testing.T, tc ruleCase) rolecheck.Request {
	req := tc.req
	dir := t.TempDir()
	if tc.edit != nil {
		req.Bundle = copyFile(t, req.Bundle, filepath.Join(dir, filepath.Base(req.Bundle)), tc.edit)
	}
	if tc.copyAs != "" {
		req.Cert = copyFile(t, req.Cert, filepath.Join(dir, tc.copyAs), nil)
	}
	return req
}

func copyFile(t *testing.T, from, to string, edit func([]byte) []byte) string {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		b = edit(b)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return to
}

// worst is the most severe result of rule (a rule judging several files
// gives one result per file).
func worst(rs []rolecheck.Result, rule string) (rolecheck.Result, bool) {
	rank := map[rolecheck.Severity]int{rolecheck.Success: 0, rolecheck.Warning: 1, rolecheck.Failure: 2}
	var got rolecheck.Result
	found := false
	for _, r := range rs {
		if r.Rule == rule && (!found || rank[r.Severity] > rank[got.Severity]) {
			got, found = r, true
		}
	}
	return got, found
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
