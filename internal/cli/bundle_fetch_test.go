package cli

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/certio"
)

// fetchCA is one certificate of the --fetch fixture with its key.
type fetchCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func fetchCert(t *testing.T, cn string, parent *fetchCA, aiaURL string) *fetchCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
		BasicConstraintsValid: true, IsCA: cn != "leaf.example.com",
	}
	if aiaURL != "" {
		tmpl.IssuingCertificateURL = []string{aiaURL}
	}
	signer, signerKey := tmpl, key
	if parent != nil {
		signer, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, key.Public(), signerKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &fetchCA{cert: c, key: key}
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
	p7, err := certio.EncodePKCS7(inter.cert)
	if err != nil {
		t.Fatal(err)
	}
	served["/root.cer"], served["/inter.p7c"] = root.cert.Raw, p7

	dir := t.TempDir()
	leafPath := filepath.Join(dir, "leaf.pem")
	if err := os.WriteFile(leafPath, certio.CertificatesPEM(leaf.cert), 0o644); err != nil {
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
	if want := certio.CertificatesPEM(leaf.cert, inter.cert, root.cert); !bytes.Equal(got, want) {
		t.Errorf("fullchain differs from leaf, fetched intermediate, fetched root")
	}
}
