package expressway_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/rolecheck"
	"github.com/confcert/confcert/internal/testpki"
)

// pki is a root and an issuing CA for the role tests.
type pki struct {
	root, inter *testpki.Issued
	dir         string
}

func newPKI(t *testing.T) *pki {
	root := testpki.CATemplate("Collab Root")
	root.NotBefore, root.NotAfter = day("2020-01-01"), day("2040-01-01")
	r := testpki.Issue(t, root, nil)
	in := testpki.CATemplate("Collab Issuing CA")
	in.NotBefore, in.NotAfter = day("2020-01-01"), day("2040-01-01")
	return &pki{root: r, inter: testpki.Issue(t, in, r), dir: t.TempDir()}
}

// leaf is a good Expressway-C certificate, edited by the case.
func (k *pki) leaf(t *testing.T, edit func(*x509.Certificate), key crypto.Signer) *testpki.Issued {
	tmpl := testpki.LeafTemplate("expc.example.com")
	tmpl.DNSNames = []string{"expc1.example.com", "expc.example.com", "secure-8865.example.com", "collab-edge.example.com"}
	tmpl.NotBefore, tmpl.NotAfter = day("2026-01-01"), day("2026-12-01")
	if edit != nil {
		edit(tmpl)
	}
	return testpki.IssueKey(t, tmpl, key, k.inter)
}

