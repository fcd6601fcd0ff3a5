package cli

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/testpki"
)

// fetchCert issues cn under parent (self-signed when parent is nil) with
// aiaURL, when given, as its caIssuers URL. Every certificate but
// leaf.example.com is a CA.
func fetchCert(t *testing.T, cn string, parent *testpki.Issued, aiaURL string) *testpki.Issued {
	t.Helper()
	tmpl := testpki.CATemplate(cn)
	if cn == "leaf.example.com" {
		tmpl = testpki.LeafTemplate(cn)
	}
	if aiaURL != "" {
		tmpl.IssuingCertificateURL = []string{aiaURL}
	}
	return testpki.Issue(t, tmpl, parent)
}

// TestBundleFetch completes a chain from AIA caIssuers URLs served by a
// local HTTP server: the intermediate as PKCS#7, the root as DER.
func TestBundleFetch(t *testing.T) {
	served := map[string][]byte{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := served[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	defer srv.Close()
	root := fetchCert(t, "Fetched Root", nil, "")
	inter := fetchCert(t, "Fetched Intermediate", root, srv.URL+"/root.cer")
	leaf := fetchCert(t, "leaf.example.com", inter, srv.URL+"/inter.p7c")
	p7, err := certio.EncodePKCS7(inter.Cert)
	if err != nil {
		t.Fatal(err)
	}
	served["/root.cer"], served["/inter.p7c"] = root.Cert.Raw, p7

	dir := t.TempDir()
	leafPath := filepath.Join(dir, "leaf.pem")
	if err := os.WriteFile(leafPath, certio.CertificatesPEM(leaf.Cert), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "full.pem")
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"bundle", "--layout", "fullchain", "-o", out, leafPath}, nil, &stdout, &stderr); code != exitNo {
		t.Fatalf("without --fetch: exit %d, want 1\n%s", code, &stderr)
	}
	stderr.Reset()
	if code := Main([]string{"bundle", "--layout", "fullchain", "--fetch", "-o", out, leafPath}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("with --fetch: exit %d\n%s", code, &stderr)
	}
	for _, want := range []string{"fetched 1 certificate(s) from " + srv.URL + "/inter.p7c", "3. root         Fetched Root"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, &stderr)
		}
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := certio.CertificatesPEM(leaf.Cert, inter.Cert, root.Cert); !bytes.Equal(got, want) {
		t.Errorf("fullchain differs from leaf, fetched intermediate, fetched root")
	}
}

// TestBundleFetchFailurePrinted: when --fetch cannot complete the chain, the
// refusal says why each fetch failed (issue 11 item 9), not only that the
// issuer is missing.
func TestBundleFetchFailurePrinted(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	root := fetchCert(t, "Fetched Root", nil, "")
	leaf := fetchCert(t, "leaf.example.com", root, srv.URL+"/gone.cer")
	dir := t.TempDir()
	leafPath := filepath.Join(dir, "leaf.pem")
	if err := os.WriteFile(leafPath, certio.CertificatesPEM(leaf.Cert), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"bundle", "--fetch", leafPath}, nil, &stdout, &stderr); code != exitNo {
		t.Fatalf("exit %d, want 1\n%s", code, &stderr)
	}
	if !strings.Contains(stderr.String(), "hint: --fetch: could not fetch the issuer of \"leaf.example.com\"") ||
		!strings.Contains(stderr.String(), srv.URL+"/gone.cer") {
		t.Errorf("stderr does not say why the fetch failed:\n%s", &stderr)
	}
}
