package lint_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"go/build"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/lint"
	"github.com/confcert/confcert/internal/testpki"
	zx509 "github.com/zmap/zcrypto/x509"
	"github.com/zmap/zlint/v3" // this test binary only: every lint source, as before issue 15
	zl "github.com/zmap/zlint/v3/lint"
)

// The packages internal/lint imports instead of zlint's umbrella.
var imported = []string{
	"github.com/zmap/zlint/v3/lints/rfc",
	"github.com/zmap/zlint/v3/lints/community",
}

// TestOnlyTheseSourcesAreRun proves that importing the two lint packages
// selects the same lints as importing all of zlint did: with every source
// registered (this test binary imports the umbrella package), each lint of
// the RFC 5280 and community sources is defined in one of the two packages
// internal/lint imports. A zlint update that moves such a lint elsewhere
// fails here.
func TestOnlyTheseSourcesAreRun(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range imported {
		if !slices.Contains(pkg.Imports, p) {
			t.Errorf("internal/lint does not import %s", p)
		}
	}
	if slices.Contains(pkg.Imports, "github.com/zmap/zlint/v3") {
		t.Error("internal/lint imports zlint's umbrella package, which starts every lint source in every process")
	}
	reg, err := zl.GlobalRegistry().Filter(zl.FilterOptions{IncludeSources: zl.SourceList{zl.RFC5280, zl.Community}})
	if err != nil {
		t.Fatal(err)
	}
	lints := reg.CertificateLints().Lints()
	if len(lints) < 100 {
		t.Fatalf("only %d lints of the two sources registered", len(lints))
	}
	for _, l := range lints {
		pkg := reflect.TypeOf(l.Lint()).Elem().PkgPath()
		if !slices.Contains(imported, pkg) {
			t.Errorf("lint %s (source %s) is defined in %s, which internal/lint does not import", l.Name, l.Source, pkg)
		}
	}
}

// TestSameFindingsAsZlint compares lint.Run with zlint's own
// LintCertificateEx over the same two sources, on certificates that trip
// RFC 5280 and community lints and on a clean one.
func TestSameFindingsAsZlint(t *testing.T) {
	ca := testpki.Issue(t, testpki.CATemplate("Lint Compare CA"), nil)
	now := time.Now()
	certs := map[string]*x509.Certificate{
		"clean":      {Subject: pkix.Name{CommonName: "a.example.com"}, DNSNames: []string{"a.example.com"}, SubjectKeyId: []byte{1, 2, 3}},
		"no SKI":     {Subject: pkix.Name{CommonName: "a.example.com"}, DNSNames: []string{"a.example.com"}},
		"underscore": {Subject: pkix.Name{CommonName: "x"}, DNSNames: []string{"bad_name-.example.com"}, SubjectKeyId: []byte{1}},
		"no names":   {Subject: pkix.Name{Organization: []string{"Lab"}}},
		"email":      {Subject: pkix.Name{CommonName: "m"}, EmailAddresses: []string{"not an address"}},
	}
	reg, err := zl.GlobalRegistry().Filter(zl.FilterOptions{IncludeSources: zl.SourceList{zl.RFC5280, zl.Community}})
	if err != nil {
		t.Fatal(err)
	}
	for name, tmpl := range certs {
		t.Run(name, func(t *testing.T) {
			tmpl.SerialNumber = big.NewInt(7)
			tmpl.NotBefore, tmpl.NotAfter = now.Add(-time.Hour), now.AddDate(1, 0, 0)
			tmpl.KeyUsage = x509.KeyUsageDigitalSignature
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
			cert := testpki.Issue(t, tmpl, ca).Cert
			got, err := lint.Run(cert)
			if err != nil {
				t.Fatal(err)
			}
			zc, err := zx509.ParseCertificate(cert.Raw)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for n, r := range zlint.LintCertificateEx(zc, reg).Results {
				if r.Status >= zl.Warn {
					want = append(want, n+" "+r.Status.String())
				}
			}
			slices.Sort(want)
			var have []string
			for _, f := range got {
				have = append(have, f.Name+" "+f.Status)
			}
			if !slices.Equal(have, want) {
				t.Errorf("lint.Run found\n%s\nzlint found\n%s", strings.Join(have, "\n"), strings.Join(want, "\n"))
			}
			if name != "clean" && len(want) == 0 {
				t.Errorf("certificate %q trips no lint: the comparison shows nothing", name)
			}
		})
	}
}
