package cwms_test

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/product"
	"github.com/confcert/confcert/internal/rolecheck"
	"github.com/confcert/confcert/internal/testpki"
)

// Issue 10 item 1 ("Building the CWMS certificate bundle", Cisco Community:
// an externally made private key goes at the very top of the bundle):
// confcert always makes the key outside CWMS, so every upload bundle holds
// it by default; key_in_bundle: false in the file, or --no-key-in-bundle for
// one run, leaves it out.
func TestCWMSKeyInBundleByDefault(t *testing.T) {
	tests := []struct {
		name    string
		extra   string
		flag    product.Flag
		wantKey bool
		runFlag string
	}{
		{"default", "", product.Flag{}, true, ""},
		{"file says no", "key_in_bundle: false", product.Flag{}, false, ""},
		{"flag overrides the default", "", product.Off, false, "--no-key-in-bundle"},
		{"flag overrides the file", "key_in_bundle: false", product.On, true, "--key-in-bundle"},
		{"flag agrees with the file", "key_in_bundle: false", product.Off, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := planOf(t, dualYAML("2.5MR5", "true", "internal_ca: cwmsca\n"+tt.extra), catalog.Options{KeyInBundle: tt.flag})
			for _, name := range []string{"dc1-external-bundle", "dc2-internal-bundle"} {
				if b := bundleNamed(p, name); b == nil || b.Key != tt.wantKey {
					t.Errorf("%s: %+v, want key %v", name, b, tt.wantKey)
				}
			}
			if tt.runFlag == "" && len(p.RunFlags) > 0 || tt.runFlag != "" && !slices.Contains(p.RunFlags, tt.runFlag) {
				t.Errorf("run flags %q, want %q", p.RunFlags, tt.runFlag)
			}
			if tt.runFlag != "" && !hasWarning(p, tt.runFlag+" overrides the deployment file (key_in_bundle") {
				t.Errorf("the override is not said: %q", p.Warnings)
			}
		})
	}
}

// Issue 10 item 13: pfx: true in the deployment file sticks; --pfx=false
// overrides it for one run and says so.
func TestCWMSPFXInDeploymentFile(t *testing.T) {
	y := dualYAML("2.5MR5", "true", "internal_ca: cwmsca\npfx: true")
	if c := certNamed(t, planOf(t, y, catalog.Options{}), "dc1-internal"); c.Files.PFX != "dc1-internal.pfx" {
		t.Errorf("pfx: true planned no .pfx: %+v", c.Files)
	}
	p := planOf(t, y, catalog.Options{PFX: product.Off})
	if c := certNamed(t, p, "dc1-internal"); c.Files.PFX != "" || !slices.Contains(p.RunFlags, "--pfx=false") {
		t.Errorf("--pfx=false: files %+v, run flags %q", c.Files, p.RunFlags)
	}
}

// Issue 10 item 2 (A TOI for CWMS SSL Certificates, "CN Requirement for
// Secure Audio Conferencing"): before 2.5MR5 a wildcard with two data
// centres and secure audio gives both certificates one CN, which Unified CM
// takes for one certificate: refused at plan time.
func TestCWMSWildcardSecureAudioRefusedBeforeMR5(t *testing.T) {
	de := problemsOf(t, dualYAML("2.5", "true", "style: wildcard"))
	if !strings.Contains(de.Error(), "test.yaml:4: style wildcard with two data centres and secure_audio") {
		t.Errorf("problems:\n%v", de)
	}
	planOf(t, dualYAML("2.5", "false", "style: wildcard"), catalog.Options{})
}

// Issue 10 item 2 (A TOI for CWMS SSL Certificates, "From CWMS 2.5 MR5"):
// the wildcard shapes the external certificates only; the internal CN stays
// each data centre's admin URL, so secure audio keeps distinct CNs.
func TestCWMSWildcardMR5ShapesExternalOnly(t *testing.T) {
	p := planOf(t, dualYAML("2.5MR5", "true", "style: wildcard\ninternal_ca: cwmsca"), catalog.Options{})
	for _, dc := range []string{"dc1", "dc2"} {
		if c := certNamed(t, p, dc+"-external"); c.CN != "*.example.com" {
			t.Errorf("%s-external CN %s", dc, c.CN)
		}
		if c := certNamed(t, p, dc+"-internal"); c.CN != dc+"-admin.example.com" {
			t.Errorf("%s-internal CN %s, want the admin URL", dc, c.CN)
		}
	}
}

