package apply

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/certgen"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/localca"
	"github.com/confcert/confcert/internal/openssltest"
	"github.com/confcert/confcert/internal/plan"
)

const capfDeployment = `product: cucm
version: "15"
domain: example.com
internal_ca: collabca
publisher: cucm-pub.example.com
subscribers: [cucm-sub1.example.com]
mixed_mode: true
certificates: [capf]
`

func capfPlan(t *testing.T) *plan.Plan {
	t.Helper()
	p, err := catalog.Parse("capf.yaml", []byte(capfDeployment), catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// capfCSR writes the CSR the publisher makes for CAPF, as CAPF.csr: an RSA
// key, the names given, and the extensions it asks for, here CA:TRUE with
// pathlen 5 to prove the CA does not follow them.
func capfCSR(t *testing.T, cn string, sans []string) (string, *rsa.PrivateKey) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	bc, err := asn1.Marshal(struct {
		IsCA    bool
		PathLen int
	}{true, 5})
	if err != nil {
		t.Fatal(err)
	}
	ku, err := asn1.Marshal(asn1.BitString{Bytes: []byte{0x84}, BitLength: 6}) // digitalSignature, keyCertSign
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject:  pkix.Name{CommonName: cn, OrganizationalUnit: []string{"Collab"}, Organization: []string{"Example"}, Country: []string{"GB"}},
		DNSNames: sans,
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 19}, Critical: true, Value: bc},
			{Id: asn1.ObjectIdentifier{2, 5, 29, 15}, Critical: true, Value: ku}},
	}, key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "CAPF.csr"), certio.CSRPEM(der), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, key
}

// TestCAPFRefusedCSR: a CAPF CSR whose names do not match the plan is
// refused, as for the other Unified CM types, and nothing is signed.
func TestCAPFRefusedCSR(t *testing.T) {
	tests := []struct {
		name, cn string
		sans     []string
		want     string
	}{
		{"another CN", "cucm-sub1.example.com", []string{"cucm-sub1.example.com"}, "no planned certificate"},
		{"publisher not a SAN", "cucm-pub.example.com", []string{"cucm-sub1.example.com"}, "lacks the planned names"},
		{"wildcard", "cucm-pub.example.com", []string{"cucm-pub.example.com", "*.example.com"}, "wildcard"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			dir, _ := capfCSR(t, tt.cn, tt.sans)
			res := e.run(capfPlan(t), func(o *Options) { o.Import = []string{dir} })
			if len(res.Unmatched) != 1 || !strings.Contains(res.Unmatched[0], tt.want) {
				t.Errorf("unmatched %v, want one with %q", res.Unmatched, tt.want)
			}
			if _, err := os.Stat(e.path("cucm-pub-capf.crt")); err == nil {
				t.Error("a refused CAPF CSR was signed")
			}
		})
	}
}

// TestCAPFSigned: the CAPF CSR brought back is signed by the internal CA as
// a subordinate CA: CA:TRUE, pathlen 0 (though the CSR asks pathlen 5),
// digitalSignature and keyCertSign, serverAuth and clientAuth (15), within
// the CA's validity, as openssl reads and verifies it. A phone's LSC it
// signs verifies to the internal CA (openssl and Go); one level more does
// not. A rerun does nothing and --check finds nothing.
func TestCAPFSigned(t *testing.T) {
	e := newEnv(t)
	dir, capfKey := capfCSR(t, "cucm-pub.example.com", []string{"cucm-pub.example.com"})
	res := e.run(capfPlan(t), func(o *Options) { o.Import = []string{dir} })
	if len(res.Unmatched) != 0 {
		t.Fatalf("unmatched: %v", res.Unmatched)
	}
	text := openssltest.Run(t, e.dir, "x509", "-noout", "-text", "-in", "cucm-pub-capf.crt")
	for _, w := range []string{"X509v3 Basic Constraints: critical\n                CA:TRUE, pathlen:0",
		"X509v3 Key Usage: critical\n                Digital Signature, Certificate Sign\n",
		"TLS Web Server Authentication, TLS Web Client Authentication", "Subject: C = GB, O = Example, OU = Collab, CN = cucm-pub.example.com",
		"DNS:cucm-pub.example.com"} {
		if !strings.Contains(text, w) {
			t.Errorf("openssl x509 -text lacks %q:\n%s", w, text)
		}
	}
	if strings.Contains(text, "CRL Sign") || strings.Contains(text, "pathlen:5") {
		t.Errorf("the CSR's asks or cRLSign were granted:\n%s", text)
	}
	if out := openssltest.Run(t, e.dir, "verify", "-CAfile", "collabca.pem", "cucm-pub-capf.crt"); !strings.Contains(out, ": OK") {
		t.Error(out)
	}
	root, capf := readPEMCert(t, e.path("collabca.pem")), readPEMCert(t, e.path("cucm-pub-capf.crt"))
	if capf.NotAfter.After(root.NotAfter) || capf.NotBefore.Before(root.NotBefore) {
		t.Errorf("CAPF valid %s to %s, outside the CA's %s to %s", capf.NotBefore, capf.NotAfter, root.NotBefore, root.NotAfter)
	}
	checkBelowCAPF(t, e, root, capf, capfKey)
	if again := e.run(capfPlan(t), func(o *Options) { o.Import = []string{dir} }); !again.NothingToDo() {
		t.Errorf("second import: %+v", again.Changes)
	}
	if probs := e.check(capfPlan(t), e.now); len(probs) != 0 {
		t.Errorf("check: %+v", probs)
	}
}