func (k *pki) write(t *testing.T, name string, data []byte) string {
	p := filepath.Join(k.dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

type roleCase struct {
	name    string
	role    string
	edit    func(*x509.Certificate)
	key     crypto.Signer
	req     func(k *pki, r *rolecheck.Request)
	at      string
	public  bool
	rule    string
	want    rolecheck.Severity // "" = the rule says nothing
	message string
}

// TestRules: for each rule a certificate that breaks it, one that keeps it,
// and the words administrators see (Expressway guides; TAC 213872, 225693).
func TestRules(t *testing.T) {
	big, err := rsa.GenerateKey(rand.Reader, 4160)
	if err != nil {
		t.Fatal(err)
	}
	names := func(n ...string) func(*pki, *rolecheck.Request) {
		return func(_ *pki, r *rolecheck.Request) { r.Names = n }
	}
	serverOnly := func(c *x509.Certificate) { c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth} }
	version := func(v string) func(*pki, *rolecheck.Request) {
		return func(_ *pki, r *rolecheck.Request) { r.Version = v }
	}
	tests := []roleCase{
		{name: "wildcard", role: "expressway-c", edit: func(c *x509.Certificate) { c.DNSNames = append(c.DNSNames, "*.example.com") }, rule: "EXP-WILDCARD", want: rolecheck.Failure, message: "does not support wildcard certificates"},
		{name: "no wildcard", role: "expressway-c", rule: "EXP-WILDCARD", want: rolecheck.Success},
		{name: "DER", role: "expressway-c", req: func(k *pki, r *rolecheck.Request) { r.Cert = k.write(t, "der.crt", mustRead(t, r.Cert, true)) }, rule: "EXP-FORMAT", want: rolecheck.Failure, message: "Certificate format invalid"},
		{name: "key without newline", role: "expressway-c", req: func(k *pki, r *rolecheck.Request) {
			r.Key = k.write(t, "nonl.key", []byte(strings.TrimRight(string(mustRead(t, r.Key, false)), "\n")))
		}, rule: "EXP-FORMAT", want: rolecheck.Failure, message: "does not end with a newline"},
		{name: "PEM", role: "expressway-c", rule: "EXP-FORMAT", want: rolecheck.Success},
		{name: "RSA over 4096", role: "expressway-c", key: big, rule: "EXP-KEY", want: rolecheck.Failure, message: "SIP TLS zones"},
		{name: "P-256", role: "expressway-c", rule: "EXP-KEY", want: rolecheck.Success},
		{name: "intermediate missing from the trust list", role: "expressway-c", req: func(k *pki, r *rolecheck.Request) {
			r.Trust = k.write(t, "root.pem", certio.CertificatesPEM(k.root.Cert))
		}, rule: "EXP-TRUST", want: rolecheck.Failure, message: "Untrusted CA certificate chain"},
		{name: "full chain in the trust list", role: "expressway-c", rule: "EXP-TRUST", want: rolecheck.Success},
		{name: "CA without basicConstraints", role: "expressway-c", req: func(k *pki, r *rolecheck.Request) {
			tmpl := testpki.CATemplate("Old CA")
			tmpl.BasicConstraintsValid, tmpl.IsCA = false, false
			old := testpki.Issue(t, tmpl, nil)
			r.Trust = k.write(t, "old.pem", certio.CertificatesPEM(k.inter.Cert, k.root.Cert, old.Cert))
		}, rule: "EXP-CA-LIST", want: rolecheck.Failure, message: "no basicConstraints"},
		{name: "two CAs with one CN", role: "expressway-c", req: func(k *pki, r *rolecheck.Request) {
			twin := testpki.Issue(t, testpki.CATemplate("Collab Root"), nil)
			r.Trust = k.write(t, "twins.pem", certio.CertificatesPEM(k.inter.Cert, k.root.Cert, twin.Cert))
		}, rule: "EXP-CA-LIST", want: rolecheck.Warning, message: "IdP-based endpoint login"},
		{name: "clean CA list", role: "expressway-c", rule: "EXP-CA-LIST", want: rolecheck.Success},
		{name: "unknown subject OID", role: "expressway-c", edit: func(c *x509.Certificate) {
			c.Subject.ExtraNames = append(c.Subject.ExtraNames, pkixAttr(asn1.ObjectIdentifier{1, 2, 3, 4}, "x"))
		}, rule: "EXP-OID", want: rolecheck.Warning, message: "SSH tunnel failures"},
		{name: "EV OID", role: "expressway-c", edit: func(c *x509.Certificate) {
			c.Subject.ExtraNames = append(c.Subject.ExtraNames, pkixAttr(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 60, 2, 1, 3}, "US"))
		}, rule: "EXP-OID", want: rolecheck.Success},
		{name: "beyond 2050", role: "expressway-c", edit: func(c *x509.Certificate) { c.NotAfter = day("2051-01-01") }, rule: "EXP-2050", want: rolecheck.Warning, message: "beyond 2050"},
		{name: "before 2050", role: "expressway-c", rule: "EXP-2050"},
		{name: "phone profile missing", role: "expressway-c", req: names("expc.example.com", "secure-7811.example.com"), rule: "EXP-SAN", want: rolecheck.Failure, message: "403 Forbidden"},
		{name: "phone profile present", role: "expressway-c", req: names("expc.example.com", "secure-8865.example.com"), rule: "EXP-SAN", want: rolecheck.Success},
		{name: "E peer address missing", role: "expressway-e", edit: serverOnly, req: names("expe1.example.com"), rule: "EXP-SAN", want: rolecheck.Failure, message: "TLS negotiation failure"},
		{name: "MRA domain missing", role: "expressway-e", req: func(_ *pki, r *rolecheck.Request) { r.Domain = "example.org" }, rule: "EXP-MRA-DOMAIN", want: rolecheck.Failure, message: "Jabber asks users to accept the certificate"},
		{name: "MRA domain as collab-edge", role: "expressway-e", req: func(_ *pki, r *rolecheck.Request) { r.Domain = "example.com" }, rule: "EXP-MRA-DOMAIN", want: rolecheck.Success},
		{name: "C X15.3 serverAuth only", role: "expressway-c", edit: serverOnly, req: version("X15.3"), rule: "EXP-EKU", want: rolecheck.Failure, message: "will not let you upload a server certificate"},
		{name: "C X15.4 serverAuth only", role: "expressway-c", edit: serverOnly, req: version("X15.4"), rule: "EXP-EKU", want: rolecheck.Failure, message: "X15.4 refuses the upload"},
		{name: "E X15.4 serverAuth only", role: "expressway-e", edit: serverOnly, req: version("X15.4"), rule: "EXP-EKU", want: rolecheck.Warning, message: "EnableServerEkuUpload: On"},
		{name: "E X15.5 serverAuth only", role: "expressway-e", edit: serverOnly, req: version("X15.5"), rule: "EXP-EKU", want: rolecheck.Success},
		{name: "no serverAuth", role: "expressway-e", edit: func(c *x509.Certificate) { c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth} }, rule: "EXP-EKU", want: rolecheck.Failure, message: "lacks serverAuth"},
		{name: "both", role: "expressway-c", req: version("X15.3"), rule: "EXP-EKU", want: rolecheck.Success},
		{name: "client without clientAuth", role: "expressway-client", edit: serverOnly, rule: "EXP-CLIENT-EKU", want: rolecheck.Failure, message: "SSH tunnels (port 2222) stay down"},
		{name: "client with clientAuth", role: "expressway-client", rule: "EXP-CLIENT-EKU", want: rolecheck.Success},
		{name: "E from a private CA", role: "expressway-e", req: func(_ *pki, r *rolecheck.Request) { r.Domain = "example.com" }, rule: "EXP-PUBLIC", want: rolecheck.Warning, message: "7800/8800"},
		{name: "E from a public CA", role: "expressway-e", public: true, req: func(_ *pki, r *rolecheck.Request) { r.Domain = "example.com" }, rule: "EXP-PUBLIC", want: rolecheck.Success},
		{name: "public C with clientAuth after Chrome's date", role: "expressway-c", public: true, at: "2027-03-15", edit: func(c *x509.Certificate) {
			c.NotBefore, c.NotAfter = day("2027-01-01"), day("2027-06-01")
		}, rule: "PUBLIC-CALENDAR", want: rolecheck.Warning, message: "every public CA stopped issuing clientAuth on 2027-03-15"},
		{name: "public C with clientAuth before Let's Encrypt's date", role: "expressway-c", public: true, at: "2026-02-10", rule: "PUBLIC-CALENDAR", want: rolecheck.Success},
		{name: "public issued too long", role: "expressway-e", public: true, at: "2026-04-01", edit: func(c *x509.Certificate) {
			c.NotBefore, c.NotAfter = day("2026-03-16"), day("2027-04-18")
		}, rule: "PUBLIC-CALENDAR", want: rolecheck.Warning, message: "a public CA issues at most 200 days since 2026-03-15"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { runCase(t, tt) })
	}
}

