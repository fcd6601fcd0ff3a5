package expiry

import (
	"context"
	"crypto/x509"
	"path/filepath"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/testpki"
)

// TestNextRenewalDue: a certificate from a public root renewed on either
// side of a change of the public-CA calendar gets the limit of that day; one
// from a private root keeps its lifetime (package publicca).
func TestNextRenewalDue(t *testing.T) {
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	root := func(cn string) *testpki.Issued {
		tmpl := testpki.CATemplate(cn)
		tmpl.NotBefore, tmpl.NotAfter = day("2020-01-01"), day("2040-01-01")
		return testpki.Issue(t, tmpl, nil)
	}
	pub, priv := root("Public Root"), root("Private Root")
	tests := []struct {
		name     string
		ca       *testpki.Issued
		notAfter string
		days     int
		public   bool
		want     string
	}{
		{"public, renewed the day before 200", pub, "2026-04-13", 397, true, "2027-03-16"},
		{"public, renewed the day 200 starts", pub, "2026-04-14", 397, true, "2026-09-01"},
		{"public, renewed the day before 100", pub, "2027-04-13", 200, true, "2027-08-31"},
		{"public, renewed the day 100 starts", pub, "2027-04-14", 200, true, "2027-05-24"},
		{"public, renewed the day 47 starts", pub, "2029-04-14", 100, true, "2029-04-01"},
		{"private keeps its lifetime", priv, "2029-04-14", 730, false, "2031-02-13"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ca := tt.ca
			tmpl := testpki.LeafTemplate("edge.example.com")
			tmpl.NotAfter = day(tt.notAfter)
			tmpl.NotBefore = tmpl.NotAfter.AddDate(0, 0, -tt.days)
			leaf := testpki.Issue(t, tmpl, ca)
			path := filepath.Join(t.TempDir(), "edge.pem")
			write(t, path, certio.CertificatesPEM(leaf.Cert, ca.Cert))
			roots := []*x509.Certificate{}
			if tt.public {
				roots = append(roots, ca.Cert)
			}
			r, err := Scan(context.Background(), []string{path}, Options{Now: day("2026-01-01"), WithinDays: 30,
				SystemRoots: func() ([]*x509.Certificate, error) { return roots, nil }})
			if err != nil {
				t.Fatal(err)
			}
			var got *Item
			for i := range r.Items {
				if r.Items[i].SubjectCN == "edge.example.com" {
					got = &r.Items[i]
				}
			}
			if got == nil || got.Public != tt.public || got.NextRenewalDue.Format(time.DateOnly) != tt.want {
				t.Fatalf("got %+v, want public %v, next renewal due %s", got, tt.public, tt.want)
			}
			for _, it := range r.Items {
				if it.SubjectCN != "edge.example.com" && !it.NextRenewalDue.IsZero() {
					t.Errorf("a CA certificate has a next renewal date: %+v", it)
				}
			}
		})
	}
}