// checkBelowCAPF: an LSC the CAPF signs verifies; a certificate one level
// below a CA the CAPF signed is refused for its path length.
func checkBelowCAPF(t *testing.T, e *env, root, capf *x509.Certificate, capfKey *rsa.PrivateKey) {
	t.Helper()
	lscKey, err := keys.Generate(keys.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	csrDER, err := certgen.CSR(lscKey, certgen.Request{Subject: pkix.Name{CommonName: "CP-8865-SEP001122334455"}})
	if err != nil {
		t.Fatal(err)
	}
	csr, err := x509.ParseCertificateRequest(csrDER)
	if err != nil {
		t.Fatal(err)
	}
	lsc, err := certgen.Sign(csr, capf, capfKey, certgen.SignOptions{Days: 365, Now: e.now})
	if err != nil {
		t.Fatalf("the CAPF cannot sign an LSC: %v", err)
	}
	// A CA the CAPF signed against its constraint, and a leaf below it.
	rogue := signRaw(t, &x509.Certificate{Subject: pkix.Name{CommonName: "rogue CA"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}, capf, lscKey.Public(), capfKey)
	second := signRaw(t, &x509.Certificate{Subject: pkix.Name{CommonName: "second"}}, rogue, lscKey.Public(), lscKey)
	writePEMCerts(t, e.path("lsc.pem"), lsc)
	writePEMCerts(t, e.path("second.pem"), second)
	writePEMCerts(t, e.path("below.pem"), rogue, capf)
	if out := openssltest.Run(t, e.dir, "verify", "-CAfile", "collabca.pem", "-untrusted", "cucm-pub-capf.crt", "lsc.pem"); !strings.Contains(out, "lsc.pem: OK") {
		t.Errorf("openssl: the LSC does not verify: %s", out)
	}
	out, err := exec.Command("openssl", "verify", "-CAfile", e.path("collabca.pem"), "-untrusted", e.path("below.pem"), e.path("second.pem")).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "path length constraint exceeded") {
		t.Errorf("openssl took a second level below the CAPF: %v\n%s", err, out)
	}
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(root)
	inter.AddCert(capf)
	opts := x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: e.now.Add(time.Hour), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}
	if _, err := lsc.Verify(opts); err != nil {
		t.Errorf("Go: the LSC does not verify: %v", err)
	}
	inter.AddCert(rogue)
	if _, err := second.Verify(opts); err == nil || !strings.Contains(err.Error(), "path length constraint") {
		t.Errorf("Go took a second level below the CAPF: %v", err)
	}
}

// signRaw signs tmpl with signer as parent, bypassing certgen's rules, as a
// CAPF that broke its constraint would.
func signRaw(t *testing.T, tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) *x509.Certificate {
	t.Helper()
	tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	tmpl.NotBefore, tmpl.NotAfter = parent.NotBefore, parent.NotAfter
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func readPEMCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	f, err := certio.ReadFile(path, certio.Options{})
	if err != nil || len(f.Objects) == 0 || f.Objects[0].Certificate == nil {
		t.Fatalf("%s: %v", path, err)
	}
	return f.Objects[0].Certificate
}

