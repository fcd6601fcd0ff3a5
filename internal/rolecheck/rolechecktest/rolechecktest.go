// Package rolechecktest holds the table of role-check cases that both the
// engine's tests (package rolecheck) and the CLI's (`confcert check --json`,
// package cli) run, on the fixtures of internal/rolecheck/testdata. Imported
// only by _test.go files.
package rolechecktest

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/rolecheck"
)

// Now is the time the fixtures of testdata/gen.go are judged at.
var Now = time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)

// Dir is the fixtures' directory, internal/rolecheck/testdata.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata")
}

// Case is one rule outcome to prove: a request, the rule and its severity.
type Case struct {
	Name   string
	Req    rolecheck.Request
	Rule   string
	Want   rolecheck.Severity
	Public bool                // the test root counts as a public root
	Edit   func([]byte) []byte // rewrite the --bundle file before the check
	CopyAs string              // check the certificate under this file name
	NoCLI  bool                // depends on the fixed clock or injected roots
	Msg    string              // words the message must hold (fixed by spec roles.md)
}

// R builds a request on the fixtures: role, certificate, then flag pairs.
func R(role, cert string, kv ...string) rolecheck.Request { return In(Dir(), role, cert, kv...) }

// In is R with the fixtures' files named inside dir.
func In(dir, role, cert string, kv ...string) rolecheck.Request {
	td := func(name string) string { return filepath.Join(dir, name) }
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

// Cases is the table of rule outcomes (spec roles.md), one or more per rule.
func Cases() []Case {
	const S, W, F = rolecheck.Success, rolecheck.Warning, rolecheck.Failure
	return []Case{
		{Name: "key matches", Req: R("cms-webadmin", "good.crt", "key", "good.key"), Rule: "KEY-MATCH", Want: S,
			Msg: "Key and certificate pair match"},
		{Name: "key differs", Req: R("cms-webadmin", "good.crt", "key", "other.key"), Rule: "KEY-MATCH", Want: F,
			Msg: "Key and certificate problem: certificate and key do not match"},
		{Name: "valid", Req: R("cms-webadmin", "good.crt"), Rule: "VALIDITY", Want: S, NoCLI: true},
		{Name: "expired", Req: R("cms-webadmin", "expired.crt"), Rule: "VALIDITY", Want: F},
		{Name: "not yet valid", Req: R("cms-webadmin", "future.crt"), Rule: "VALIDITY", Want: F},
		{Name: "expires soon", Req: R("cms-webadmin", "soon.crt"), Rule: "VALIDITY", Want: W, NoCLI: true},
		{Name: "chain verifies", Req: R("cms-webadmin", "good.crt", "bundle", "bundle.crt"), Rule: "CHAIN", Want: S},
		{Name: "chain verifies with trust", Req: R("cms-webadmin", "good.crt", "bundle", "bundle.crt", "trust", "root.crt"), Rule: "CHAIN", Want: S},
		{Name: "intermediate missing", Req: R("cms-webadmin", "good.crt", "bundle", "bundle-rootonly.crt"), Rule: "CHAIN", Want: F,
			Msg: "error at depth 0: unable to get issuer certificate"},
		{Name: "wrong trust", Req: R("cms-webadmin", "good.crt", "bundle", "bundle.crt", "trust", "dbca.crt"), Rule: "CHAIN", Want: F},
		{Name: "bundle in order", Req: R("cms-webadmin", "good.crt", "bundle", "bundle.crt"), Rule: "BUNDLE-ORDER", Want: S},
		{Name: "bundle reversed", Req: R("cms-webadmin", "good.crt", "bundle", "bundle-reversed.crt"), Rule: "BUNDLE-ORDER", Want: F},
		{Name: "wb3 full chain in order", Req: R("cms-webbridge3-https", "fullchain.crt"), Rule: "BUNDLE-ORDER", Want: S},
		{Name: "clean PEM", Req: R("cms-webadmin", "good.crt", "bundle", "bundle.crt"), Rule: "BUNDLE-FORMAT", Want: S},
		{Name: "blank line", Req: R("cms-webadmin", "good.crt", "bundle", "bundle.crt"), Rule: "BUNDLE-FORMAT", Want: W,
			Edit: func(b []byte) []byte {
				return bytes.Replace(b, []byte("-----\n-----BEGIN"), []byte("-----\n\n-----BEGIN"), 1)
			}},
		{Name: "CRLF", Req: R("cms-webadmin", "good.crt", "bundle", "bundle.crt"), Rule: "BUNDLE-FORMAT", Want: W,
			Edit: func(b []byte) []byte { return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")) }},
		{Name: "text outside", Req: R("cms-webadmin", "good.crt", "bundle", "bundle.crt"), Rule: "BUNDLE-FORMAT", Want: W,
			Edit: func(b []byte) []byte { return append([]byte("subject=CN = Test Issuing CA\n"), b...) }},
		{Name: "no final newline", Req: R("cms-webadmin", "good.crt", "bundle", "bundle.crt"), Rule: "BUNDLE-FORMAT", Want: W,
			Edit: func(b []byte) []byte { return bytes.TrimSuffix(b, []byte("\n")) }},
		{Name: "DER bundle", Req: R("cms-webadmin", "good.crt", "bundle", "bundle.crt"), Rule: "BUNDLE-FORMAT", Want: W, Edit: FirstDER},
		{Name: "short chain", Req: R("cms-webadmin", "good.crt", "bundle", "bundle.crt"), Rule: "CHAIN-LENGTH", Want: S},
		{Name: "long chain", Req: R("cms-webadmin", "deep.crt", "bundle", "deep-bundle.crt"), Rule: "CHAIN-LENGTH", Want: W},
		{Name: "SHA-256", Req: R("cms-webadmin", "good.crt"), Rule: "SIGNATURE", Want: S},
		{Name: "MD5", Req: R("cms-webadmin", "md5.crt"), Rule: "SIGNATURE", Want: F},
		{Name: "SHA-1", Req: R("cms-webadmin", "sha1.crt"), Rule: "SIGNATURE", Want: W},
		{Name: "P-256", Req: R("cms-webadmin", "good.crt"), Rule: "KEY-SIZE", Want: S},
		{Name: "RSA 2048", Req: R("cms-webadmin", "rsa2048.crt"), Rule: "KEY-SIZE", Want: S},
		{Name: "RSA 1024", Req: R("cms-webadmin", "rsa1024.crt"), Rule: "KEY-SIZE", Want: W},
		{Name: "RSA 512", Req: R("cms-webadmin", "rsa512.crt"), Rule: "KEY-SIZE", Want: F},
		{Name: "SAN present", Req: R("cms-webadmin", "good.crt"), Rule: "SAN-PRESENT", Want: S},
		{Name: "no SAN", Req: R("cms-webadmin", "nosan.crt"), Rule: "SAN-PRESENT", Want: W},
		{Name: "CN in SAN", Req: R("cms-webadmin", "good.crt"), Rule: "CN-IN-SAN", Want: S},
		{Name: "CN not in SAN", Req: R("cms-webadmin", "cnnotinsan.crt"), Rule: "CN-IN-SAN", Want: W},
		{Name: "name covered", Req: R("cms-webadmin", "good.crt", "name", "join.example.com"), Rule: "NAMES", Want: S},
		{Name: "name not covered", Req: R("cms-webadmin", "good.crt", "name", "other.example.com"), Rule: "NAMES", Want: F},
		{Name: "wildcard covers one label", Req: R("cms-webadmin", "wildcn.crt", "name", "a.example.com"), Rule: "NAMES", Want: S},
		{Name: "wildcard not two labels", Req: R("cms-webadmin", "wildcn.crt", "name", "a.b.example.com"), Rule: "NAMES", Want: F},
		{Name: "digitalSignature", Req: R("cms-webadmin", "good.crt"), Rule: "KEY-USAGE", Want: S},
		{Name: "no digitalSignature", Req: R("cms-webadmin", "kunods.crt"), Rule: "KEY-USAGE", Want: W},
		{Name: "MMP file names", Req: R("cms-webadmin", "good.crt", "key", "good.key"), Rule: "FILENAME", Want: S},
		{Name: "underscore", Req: R("cms-webadmin", "good.crt"), Rule: "FILENAME", Want: F, CopyAs: "my_cert.crt"},
		{Name: "inner dot", Req: R("cms-webadmin", "good.crt"), Rule: "FILENAME", Want: F, CopyAs: "cert.v2.crt"},
		{Name: "extension", Req: R("cms-webadmin", "good.crt"), Rule: "FILENAME", Want: F, CopyAs: "good.txt"},

		{Name: "callbridge EKU both", Req: R("cms-callbridge", "good.crt", "cucm", ""), Rule: "CALLBRIDGE-EKU", Want: S},
		{Name: "callbridge serverAuth only, CUCM", Req: R("cms-callbridge", "serveronly.crt", "cucm", ""), Rule: "CALLBRIDGE-EKU", Want: F},
		{Name: "callbridge serverAuth only", Req: R("cms-callbridge", "serveronly.crt"), Rule: "CALLBRIDGE-EKU", Want: W},
		{Name: "clientAuth from internal CA", Req: R("cms-callbridge", "good.crt", "cucm", "", "bundle", "bundle.crt"), Rule: "PUBLIC-CLIENT-AUTH", Want: S},
		{Name: "clientAuth from public CA", Req: R("cms-callbridge", "good.crt", "cucm", "", "bundle", "bundle.crt"), Rule: "PUBLIC-CLIENT-AUTH", Want: W, Public: true, NoCLI: true},
		{Name: "Lync CN", Req: R("cms-callbridge", "good.crt", "lync", "cms1.example.com"), Rule: "LYNC-CN", Want: S},
		{Name: "Lync CN differs", Req: R("cms-callbridge", "good.crt", "lync", "lync.example.com"), Rule: "LYNC-CN", Want: F},
		{Name: "Lync FQDN not in SAN", Req: R("cms-callbridge", "lync.crt", "lync", "lync.example.com"), Rule: "LYNC-CN", Want: F},
		{Name: "webbridge name", Req: R("cms-webbridge", "good.crt", "name", "cms1.example.com"), Rule: "WEBBRIDGE-NAME", Want: S},
		{Name: "webbridge CN is domain", Req: R("cms-webbridge", "good.crt", "name", "join.example.com", "domain", "cms1.example.com"), Rule: "WEBBRIDGE-NAME", Want: S},
		{Name: "webbridge CN wrong", Req: R("cms-webbridge", "good.crt", "name", "join.example.com", "domain", "other.com"), Rule: "WEBBRIDGE-NAME", Want: F},
		{Name: "webbridge A record missing", Req: R("cms-webbridge", "good.crt", "name", "meet.example.com"), Rule: "WEBBRIDGE-NAME", Want: F},
		{Name: "webbridge public", Req: R("cms-webbridge", "good.crt", "bundle", "bundle.crt"), Rule: "PUBLIC-TRUST", Want: S, Public: true, NoCLI: true},
		{Name: "webbridge internal CA", Req: R("cms-webbridge", "good.crt", "bundle", "bundle.crt"), Rule: "PUBLIC-TRUST", Want: W},
		{Name: "full chain", Req: R("cms-webbridge3-https", "fullchain.crt"), Rule: "FULLCHAIN", Want: S},
		{Name: "leaf only", Req: R("cms-webbridge3-https", "good.crt"), Rule: "FULLCHAIN", Want: F},
		{Name: "no root", Req: R("cms-webbridge3-https", "fullchain-noroot.crt"), Rule: "FULLCHAIN", Want: F},
		{Name: "c2w leaf only", Req: R("cms-webbridge3-c2w", "good.crt"), Rule: "FULLCHAIN", Want: F},
		{Name: "wb3 digitalSignature", Req: R("cms-webbridge3-https", "fullchain.crt"), Rule: "WB3-KEY-USAGE", Want: S},
		{Name: "wb3 no digitalSignature", Req: R("cms-webbridge3-https", "kunods.crt"), Rule: "WB3-KEY-USAGE", Want: F},
		{Name: "c2w serverAuth", Req: R("cms-webbridge3-c2w", "fullchain.crt"), Rule: "C2W-EKU", Want: S},
		{Name: "c2w clientAuth only", Req: R("cms-webbridge3-c2w", "clientonly.crt"), Rule: "C2W-EKU", Want: F},
		{Name: "c2w name", Req: R("cms-webbridge3-c2w", "fullchain.crt", "name", "cms1.example.com"), Rule: "C2W-NAME", Want: S},
		{Name: "c2w name missing", Req: R("cms-webbridge3-c2w", "fullchain.crt", "name", "wb3.example.com"), Rule: "C2W-NAME", Want: F},
		{Name: "xmpp SAN", Req: R("cms-xmpp", "good.crt"), Rule: "XMPP-SAN", Want: S},
		{Name: "xmpp no SAN", Req: R("cms-xmpp", "nosan.crt"), Rule: "XMPP-SAN", Want: F},
		{Name: "xmpp domain", Req: R("cms-xmpp", "good.crt", "domain", "example.com"), Rule: "XMPP-DOMAIN", Want: S},
		{Name: "xmpp domain missing", Req: R("cms-xmpp", "good.crt", "domain", "xmpp.other.com"), Rule: "XMPP-DOMAIN", Want: F},
		{Name: "xmpp name in CN", Req: R("cms-xmpp", "nosan.crt", "name", "cms1.example.com"), Rule: "XMPP-NAME", Want: S},
		{Name: "xmpp name missing", Req: R("cms-xmpp", "good.crt", "name", "xmpp.other.com"), Rule: "XMPP-NAME", Want: F},
		{Name: "xmpp no IP", Req: R("cms-xmpp", "good.crt"), Rule: "XMPP-NO-IP", Want: S},
		{Name: "xmpp IP", Req: R("cms-xmpp", "xmppip.crt"), Rule: "XMPP-NO-IP", Want: F},
		{Name: "turn same CA", Req: R("cms-turn", "good.crt", "peer", "fullchain.crt"), Rule: "TURN-SIGNER", Want: S},
		{Name: "turn other CA", Req: R("cms-turn", "good.crt", "peer", "byroot.crt"), Rule: "TURN-SIGNER", Want: W},
		{Name: "dbserver serverAuth", Req: R("cms-dbserver", "dbserver.crt", "trust", "dbca.crt"), Rule: "DB-SERVER-EKU", Want: S},
		{Name: "dbserver clientAuth only", Req: R("cms-dbserver", "clientonly.crt"), Rule: "DB-SERVER-EKU", Want: F},
		{Name: "dbserver CA", Req: R("cms-dbserver", "dbserver.crt", "trust", "dbca.crt"), Rule: "DB-CA", Want: S},
		{Name: "dbserver no trust", Req: R("cms-dbserver", "dbserver.crt"), Rule: "DB-CA", Want: F},
		{Name: "dbserver other CA", Req: R("cms-dbserver", "dbserver.crt", "trust", "root.crt"), Rule: "DB-CA", Want: F},
		{Name: "dbclient postgres", Req: R("cms-dbclient", "postgres.crt"), Rule: "DB-CLIENT-CN", Want: S},
		{Name: "dbclient wrong CN", Req: R("cms-dbclient", "good.crt"), Rule: "DB-CLIENT-CN", Want: F,
			Msg: "Client certificate common name incorrect"},
		{Name: "dbclient clientAuth", Req: R("cms-dbclient", "postgres.crt"), Rule: "DB-CLIENT-EKU", Want: S},
		{Name: "dbclient serverAuth only", Req: R("cms-dbclient", "serveronly.crt"), Rule: "DB-CLIENT-EKU", Want: F},
		{Name: "trunk distinct", Req: R("cms-trunk", "good.crt", "peer", "byroot.crt"), Rule: "DISTINCT-PAIR", Want: S},
		{Name: "trunk same key", Req: R("cms-trunk", "good.crt", "peer", "fullchain.crt"), Rule: "DISTINCT-PAIR", Want: F},
		{Name: "loadbalancer same key", Req: R("cms-loadbalancer", "good.crt", "peer", "good.crt"), Rule: "DISTINCT-PAIR", Want: F},

		{Name: "cwms 2.0 server first", Req: R("cwms", "cwms1x.pem", "version", "2.0"), Rule: "CWMS-ORDER", Want: S},
		{Name: "cwms 2.0 given 2.5 order", Req: R("cwms", "cwms25.pem", "version", "2.0"), Rule: "CWMS-ORDER", Want: F,
			Msg: "The certificates do not form a valid certificate chain"},
		{Name: "cwms 2.5 server last", Req: R("cwms", "cwms25.pem", "version", "2.5"), Rule: "CWMS-ORDER", Want: S},
		{Name: "cwms 2.5 given 1.x order", Req: R("cwms", "cwms1x.pem", "version", "2.5"), Rule: "CWMS-ORDER", Want: F},
		{Name: "cwms no root", Req: R("cwms", "cwms1x.pem", "version", "2.0"), Rule: "CWMS-ROOT", Want: S},
		{Name: "cwms root", Req: R("cwms", "cwms1x-root.pem", "version", "2.0"), Rule: "CWMS-ROOT", Want: W},
		{Name: "cwms key on top", Req: R("cwms", "cwms-keytop.pem", "version", "2.0"), Rule: "CWMS-KEY-TOP", Want: S},
		{Name: "cwms key in the middle", Req: R("cwms", "cwms-keymid.pem", "version", "2.0"), Rule: "CWMS-KEY-TOP", Want: F},
		{Name: "cwms no IRP", Req: R("cwms", "cwms1x.pem", "version", "2.0", "irp", "irp1.example.com"), Rule: "CWMS-IRP", Want: S},
		{Name: "cwms IRP", Req: R("cwms", "cwms1x.pem", "version", "2.0", "irp", "join.example.com"), Rule: "CWMS-IRP", Want: F},
		{Name: "cwms internal CN", Req: R("cwms-internal", "internal.crt", "version", "2.5MR5", "name", "dc1-admin.example.com"), Rule: "CWMS-INTERNAL-CN", Want: S},
		{Name: "cwms internal CN wrong", Req: R("cwms-internal", "good.crt", "version", "2.5MR5", "name", "dc1-admin.example.com"), Rule: "CWMS-INTERNAL-CN", Want: F},
		{Name: "cwms distinct CN", Req: R("cwms", "good.crt", "version", "2.5", "secure-audio", "", "peer", "internal.crt"), Rule: "CWMS-DISTINCT-CN", Want: S},
		{Name: "cwms same CN", Req: R("cwms", "good.crt", "version", "2.5", "secure-audio", "", "peer", "byroot.crt"), Rule: "CWMS-DISTINCT-CN", Want: F},
		{Name: "cwms wildcard CN", Req: R("cwms-external", "wildcn.crt", "version", "2.6"), Rule: "CWMS-WILDCARD-CN", Want: S},
		{Name: "cwms wildcard SAN only", Req: R("cwms-external", "wildsan.crt", "version", "2.5MR5"), Rule: "CWMS-WILDCARD-CN", Want: F},
		{Name: "cwms public names", Req: R("cwms-external", "good.crt", "version", "2.5MR5"), Rule: "CWMS-PUBLIC-NAMES", Want: S},
		{Name: "cwms external .local", Req: R("cwms-external", "internal.crt", "version", "2.5MR5"), Rule: "CWMS-PUBLIC-NAMES", Want: F},
		{Name: "cwms pre-MR5 .local", Req: R("cwms", "internal.crt", "version", "2.0"), Rule: "CWMS-PUBLIC-NAMES", Want: F},

		{Name: "mp order", Req: R("meetingplace", "mp.pem"), Rule: "MP-ORDER", Want: S},
		{Name: "mp reversed", Req: R("meetingplace", "mp-reversed.pem"), Rule: "MP-ORDER", Want: F},
		{Name: "mp CA signed", Req: R("meetingplace", "mp.pem"), Rule: "MP-SELF-SIGNED", Want: S},
		{Name: "mp self-signed", Req: R("meetingplace", "selfsigned.crt"), Rule: "MP-SELF-SIGNED", Want: F},
		{Name: "mp subject", Req: R("meetingplace", "mp.pem"), Rule: "MP-SUBJECT", Want: S},
		{Name: "mp subject abbreviated", Req: R("meetingplace", "mpabbrev.crt"), Rule: "MP-SUBJECT", Want: W},
		{Name: "mp 6.0MR5 1024", Req: R("meetingplace", "rsa1024.crt", "version", "6.0MR5"), Rule: "MP-KEY-SIZE", Want: S},
		{Name: "mp 6.0MR5 2048", Req: R("meetingplace", "rsa2048.crt", "version", "6.0MR5"), Rule: "MP-KEY-SIZE", Want: W},
	}
}

// FirstDER replaces a PEM bundle with the DER of its first certificate.
func FirstDER(b []byte) []byte {
	s := string(b)
	body := s[strings.Index(s, "\n")+1 : strings.Index(s, "-----END")]
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(body), ""))
	if err != nil {
		panic(err)
	}
	return der
}

// Args are the `confcert check` flags of a request.
func Args(q rolecheck.Request) []string {
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

// Prepare writes edited or renamed copies into a temporary directory.
func Prepare(t *testing.T, tc Case) rolecheck.Request {
	req := tc.Req
	dir := t.TempDir()
	if tc.Edit != nil {
		req.Bundle = CopyFile(t, req.Bundle, filepath.Join(dir, filepath.Base(req.Bundle)), tc.Edit)
	}
	if tc.CopyAs != "" {
		req.Cert = CopyFile(t, req.Cert, filepath.Join(dir, tc.CopyAs), nil)
	}
	return req
}

// CopyFile copies from to to, edited by edit when given, and returns to.
func CopyFile(t *testing.T, from, to string, edit func([]byte) []byte) string {
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

// Worst is the most severe result of rule (a rule judging several files
// gives one result per file).
func Worst(rs []rolecheck.Result, rule string) (rolecheck.Result, bool) {
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
