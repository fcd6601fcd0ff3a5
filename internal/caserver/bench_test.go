package caserver_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"testing"

	"golang.org/x/crypto/ocsp"

	"crypto/x509"
	"encoding/pem"

	"github.com/confcert/confcert/internal/pgtest"
)

// BenchmarkHTTPIssueAuto: issuance with automatic approval through the
// whole service, over HTTPS on loopback with keep-alive, 8 clients at once,
// every record durable (docs/performance.md, bench/serve.sh).
func BenchmarkHTTPIssueAuto(b *testing.B) {
	for _, bk := range []struct {
		name string
		url  func(b *testing.B, dir string) string
	}{
		{"sqlite", func(_ *testing.B, dir string) string { return "sqlite:" + filepath.Join(dir, "ca.db") }},
		{"postgres", func(b *testing.B, _ string) string { return pgtest.URL(b) }},
	} {
		b.Run(bk.name, func(b *testing.B) {
			dir := b.TempDir()
			e := start(b, dir, bk.url(b, dir))
			e.applyAuto(b)
			body, _ := json.Marshal(map[string]any{"csr": makeCSR(b, csrSpec{cn: "cb.example.com", sans: []string{"cb.example.com"}}), "profile": "auto-cb", "days": 90})
			b.SetParallelism(4) // 4 x GOMAXPROCS (2) = 8 clients
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if code := e.post("/api/v1/requests", e.tokens["alice"], body); code != http.StatusCreated {
						b.Errorf("submit: %d", code)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "certs/s")
		})
	}
}

// BenchmarkHTTPOCSP: OCSP answers per second over HTTPS (GET), from the
// pre-signed set, 8 clients at once.
func BenchmarkHTTPOCSP(b *testing.B) {
	e := start(b, b.TempDir(), "")
	e.applyAuto(b)
	_, r := e.submit("alice", makeCSR(b, csrSpec{cn: "o.example.com", sans: []string{"o.example.com"}}), "auto-cb", 30)
	_, leafPEM := e.call("GET", "/api/v1/certificates/"+r.Serial, "alice", nil)
	block, _ := pem.Decode(leafPEM)
	leaf, _ := x509.ParseCertificate(block.Bytes)
	ca, _ := e.svc.CACertificate(b.Context(), "")
	req, _ := ocsp.CreateRequest(leaf, ca, nil)
	path := e.base + "/api/v1/ocsp/e2eca/" + base64.StdEncoding.EncodeToString(req)
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := e.client.Get(path)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "answers/s")
}

// post sends a JSON body as a token and returns the status (safe for
// concurrent use: no testing calls).
func (e *env) post(path, token string, body []byte) int {
	req, err := http.NewRequest("POST", e.base+path, bytes.NewReader(body))
	if err != nil {
		return 0
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := e.client.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}
