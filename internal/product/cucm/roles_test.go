package cucm_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/rolecheck"
	"github.com/confcert/confcert/internal/testpki"
)

type roleCase struct {
	name    string
	role    plan.RoleName
	edit    func(*x509.Certificate)
	key     crypto.Signer
	req     func(dir string, root, inter *testpki.Issued, r *rolecheck.Request)
	at      string
	public  bool
	rule    string
	want    rolecheck.Severity
	message string
}

// TestRules: for each rule a certificate that breaks it, one that keeps it,
// and the words administrators see (Security Guide Release 14;
// Administration Guide 12.5(1)SU3; FN74345).
func TestRules(t *testing.T) {
	k3072, err := rsa.GenerateKey(rand.Reader, 3072)
	if err != nil {
		t.Fatal(err)
	}
	k4160, err := rsa.GenerateKey(rand.Reader, 4160)
	if err != nil {
		t.Fatal(err)
	}
	serverOnly := func(c *x509.Certificate) { c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth} }
	names := func(n ...string) func(string, *testpki.Issued, *testpki.Issued, *rolecheck.Request) {
		return func(_ string, _, _ *testpki.Issued, r *rolecheck.Request) { r.Names = n }
	}
	tests := []roleCase{
		{name: "wildcard", role: RoleTomcat, edit: func(c *x509.Certificate) { c.DNSNames = append(c.DNSNames, "*.example.com") }, rule: "UCM-WILDCARD", want: rolecheck.Failure, message: "does not support wildcard certificates"},
		{name: "no wildcard", role: RoleTomcat, rule: "UCM-WILDCARD", want: rolecheck.Success},
		{name: "PKCS#12", role: RoleTomcat, req: func(dir string, _, _ *testpki.Issued, r *rolecheck.Request) {
			r.Cert = toPFX(t, dir, r.Cert, r.Key)
		}, rule: "UCM-FORMAT", want: rolecheck.Failure, message: "PEM or DER"},
		{name: "PEM", role: RoleTomcat, rule: "UCM-FORMAT", want: rolecheck.Success},
		{name: "RSA over 4096", role: RoleTomcat, key: k4160, rule: "UCM-KEY", want: rolecheck.Failure, message: "at most 4096"},
		{name: "P-256", role: RoleTomcat, rule: "UCM-KEY", want: rolecheck.Success},
		{name: "CallManager RSA 3072", role: RoleCallManager, key: k3072, rule: "UCM-CM-KEY", want: rolecheck.Warning, message: "some phone models may stop registering"},
		{name: "CallManager EC", role: RoleCallManager, rule: "UCM-CM-KEY"},
		{name: "CA not in the trust file", role: RoleCallManager, req: func(dir string, root, _ *testpki.Issued, r *rolecheck.Request) {
			other := testpki.Issue(t, testpki.CATemplate("Other Root"), nil)
			r.Trust = write(t, dir, "other.pem", certio.CertificatesPEM(other.Cert))
		}, rule: "UCM-TRUST", want: rolecheck.Failure, message: "CallManager-trust"},
		{name: "chain in the trust file", role: RoleCallManager, rule: "UCM-TRUST", want: rolecheck.Success},
		{name: "tomcat lacks a node", role: RoleTomcat, req: names("cucm-pub.example.com", "cucm-sub2.example.com"), rule: "UCM-NAMES", want: rolecheck.Failure, message: "MRA login fails"},
		{name: "tomcat has every node", role: RoleTomcat, req: names("cucm-pub.example.com", "cucm-sub1.example.com"), rule: "UCM-NAMES", want: rolecheck.Success},
		{name: "CallManager without clientAuth", role: RoleCallManager, edit: serverOnly, rule: "UCM-EKU", want: rolecheck.Failure, message: "rejected with 403"},
		{name: "tomcat without clientAuth", role: RoleTomcat, edit: serverOnly, rule: "UCM-EKU", want: rolecheck.Warning, message: "LDAP, SIP OAuth"},
		{name: "cup-xmpp without clientAuth", role: RoleCupXMPP, edit: serverOnly, rule: "UCM-EKU", want: rolecheck.Failure, message: "cup-xmpp is the client"},
		{name: "both EKUs", role: RoleCallManager, rule: "UCM-EKU", want: rolecheck.Success},
		{name: "public CallManager after Chrome's date", role: RoleCallManager, public: true, at: "2027-03-15", edit: func(c *x509.Certificate) {
			c.NotBefore, c.NotAfter = day("2027-01-01"), day("2027-06-01")
		}, rule: "PUBLIC-CALENDAR", want: rolecheck.Warning, message: "15SU5"},
		{name: "public CallManager before Let's Encrypt's date", role: RoleCallManager, public: true, at: "2026-02-10", rule: "PUBLIC-CALENDAR", want: rolecheck.Success},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { runCase(t, tt) })
	}
}

