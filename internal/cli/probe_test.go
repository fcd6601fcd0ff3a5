package cli

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// probeCert issues a P-256 certificate for cn (self-signed when parent is
// nil) and returns it with its key.
func probeCert(t *testing.T, cn string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, ca bool) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0), IsCA: ca,
		BasicConstraintsValid: true, DNSNames: []string{cn}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, key
}

// probeListen serves handle on a loopback port until the test ends.
func probeListen(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
				handle(conn)
			}()
		}
	}()
	return ln.Addr().String()
}

func probeWritePEM(t *testing.T, dir, name, typ string, ders ...[]byte) string {
	t.Helper()
	var data []byte
	for _, d := range ders {
		data = append(data, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: d})...)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestProbeVerbEndToEnd runs the verb against real loopback servers.
func TestProbeVerbEndToEnd(t *testing.T) {
	dir := t.TempDir()
	root, rootKey := probeCert(t, "E2E Root", nil, nil, true)
	inter, interKey := probeCert(t, "E2E Intermediate", root, rootKey, true)
	leaf, leafKey := probeCert(t, "db.example.test", inter, interKey, false)
	client, clientKey := probeCert(t, "postgres", inter, interKey, false)
	rootFile := probeWritePEM(t, dir, "root.pem", "CERTIFICATE", root.Raw)
	clientFile := probeWritePEM(t, dir, "client.pem", "CERTIFICATE", client.Raw, inter.Raw)
	ck, _ := x509.MarshalPKCS8PrivateKey(clientKey)
	clientKeyFile := probeWritePEM(t, dir, "client.key", "PRIVATE KEY", ck)
	pool := x509.NewCertPool()
	pool.AddCert(root)
	full := tls.Certificate{Certificate: [][]byte{leaf.Raw, inter.Raw}, PrivateKey: leafKey}
	partial := tls.Certificate{Certificate: [][]byte{leaf.Raw}, PrivateKey: leafKey}
	mutual := &tls.Config{Certificates: []tls.Certificate{full}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	incomplete := probeListen(t, probeTLS(&tls.Config{Certificates: []tls.Certificate{partial}}))
	db := probeListen(t, probeSSLRequest(mutual))
	silent := probeListen(t, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
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

func probeTLS(cfg *tls.Config) func(net.Conn) {
	return func(c net.Conn) {
		tc := tls.Server(c, cfg)
		if tc.Handshake() == nil {
			_, _ = io.Copy(io.Discard, tc)
		}
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
		probeTLS(cfg)(c)
	}
}

// TestProbeJSONShape: every field spec probe.md fixes for --json is there,
// with its type.
func TestProbeJSONShape(t *testing.T) {
	dir := t.TempDir()
	root, rootKey := probeCert(t, "JSON Root", nil, nil, true)
	leaf, leafKey := probeCert(t, "json.example.test", root, rootKey, false)
	rootFile := probeWritePEM(t, dir, "root.pem", "CERTIFICATE", root.Raw)
	// A served root gives one finding (ROOT_SENT, INFO) and no failure.
	addr := probeListen(t, probeTLS(&tls.Config{Certificates: []tls.Certificate{{
		Certificate: [][]byte{leaf.Raw, root.Raw}, PrivateKey: leafKey}}}))
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