// pki is a root, an intermediate and a leaf for the check tests.
type pki struct {
	root, inter, leaf *testpki.Issued
}

func newPKI(t *testing.T) pki {
	root := testpki.Issue(t, testpki.CATemplate("Test Root"), nil)
	inter := testpki.Issue(t, testpki.CATemplate("Test Issuing CA"), root)
	leaf := testpki.Issue(t, testpki.LeafTemplate("meet.example.com"), inter)
	return pki{root, inter, leaf}
}

func writePEM(t *testing.T, dir, name string, key bool, x pki, certs ...*x509.Certificate) string {
	t.Helper()
	var data []byte
	if key {
		k, err := certio.PrivateKeyPEM(x.leaf.Key)
		if err != nil {
			t.Fatal(err)
		}
		data = k
	}
	data = append(data, certio.CertificatesPEM(certs...)...)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func ruleOf(t *testing.T, req rolecheck.Request, id string) rolecheck.Result {
	t.Helper()
	chk, err := catalog.Roles().Run(req, rolecheck.Options{NoLints: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range chk.Results {
		if r.Rule == id {
			return r
		}
	}
	t.Fatalf("no %s result in %+v", id, chk.Results)
	return rolecheck.Result{}
}

// Issue 10 item 11 ("Building the CWMS certificate bundle": mobile clients
// need the full chain): check --role cwms-* fails a bundle whose chain stops
// short of the trust anchor, naming the missing issuer (CWMS-CHAIN).
func TestCWMSCheckFailsIncompleteChain(t *testing.T) {
	x, dir := newPKI(t), t.TempDir()
	trust := writePEM(t, dir, "root.pem", false, x, x.root.Cert)
	full := writePEM(t, dir, "full.pem", false, x, x.inter.Cert, x.leaf.Cert)
	short := writePEM(t, dir, "short.pem", false, x, x.leaf.Cert)
	for _, tt := range []struct {
		file string
		want rolecheck.Severity
	}{{full, rolecheck.Success}, {short, rolecheck.Failure}} {
		r := ruleOf(t, rolecheck.Request{Role: "cwms-external", Cert: tt.file, Trust: trust, Version: "2.6"}, "CWMS-CHAIN")
		if r.Severity != tt.want {
			t.Errorf("%s: %+v, want %s", filepath.Base(tt.file), r, tt.want)
		}
		if tt.want == rolecheck.Failure && !strings.Contains(r.Message, "Test Issuing CA") {
			t.Errorf("the missing issuer is not named: %s", r.Message)
		}
	}
}

// Issue 10 item 1: check --role cwms-* with the key the plan made fails a
// bundle that lacks it at the top ("Building the CWMS certificate bundle":
// the key ALWAYS at the VERY TOP) (CWMS-KEY-MISSING).
func TestCWMSCheckFailsBundleWithoutKey(t *testing.T) {
	x, dir := newPKI(t), t.TempDir()
	keyFile := writePEM(t, dir, "leaf.key", true, x)
	with := writePEM(t, dir, "with.pem", true, x, x.inter.Cert, x.leaf.Cert)
	without := writePEM(t, dir, "without.pem", false, x, x.inter.Cert, x.leaf.Cert)
	for _, tt := range []struct {
		file string
		want rolecheck.Severity
	}{{with, rolecheck.Success}, {without, rolecheck.Failure}} {
		r := ruleOf(t, rolecheck.Request{Role: "cwms-external", Cert: tt.file, Key: keyFile, Version: "2.6"}, "CWMS-KEY-MISSING")
		if r.Severity != tt.want {
			t.Errorf("%s: %+v, want %s", filepath.Base(tt.file), r, tt.want)
		}
	}
}
