package lint

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/testpki"
)

// makeCert issues a server certificate for names (the first is the CN) with
// subjectKeyIdentifier ski (none when nil) under a throwaway CA.
func makeCert(t *testing.T, ski []byte, names []string) *x509.Certificate {
	t.Helper()
	ca := testpki.Issue(t, testpki.CATemplate("Lint Test CA"), nil)
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(0xbeef), Subject: pkix.Name{CommonName: names[0]}, DNSNames: names,
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(0, 6, 0), SubjectKeyId: ski,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	return testpki.Issue(t, tmpl, ca).Cert
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
