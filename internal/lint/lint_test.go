package lint

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"slices"
	"testing"
	"time"
)

func makeCert(t *testing.T, ski []byte, names []string) *x509.Certificate {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Lint Test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(0xbeef), Subject: pkix.Name{CommonName: names[0]}, DNSNames: names,
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(0, 6, 0), SubjectKeyId: ski,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRun(t *testing.T) {
	tests := []struct {
		name     string
		ski      []byte
		names    []string
		wantLint string // "" = no finding expected
	}{
		// No AIA, no certificate policies: CA/B Forum lints (e_sub_cert_aia_missing,
		// ...) would fire; that none does shows they are filtered out.
		{"clean", []byte{1, 2, 3, 4}, []string{"a.example.com"}, ""},
		{"no SKI", nil, []string{"a.example.com"}, "w_ext_subject_key_identifier_missing_sub_cert"},
		{"bad DNS name", []byte{1, 2, 3, 4}, []string{"bad_name-.example.com"}, "w_rfc_dnsname_underscore_in_trd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Run(makeCert(t, tt.ski, tt.names))
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, f := range got {
				names = append(names, f.Name)
				if f.Message == "" || f.Status == "" {
					t.Errorf("finding %s has no message or status", f.Name)
				}
			}
			if tt.wantLint == "" && len(got) != 0 {
				t.Fatalf("want no findings, got %v", got)
			}
			if tt.wantLint != "" && !slices.Contains(names, tt.wantLint) {
				t.Fatalf("want %s among %v", tt.wantLint, names)
			}
		})
	}
}
