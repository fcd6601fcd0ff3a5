package aia

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/testpki"
)

// selfSigned is a self-signed CA certificate for cn with urls as its
// caIssuers URLs.
func selfSigned(t *testing.T, cn string, urls ...string) *x509.Certificate {
	t.Helper()
	tmpl := testpki.CATemplate(cn)
	tmpl.IssuingCertificateURL = urls
	return testpki.Issue(t, tmpl, nil).Cert
}

func TestIssuers(t *testing.T) {
	issuer := selfSigned(t, "Issuing CA")
	p7, err := certio.EncodePKCS7(issuer)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/ca.der", func(w http.ResponseWriter, _ *http.Request) { w.Write(issuer.Raw) })
	mux.HandleFunc("/ca.p7c", func(w http.ResponseWriter, _ *http.Request) { w.Write(p7) })
	mux.HandleFunc("/ca.pem", func(w http.ResponseWriter, _ *http.Request) { w.Write(certio.CertificatesPEM(issuer)) })
	mux.HandleFunc("/big", func(w http.ResponseWriter, _ *http.Request) { w.Write(make([]byte, 4096)) })
	mux.HandleFunc("/junk", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("hello")) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := Fetcher{Timeout: 300 * time.Millisecond, MaxBytes: 2048}
	tests := []struct {
		name    string
		paths   []string
		want    int
		wantErr string
	}{
		{name: "DER", paths: []string{"/ca.der"}, want: 1},
		{name: "PKCS#7", paths: []string{"/ca.p7c"}, want: 1},
		{name: "PEM", paths: []string{"/ca.pem"}, want: 1},
		{name: "one good of two", paths: []string{"/missing", "/ca.der"}, want: 1},
		{name: "not found", paths: []string{"/missing"}, wantErr: "404"},
		{name: "too large", paths: []string{"/big"}, wantErr: "larger than 2048 bytes"},
		{name: "not a certificate", paths: []string{"/junk"}, wantErr: "/junk"},
		{name: "timeout", paths: []string{"/slow"}, wantErr: "deadline exceeded"},
		{name: "ldap", wantErr: "not an http URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var urls []string
			for _, p := range tt.paths {
				urls = append(urls, srv.URL+p)
			}
			if tt.name == "ldap" {
				urls = []string{"ldap://ldap.example.com/cn=ca"}
			}
			got, err := f.Issuers(context.Background(), selfSigned(t, "leaf", urls...))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want || !got[0].Certificates[0].Equal(issuer) {
				t.Errorf("got %d results, want %d holding the issuer", len(got), tt.want)
			}
		})
	}
}

func TestIssuersNoURL(t *testing.T) {
	if _, err := (Fetcher{}).Issuers(context.Background(), selfSigned(t, "leaf")); !errors.Is(err, ErrNoURL) {
		t.Errorf("err = %v, want ErrNoURL", err)
	}
}