func runCase(t *testing.T, tt roleCase) {
	k := newPKI(t)
	leaf := k.leaf(t, tt.edit, tt.key)
	keyPEM, err := certio.PrivateKeyPEM(leaf.Key)
	if err != nil {
		t.Fatal(err)
	}
	req := rolecheck.Request{Role: tt.role, Cert: k.write(t, "leaf.crt", certio.CertificatesPEM(leaf.Cert)),
		Key: k.write(t, "leaf.key", keyPEM), Trust: k.write(t, "trust.pem", certio.CertificatesPEM(k.inter.Cert, k.root.Cert))}
	if tt.req != nil {
		tt.req(k, &req)
	}
	at := day("2026-06-01")
	if tt.at != "" {
		at = day(tt.at)
	}
	roots := []*x509.Certificate{}
	if tt.public {
		roots = append(roots, k.root.Cert)
	}
	chk, err := catalog.Roles().Run(req, rolecheck.Options{Now: at, NoLints: true,
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
	if tt.want == "" && len(got) == 0 {
		return
	}
	worst := rolecheck.Severity("")
	for _, r := range got {
		if worst == "" || r.Severity == rolecheck.Failure || r.Severity == rolecheck.Warning && worst == rolecheck.Success {
			worst = r.Severity
		}
	}
	if worst != tt.want {
		t.Fatalf("%s: %s, want %s: %+v", tt.rule, worst, tt.want, got)
	}
	for _, r := range got {
		if r.Severity == worst && strings.Contains(r.Message, tt.message) {
			if worst != rolecheck.Success && r.Fix == "" {
				t.Errorf("%s %s without a fix", tt.rule, worst)
			}
			return
		}
	}
	t.Errorf("%s: no message with %q in %+v", tt.rule, tt.message, got)
}

func mustRead(t *testing.T, path string, der bool) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !der {
		return data
	}
	f, err := certio.Parse(path, data, certio.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return f.Certificates()[0].Raw
}

func pkixAttr(oid asn1.ObjectIdentifier, v string) pkix.AttributeTypeAndValue {
	return pkix.AttributeTypeAndValue{Type: oid, Value: v}
}
