package apply

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"os"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/plan"
)

// Cisco Meeting Server Certificate Guidelines 2.9, §1.2.3 and §4.8 cautions;
// spec plan.md CMS rule 6 ("a dedicated CA created for this cluster only"):
// an existing CA that no cluster record names is refused as a database CA
// when it has signed anything but this cluster's dbserver and dbclient, such
// as another deployment's internal CA; a CA that signed nothing, or only
// this cluster's certificates, is taken. Nothing is written on refusal.
func TestDatabaseCAMustNotHaveSignedOtherCertificates(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, e *env) string // makes the CA, returns its name
		wantErr string
	}{
		{"another deployment's internal CA", func(t *testing.T, e *env) string {
			e.run(loadExample(t, "cms-3node-lab.yaml", catalog.Options{}))
			return "podca"
		}, "local CA podca has already signed certificates outside the database cluster pod9.cms.lab"},
		{"a CA that signed nothing yet", func(t *testing.T, e *env) string {
			ensureCA(t, e, "freshca")
			return "freshca"
		}, ""},
		{"a CA that signed only this cluster's client certificate", func(t *testing.T, e *env) string {
			a := ensureCA(t, e, "olddbca")
			if _, err := a.Sign(context.Background(), csrFor(t, "postgres"), SignRequest{ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, Days: 30, Now: e.now}); err != nil {
				t.Fatal(err)
			}
			return "olddbca"
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			dbca := tt.prepare(t, e)
			other := otherCluster(t, dbca)
			o := e.options(e.now)
			o.Dir = t.TempDir()
			_, err := Run(context.Background(), other, o)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "§4.8") {
				t.Fatalf("want %q, got %v", tt.wantErr, err)
			}
			entries, _ := os.ReadDir(o.Dir)
			for _, en := range entries {
				if !strings.HasPrefix(en.Name(), ".") { // the directory's lock file is no output
					t.Errorf("%s written before the refusal", en.Name())
				}
			}
		})
	}
}

// otherCluster is the 3-node lab as another pod: its own internal CA and
// cluster, and dbca as its database CA.
func otherCluster(t *testing.T, dbca string) *plan.Plan {
	t.Helper()
	p := loadExample(t, "cms-3node-lab.yaml", catalog.Options{})
	rename := map[string]string{}
	for i := range p.CAs {
		old := p.CAs[i].Name
		if p.CAs[i].Cluster != "" {
			p.CAs[i].Name, p.CAs[i].Cluster = dbca, "pod9.cms.lab: cms9a.pod9.cms.lab, cms9b.pod9.cms.lab"
		} else {
			p.CAs[i].Name = "pod9ca"
		}
		rename[old] = p.CAs[i].Name
	}
	for _, c := range p.Certificates {
		if n, ok := rename[c.Signer]; ok {
			c.Signer = n
		}
	}
	return p
}

func ensureCA(t *testing.T, e *env, name string) Authority {
	t.Helper()
	a, _, err := StoreCAs(e.store, e.now).Ensure(context.Background(), name, "ecdsa-p256")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func csrFor(t *testing.T, cn string) *x509.CertificateRequest {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: cn}}, k)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		t.Fatal(err)
	}
	return csr
}