const (
	RoleTomcat      = "cucm-tomcat"
	RoleCallManager = "cucm-callmanager"
	RoleCupXMPP     = "cucm-cup-xmpp"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func write(t *testing.T, dir, name string, data []byte) string {
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func toPFX(t *testing.T, dir, certPath, keyPath string) string {
	read := func(p string) *certio.File {
		f, err := certio.ReadFile(p, certio.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	data, err := certio.EncodePKCS12(read(keyPath).PrivateKeys()[0].PrivateKey, read(certPath).Certificates()[0], nil, "pw", false)
	if err != nil {
		t.Fatal(err)
	}
	return write(t, dir, "leaf.pfx", data)
}

func runCase(t *testing.T, tt roleCase) {
	dir := t.TempDir()
	mk := func(cn string, parent *testpki.Issued) *testpki.Issued {
		tmpl := testpki.CATemplate(cn)
		tmpl.NotBefore, tmpl.NotAfter = day("2020-01-01"), day("2040-01-01")
		return testpki.Issue(t, tmpl, parent)
	}
	root := mk("Collab Root", nil)
	inter := mk("Collab Issuing CA", root)
	tmpl := testpki.LeafTemplate("cucm-pub-ms.example.com")
	tmpl.DNSNames = []string{"cucm-pub.example.com", "cucm-sub1.example.com"}
	tmpl.NotBefore, tmpl.NotAfter = day("2026-01-01"), day("2026-12-01")
	if tt.edit != nil {
		tt.edit(tmpl)
	}
	leaf := testpki.IssueKey(t, tmpl, tt.key, inter)
	keyPEM, err := certio.PrivateKeyPEM(leaf.Key)
	if err != nil {
		t.Fatal(err)
	}
	req := rolecheck.Request{Role: string(tt.role), Cert: write(t, dir, "leaf.pem", certio.CertificatesPEM(leaf.Cert)),
		Key: write(t, dir, "leaf.key", keyPEM), Trust: write(t, dir, "trust.pem", certio.CertificatesPEM(inter.Cert, root.Cert))}
	if tt.req != nil {
		tt.req(dir, root, inter, &req)
	}
	if strings.HasSuffix(req.Cert, ".pfx") {
		req.Key = ""
	}
	at := day("2026-06-01")
	if tt.at != "" {
		at = day(tt.at)
	}
	roots := []*x509.Certificate{}
	if tt.public {
		roots = append(roots, root.Cert)
	}
	chk, err := catalog.Roles().Run(req, rolecheck.Options{Now: at, NoLints: true, Password: func() ([]byte, error) { return []byte("pw"), nil },
		SystemRoots: func() ([]*x509.Certificate, error) { return roots, nil }})
	if err != nil {
		t.Fatal(err)
	}
	var got []rolecheck.Result
	for _, r := range chk.Results {
		if r.Rule == tt.rule {
			got = append(got, r)
		}
	}
	if tt.want == "" {
		if len(got) != 0 {
			t.Errorf("%s: want nothing, got %+v", tt.rule, got)
		}
		return
	}
	for _, r := range got {
		if r.Severity == tt.want && strings.Contains(r.Message+" "+r.Fix, tt.message) {
			if tt.want != rolecheck.Success && r.Fix == "" {
				t.Errorf("%s %s without a fix", tt.rule, tt.want)
			}
			return
		}
	}
	t.Errorf("%s: want %s with %q, got %+v", tt.rule, tt.want, tt.message, got)
}
