package cli

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/loopback"
	"github.com/confcert/confcert/internal/testpki"
)

// probeWrite writes data to dir/name and returns the path.
func probeWrite(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestProbeVerbEndToEnd runs the verb against real loopback servers.
func TestProbeVerbEndToEnd(t *testing.T) {
	dir := t.TempDir()
	root := testpki.Issue(t, testpki.CATemplate("E2E Root"), nil)
	inter := testpki.Issue(t, testpki.CATemplate("E2E Intermediate"), root)
	leaf := testpki.Issue(t, testpki.LeafTemplate("db.example.test"), inter)
	client := testpki.Issue(t, testpki.LeafTemplate("postgres"), inter)
	rootFile := probeWrite(t, dir, "root.pem", certio.CertificatesPEM(root.Cert))
	clientFile := probeWrite(t, dir, "client.pem", certio.CertificatesPEM(client.Cert, inter.Cert))
	ck, err := certio.PrivateKeyPEM(client.Key)
	if err != nil {
		t.Fatal(err)
	}
	clientKeyFile := probeWrite(t, dir, "client.key", ck)
	pool := x509.NewCertPool()
	pool.AddCert(root.Cert)
	full := testpki.TLSCertificate(leaf.Key, leaf.Cert, inter.Cert)
	partial := testpki.TLSCertificate(leaf.Key, leaf.Cert)
	mutual := &tls.Config{Certificates: []tls.Certificate{full}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	incomplete := loopback.Serve(t, loopback.TLS(&tls.Config{Certificates: []tls.Certificate{partial}}))
	db := loopback.Serve(t, probeSSLRequest(mutual))
	silent := loopback.Serve(t, loopback.Silent)
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"missing intermediate", []string{"--trust", rootFile, "--servername", "db.example.test", incomplete}, 1,
			[]string{"FAILURE INCOMPLETE_CHAIN", `issuer of "db.example.test"`, "0  db.example.test  E2E Intermediate"}},
		{"postgres with client certificate", []string{"--starttls", "postgres", "--trust", rootFile, "--servername",
			"db.example.test", "--client-cert", clientFile, "--client-key", clientKeyFile, db}, 0,
			[]string{"(name db.example.test, starttls postgres)", "OK: the served chain is complete"}},
		{"postgres without client certificate", []string{"--starttls", "postgres", "--trust", rootFile, "--servername",
			"db.example.test", db}, 1, []string{"FAILURE CONNECT", "--client-cert"}},
		{"silent server", []string{"--timeout", "300ms", "--trust", rootFile, silent}, 1,
			[]string{"handshake failed: no answer within 300ms"}},
		{"json of several targets", []string{"--json", "--trust", rootFile, "--servername", "db.example.test", incomplete, silent,
			"--timeout", "300ms"}, 1, []string{`"code": "INCOMPLETE_CHAIN"`, `"issuer_cn": "E2E Intermediate"`, `"ok": false`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Main(append([]string{"probe"}, tt.args...), strings.NewReader(""), &stdout, &stderr)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout.String(), stderr.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout.String())
				}
			}
		})
	}
}

// probeSSLRequest answers a PostgreSQL SSLRequest with 'S', then serves TLS.
func probeSSLRequest(cfg *tls.Config) func(net.Conn) {
	return func(c net.Conn) {
		var req [8]byte
		if _, err := io.ReadFull(c, req[:]); err != nil || binary.BigEndian.Uint32(req[4:]) != 80877103 {
			return
		}
		_, _ = c.Write([]byte{'S'})
		loopback.TLS(cfg)(c)
	}
}

// TestProbeJSONShape: every field spec probe.md fixes for --json is there,
// with its type.
func TestProbeJSONShape(t *testing.T) {
	dir := t.TempDir()
	root := testpki.Issue(t, testpki.CATemplate("JSON Root"), nil)
	leaf := testpki.Issue(t, testpki.LeafTemplate("json.example.test"), root)
	rootFile := probeWrite(t, dir, "root.pem", certio.CertificatesPEM(root.Cert))
	// A served root gives one finding (ROOT_SENT, INFO) and no failure.
	addr := loopback.Serve(t, loopback.TLS(&tls.Config{Certificates: []tls.Certificate{
		testpki.TLSCertificate(leaf.Key, leaf.Cert, root.Cert)}}))
	var stdout, stderr bytes.Buffer
	code := Main([]string{"probe", "--json", "--trust", rootFile, "--servername", "json.example.test", addr},
		strings.NewReader(""), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	var doc struct {
		Targets []map[string]any `json:"targets"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil || len(doc.Targets) != 1 {
		t.Fatalf("%v: %s", err, stdout.String())
	}
	tg := doc.Targets[0]
	for _, k := range []string{"target", "servername", "starttls", "tls_version"} {
		if _, ok := tg[k].(string); !ok {
			t.Errorf("target lacks string %q: %v", k, tg)
		}
	}
	if tg["target"] != addr || tg["servername"] != "json.example.test" || tg["ok"] != true {
		t.Errorf("target/servername/ok = %v/%v/%v", tg["target"], tg["servername"], tg["ok"])
	}
	assertJSONObjects(t, tg["chain"], 2, "subject_cn", "issuer_cn", "not_after")
	assertJSONObjects(t, tg["findings"], 1, "code", "severity", "message")
	if f := tg["findings"].([]any)[0].(map[string]any); f["code"] != "ROOT_SENT" || f["severity"] != "INFO" {
		t.Errorf("finding %v, want ROOT_SENT INFO", f)
	}
}

// assertJSONObjects checks that v is a list of n objects with string keys.
func assertJSONObjects(t *testing.T, v any, n int, keys ...string) {
	t.Helper()
	list, ok := v.([]any)
	if !ok || len(list) != n {
		t.Fatalf("want a list of %d, got %v", n, v)
	}
	for _, x := range list {
		m, _ := x.(map[string]any)
		for _, k := range keys {
			if _, ok := m[k].(string); !ok {
				t.Errorf("%v lacks string %q", x, k)
			}
		}
	}
}