func writePEMCerts(t *testing.T, path string, certs ...*x509.Certificate) {
	t.Helper()
	if err := os.WriteFile(path, certio.CertificatesPEM(certs...), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestSubordinateSigner: a subordinate CA is signed by a local CA only: a
// self-signed one is refused before anything is written.
func TestSubordinateSigner(t *testing.T) {
	e := newEnv(t)
	c := cert("lab-ca", "lab.example.com", plan.SignerSelf, []string{"lab.example.com"}, "serverAuth")
	c.SubordinateCA = true
	p := &plan.Plan{Product: "cms", Certificates: []*plan.Certificate{c}}
	_, err := Run(t.Context(), p, e.options(e.now))
	if !errors.Is(err, ErrSubordinateSigner) {
		t.Errorf("got %v, want ErrSubordinateSigner", err)
	}
	if _, err := os.Stat(e.path("lab-ca.crt")); err == nil {
		t.Error("a self-signed subordinate CA was written")
	}
}

// TestCADiff: a planned subordinate CA must be CA:TRUE with pathlen 0 and
// the planned key usage; a certificate planned as none must not be a CA.
func TestCADiff(t *testing.T) {
	sub := &plan.Certificate{SubordinateCA: true, KeyUsage: []string{"digitalSignature", "keyCertSign"}}
	leaf := &plan.Certificate{KeyUsage: []string{"digitalSignature"}}
	ku := x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign
	tests := []struct {
		name string
		c    *plan.Certificate
		x    x509.Certificate
		want string
	}{
		{"subordinate", sub, x509.Certificate{IsCA: true, MaxPathLenZero: true, KeyUsage: ku}, ""},
		{"no path length", sub, x509.Certificate{IsCA: true, MaxPathLen: -1, KeyUsage: ku}, "pathLenConstraint 0"},
		{"path length 5", sub, x509.Certificate{IsCA: true, MaxPathLen: 5, KeyUsage: ku}, "pathLenConstraint 0"},
		{"not a CA", sub, x509.Certificate{KeyUsage: ku}, "not a CA"},
		{"cRLSign too", sub, x509.Certificate{IsCA: true, MaxPathLenZero: true, KeyUsage: ku | x509.KeyUsageCRLSign}, "key usage changed"},
		{"leaf", leaf, x509.Certificate{KeyUsage: x509.KeyUsageDigitalSignature}, ""},
		{"leaf that is a CA", leaf, x509.Certificate{IsCA: true, KeyUsage: ku}, "is a CA certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := caDiff(tt.c, &tt.x)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("caDiff = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestCAPFSignedAsLeafReported: a CAPF certificate the internal CA signed as
// an end entity (as `confcert ca sign` of its CSR makes it: CA:FALSE, no
// keyCertSign) is reported by --check and replaced by the next run with a
// subordinate CA; that one is then left alone by the run after.
func TestCAPFSignedAsLeafReported(t *testing.T) {
	e := newEnv(t)
	dir, _ := capfCSR(t, "cucm-pub.example.com", []string{"cucm-pub.example.com"})
	e.run(capfPlan(t), func(o *Options) { o.Import = []string{dir} })
	csr, err := readCSR(e.path("cucm-pub-capf.csr"))
	if err != nil || csr == nil {
		t.Fatalf("cucm-pub-capf.csr: %v", err)
	}
	ca, err := localca.Load(t.Context(), e.store, "collabca")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Sign(t.Context(), csr, certgen.SignOptions{Profile: certgen.ProfileServerClient, Days: 365, Now: e.now})
	if err != nil {
		t.Fatal(err)
	}
	writePEMCerts(t, e.path("cucm-pub-capf.crt"), leaf)
	probs := e.check(capfPlan(t), e.now)
	if !slices.ContainsFunc(probs, func(p Problem) bool {
		return p.Subject == "cucm-pub-capf" && strings.Contains(p.Problem, "not a CA with pathLenConstraint 0")
	}) {
		t.Errorf("check did not report the end-entity CAPF certificate: %+v", probs)
	}
	res := e.run(capfPlan(t))
	if len(res.Changes) != 1 || res.Changes[0].Name != "cucm-pub-capf" || res.Changes[0].Action != ActionReissued {
		t.Errorf("rerun changes %+v, want cucm-pub-capf reissued", res.Changes)
	}
	if capf := readPEMCert(t, e.path("cucm-pub-capf.crt")); !capf.IsCA || !capf.MaxPathLenZero || capf.MaxPathLen != 0 {
		t.Errorf("reissued CAPF: IsCA %v pathlen %d zero %v", capf.IsCA, capf.MaxPathLen, capf.MaxPathLenZero)
	}
	if again := e.run(capfPlan(t)); !again.NothingToDo() {
		t.Errorf("third run: %+v", again.Changes)
	}
	if probs := e.check(capfPlan(t), e.now); len(probs) != 0 {
		t.Errorf("check after the reissue: %+v", probs)
	}
}
