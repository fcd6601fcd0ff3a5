package apply

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"maps"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/certgen"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/localca"
	"github.com/confcert/confcert/internal/openssltest"
	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/product"
	"github.com/confcert/confcert/internal/testpki"
	"github.com/confcert/confcert/internal/usage"
)

// loadExample plans one of the repository's examples, key types and key
// usages as the product rules decide them (RSA-2048 nearly everywhere).
func loadExample(t *testing.T, name string, o catalog.Options) *plan.Plan {
	t.Helper()
	p, err := catalog.Load(filepath.Join("..", "..", "examples", name), o)
	if err != nil {
		t.Fatalf("catalog.Load %s: %v", name, err)
	}
	return p
}

// fixtureRSA holds the RSA-2048 keys of testdata/rsa2048-keys.pem (made by
// testdata/gen-rsa-keys.sh).
var fixtureRSA = sync.OnceValues(func() ([]crypto.Signer, error) {
	f, err := certio.ReadFile(filepath.Join("testdata", "rsa2048-keys.pem"), certio.Options{})
	if err != nil {
		return nil, err
	}
	var out []crypto.Signer
	for _, o := range f.PrivateKeys() {
		out = append(out, o.PrivateKey)
	}
	return out, nil
})

// seedRSAKeys gives every RSA-2048 certificate and CA of p a distinct key of
// the fixture pool, as an existing key file and an existing local CA: the
// run then generates no RSA key (it keeps existing keys, spec plan.md), and
// the RSA path of the plan, its CSRs, certificates and checks is tested at
// the cost of a few RSA signatures.
func seedRSAKeys(t *testing.T, e *env, p *plan.Plan) {
	t.Helper()
	pool, err := fixtureRSA()
	if err != nil {
		t.Fatal(err)
	}
	next := func(what string) crypto.Signer {
		if len(pool) == 0 {
			t.Fatalf("testdata/rsa2048-keys.pem has too few keys for %s: add some with gen-rsa-keys.sh", what)
		}
		k := pool[0]
		pool = pool[1:]
		return k
	}
	for _, ca := range p.CAs {
		if ca.KeyType == string(keys.RSA2048) {
			seedCA(t, e, ca.Name, next(ca.Name))
		}
	}
	for _, c := range p.Certificates {
		if c.KeyType != string(keys.RSA2048) || c.KeyHeld != nil {
			continue
		}
		pemKey, err := certio.PrivateKeyPEM(next(c.Name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(e.path(c.Files.Key), pemKey, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// seedCA records the local CA name with key, as localca creates one.
func seedCA(t *testing.T, e *env, name string, key crypto.Signer) {
	t.Helper()
	subject, err := localca.Subject(name, key.Public())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := certgen.SelfSignedCA(key, subject, 3650, e.now)
	if err != nil {
		t.Fatal(err)
	}
	pemKey, err := certio.PrivateKeyPEM(key)
	if err != nil {
		t.Fatal(err)
	}
	rec := castore.CA{Name: name, KeyType: string(keys.RSA2048), Cert: cert, CreatedAt: e.now}
	if err := e.store.CreateCA(context.Background(), rec, pemKey); err != nil {
		t.Fatal(err)
	}
}

// checkRSAKeyUsage: each RSA certificate confcert signs is issued with
// exactly the key usage the plan gives it, and each CSR confcert makes asks
// for exactly that too (one key usage rule for plan, CSR and certificate: a
// client-only RSA key asks for digitalSignature alone); and the RSA path is
// taken: some certificate needs keyEncipherment (TLS RSA key exchange, seed
// 002 Appendix A.1). openssl reads the files of the first certificate of each
// key usage, Go's parser the rest. A CSR made elsewhere (Unified CM's) need
// only ask for at least the plan's.
func checkRSAKeyUsage(t *testing.T, e *env, p *plan.Plan) {
	t.Helper()
	byOpenSSL := map[string]bool{}
	for _, c := range p.Certificates {
		if c.KeyType != string(keys.RSA2048) {
			continue
		}
		want := strings.Join(c.KeyUsage, ", ")
		read := goKeyUsage
		if !byOpenSSL[want] {
			byOpenSSL[want], read = true, opensslKeyUsage
		}
		if got := read(t, e, c.Files.CSR); got != want && (c.KeyHeld == nil || !containsAll(got, want)) {
			t.Errorf("%s asks for key usage %q, the plan needs %q", c.Files.CSR, got, want)
		}
		if c.Signer == plan.SignerPublic {
			continue // the outside test CA chooses its own
		}
		if got := read(t, e, c.Files.Cert); got != want {
			t.Errorf("%s has key usage %q, the plan says %q", c.Files.Cert, got, want)
		}
	}
	if !slices.ContainsFunc(slices.Collect(maps.Keys(byOpenSSL)), func(ku string) bool { return strings.Contains(ku, "keyEncipherment") }) {
		t.Errorf("no RSA certificate with keyEncipherment in the plan: the RSA path is not tested")
	}
}

// opensslKeyUsage is the key usage of an RSA CSR or certificate as openssl
// prints it, in the plan's names; "" when the key is not RSA.
func opensslKeyUsage(t *testing.T, e *env, file string) string {
	cmd := "x509"
	if strings.HasSuffix(file, ".csr") {
		cmd = "req"
	}
	out := openssltest.Run(t, e.dir, cmd, "-noout", "-text", "-in", file)
	if !strings.Contains(out, "rsaEncryption") {
		return ""
	}
	names := map[string]string{"Digital Signature": "digitalSignature", "Key Encipherment": "keyEncipherment", "Data Encipherment": "dataEncipherment"}
	var got []string
	for _, u := range strings.Split(keyUsageLine(out), ", ") {
		got = append(got, names[u])
	}
	return strings.Join(got, ", ")
}

// goKeyUsage is opensslKeyUsage read by Go's parser.
func goKeyUsage(t *testing.T, e *env, file string) string {
	f, err := certio.ReadFile(e.path(file), certio.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var pub crypto.PublicKey
	var ku x509.KeyUsage
	switch {
	case len(f.CSRs()) == 1:
		pub, ku = f.CSRs()[0].PublicKey, csrKeyUsage(t, f.CSRs()[0])
	case len(f.Certificates()) > 0:
		pub, ku = f.Certificates()[0].PublicKey, f.Certificates()[0].KeyUsage
	}
	if _, ok := pub.(*rsa.PublicKey); !ok {
		return ""
	}
	return strings.Join(usage.KeyUsageNames(ku), ", ")
}

// csrKeyUsage decodes the keyUsage extension a CSR asks for.
func csrKeyUsage(t *testing.T, csr *x509.CertificateRequest) x509.KeyUsage {
	for _, ext := range csr.Extensions {
		if !ext.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 15}) {
			continue
		}
		var bits asn1.BitString
		if _, err := asn1.Unmarshal(ext.Value, &bits); err != nil {
			t.Fatal(err)
		}
		var ku x509.KeyUsage
		for i := range bits.BitLength {
			if bits.At(i) != 0 {
				ku |= 1 << i
			}
		}
		return ku
	}
	return 0
}

// containsAll reports whether every usage of the list want is in got.
func containsAll(got, want string) bool {
	have := strings.Split(got, ", ")
	for _, w := range strings.Split(want, ", ") {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// keyUsageLine is the line after "X509v3 Key Usage" in openssl's text.
func keyUsageLine(text string) string {
	_, after, ok := strings.Cut(text, "X509v3 Key Usage")
	if !ok {
		return ""
	}
	lines := strings.SplitN(after, "\n", 3)
	if len(lines) < 2 {
		return ""
	}
	return strings.TrimSpace(lines[1])
}

// TestExamples plans every example end to end, with the key types and key
// usages its rules choose (RSA keys from a fixture pool, seedRSAKeys):
// internal certificates are signed, public ones signed by an outside test CA
// and imported, then every `pki verify`/`pki match` line of the install
// files is run with openssl, every RSA certificate must carry
// keyEncipherment, and --check must be clean.
func TestExamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		o    catalog.Options
		more func(t *testing.T, e *env, p *plan.Plan)
	}{
		{"cms-3node-lab.yaml", catalog.Options{}, checkCMSLab},
		{"cms-split-edge.yaml", catalog.Options{}, checkSplitEdge},
		{"cms3-webbridge3.yaml", catalog.Options{}, checkWB3PerNode("cms1", "cms2")},
		{"cms-webbridge3-cluster.yaml", catalog.Options{}, checkWB3PerNode("wb3a", "wb3b")},
		{"cwms-single-dc.yaml", catalog.Options{}, checkLayout("dc1-bundle.pem", "cwms-1x")},
		{"cwms-dual-dc-pre-mr5.yaml", catalog.Options{}, nil},
		{"cwms-dual-dc-mr5.yaml", catalog.Options{PFX: product.On}, checkCWMSKeyAndPFX},
		{"cwms-dual-dc-wildcard.yaml", catalog.Options{}, checkCWMSWildcard},
		{"meetingplace.yaml", catalog.Options{}, checkLayout("homepage-bundle.pem", "meetingplace")},
		{"expressway-mra.yaml", catalog.Options{}, checkExpressway},
		{"cucm-cluster.yaml", catalog.Options{}, checkCUCM},
		{"mra.yaml", catalog.Options{}, checkLinks(map[string][]string{
			"cucm-expc-trust.pem": {"expc1.crt", "expc2.crt"}, "expc-trust.pem": {"tomcat-ms.crt", "callmanager-ms.crt", "expe1.crt", "expe2-client.crt"},
		})},
		{"cms-edge-ucm.yaml", catalog.Options{}, func(t *testing.T, e *env, p *plan.Plan) {
			checkLinks(map[string][]string{
				"cucm-callbridge-trust.pem": {"cms1.crt"}, "cucm-expc-trust.pem": {"edgec1.crt"}, "edgec-trust.pem": {"tomcat-ms.crt", "edgee1.crt"},
			})(t, e, p)
			if out := openssltest.Run(t, e.dir, "x509", "-noout", "-ext", "subjectAltName", "-in", "edgee1.crt"); !strings.Contains(out, "DNS:join.example.com") {
				t.Errorf("Expressway-E lacks the Meeting Server join URL:\n%s", out)
			}
		}},
	}
	ca := newTestCA(t)
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.now = time.Now()
			p := loadExample(t, tt.file, tt.o)
			seedRSAKeys(t, e, p)
			e.run(p, pfxPassword)
			var returned []string
			for _, dir := range []string{ca.signAwaiting(t, e, p), publisherCSRs(t, p, nil)} {
				if dir != "" {
					returned = append(returned, dir)
				}
			}
			if len(returned) > 0 {
				p = loadExample(t, tt.file, tt.o)
				res := e.run(p, pfxPassword, func(o *Options) { o.Import = returned })
				if len(res.Unmatched) > 0 {
					t.Errorf("unmatched: %v", res.Unmatched)
				}
			}
			for _, c := range p.Certificates {
				if c.Status != plan.StatusSigned {
					t.Errorf("%s: status %s after import", c.Name, c.Status)
				}
			}
			runInstallChecks(t, e, p)
			checkRSAKeyUsage(t, e, p)
			if probs := e.check(loadExample(t, tt.file, tt.o), e.now); len(probs) != 0 {
				t.Errorf("check: %+v", probs)
			}
			if tt.more != nil {
				tt.more(t, e, p)
			}
		})
	}
}

func pfxPassword(o *Options) {
	o.PFXPassword = func() ([]byte, error) { return []byte("test-password"), nil }
}

// runInstallChecks runs each `pki verify CERT BUNDLE` line of the install
// files as `openssl verify -CAfile BUNDLE CERT`, and each `pki match KEY CERT`
// as a comparison of openssl's public keys: the install files name the right
// files.
func runInstallChecks(t *testing.T, e *env, p *plan.Plan) {
	for _, in := range p.Install {
		if in.Checks == nil && strings.HasPrefix(in.File, "install/cms") {
			t.Errorf("%s has no checks before its changes", in.File)
		}
		for _, cmd := range slices.Concat(in.Checks, in.Commands) {
			f := strings.Fields(cmd)
			switch {
			case len(f) == 4 && f[0] == "pki" && f[1] == "verify":
				if out := openssltest.Run(t, e.dir, "verify", "-CAfile", f[3], f[2]); !strings.Contains(out, ": OK") {
					t.Errorf("%s: %q: %s", in.File, cmd, out)
				}
			case len(f) == 4 && f[0] == "pki" && f[1] == "match":
				if openssltest.Run(t, e.dir, "pkey", "-pubout", "-in", f[2]) != openssltest.Run(t, e.dir, "x509", "-pubkey", "-noout", "-in", f[3]) {
					t.Errorf("%s: %q: key and certificate differ", in.File, cmd)
				}
			}
			for _, word := range f[1:] {
				if strings.HasSuffix(word, ".key") || strings.HasSuffix(word, ".crt") || strings.HasSuffix(word, ".pem") {
					if _, err := os.Stat(e.path(word)); err != nil {
						t.Errorf("%s: %q names %s, which was not written", in.File, cmd, word)
					}
				}
			}
		}
	}
}

func checkCMSLab(t *testing.T, e *env, p *plan.Plan) {
	out := openssltest.Run(t, e.dir, "x509", "-noout", "-subject", "-ext", "subjectAltName", "-in", "cms1a.crt")
	if !strings.Contains(out, "CN = cms1.pod2.cms.lab") || !strings.Contains(out, "DNS:cms1a.pod2.cms.lab, DNS:pod2.cms.lab, DNS:conf.pod2.cms.lab, DNS:join.pod2.cms.lab") {
		t.Errorf("cms1a.crt names (seed 003):\n%s", out)
	}
	if subj := openssltest.Run(t, e.dir, "x509", "-noout", "-subject", "-in", "dbclient.crt"); !strings.Contains(subj, "CN = postgres") {
		t.Errorf("dbclient subject %q", subj)
	}
	if sameFile(t, e, "podca-bundle.crt", "dbca.crt") {
		t.Error("the database CA is the internal CA")
	}
	if err := exec.Command("openssl", "verify", "-CAfile", e.path("podca-bundle.crt"), e.path("dbserver.crt")).Run(); err == nil {
		t.Error("dbserver verifies against the internal CA")
	}
	checkTrustMembers(t, e, p)
}

func checkSplitEdge(t *testing.T, e *env, p *plan.Plan) {
	if openssltest.Run(t, e.dir, "pkey", "-pubout", "-in", "edge1.key") == openssltest.Run(t, e.dir, "pkey", "-pubout", "-in", "core1-trunk.key") {
		t.Error("the load balancer and the trunk share a key (seed 002 §3.1.4)")
	}
	in, _ := os.ReadFile(e.path("install/edge1.txt"))
	// One load balancer per edge, trusting every trunk that reaches it (seed
	// 002 §4.5 note: "each Edge server can accept multiple trunks").
	if !strings.Contains(string(in), "loadbalancer auth edge1 edge1.key edge1.crt edge1-trunktrust.crt") || strings.Count(string(in), "\n  loadbalancer create ") != 1 {
		t.Errorf("edge1 install does not run one load balancer trusting the trunks:\n%s", in)
	}
	if !sameFile(t, e, "edge1-trunktrust.crt", "core1-trunk.crt", "core2-trunk.crt") {
		t.Error("edge1-trunktrust.crt is not the certificates of both trunks")
	}
	in, _ = os.ReadFile(e.path("install/core1.txt"))
	if !strings.Contains(string(in), "trunk auth core1toedge1 core1-trunk.key core1-trunk.crt edge1.crt") {
		t.Errorf("core1 install does not trust the load balancer's certificate:\n%s", in)
	}
	checkTrustMembers(t, e, p)
}

// checkTrustMembers: each trust bundle is its members' certificates, in order.
func checkTrustMembers(t *testing.T, e *env, p *plan.Plan) {
	for _, b := range p.Bundles {
		if b.Layout != "trust" {
			continue
		}
		var want []byte
		for _, m := range b.Members {
			data, _ := os.ReadFile(e.path(m + ".crt"))
			want = append(want, data...)
		}
		if got, _ := os.ReadFile(e.path(b.File)); !bytes.Equal(got, want) {
			t.Errorf("%s does not hold exactly %v", b.File, b.Members)
		}
	}
}

// checkLayout checks a bundle's order: cwms-25 intermediates from the root
// side then the leaf (seed 001); meetingplace leaf first (seed 004).
func checkLayout(file, layout string) func(*testing.T, *env, *plan.Plan) {
	return func(t *testing.T, e *env, _ *plan.Plan) {
		certs, err := readCerts(e.path(file))
		if err != nil || len(certs) != 3 {
			t.Fatalf("%s: %d certificates, err %v; want leaf and two intermediates", file, len(certs), err)
		}
		want := []string{"", "Test Issuing CA", "Test Policy CA"} // cwms-1x, meetingplace
		if layout == "cwms-25" {
			want = []string{"Test Policy CA", "Test Issuing CA", ""}
		}
		for i, w := range want {
			if got := certs[i].Subject.CommonName; w != "" && got != w || w == "" && certs[i].IsCA {
				t.Errorf("%s[%d] = %q, want %q (layout %s)", file, i, got, w, layout)
			}
		}
	}
}

func checkCWMSKeyAndPFX(t *testing.T, e *env, _ *plan.Plan) {
	data, _ := os.ReadFile(e.path("dc1-external-bundle.pem"))
	if !bytes.HasPrefix(data, []byte("-----BEGIN PRIVATE KEY-----")) {
		t.Error("--key-in-bundle: the key is not the first block (seed 001)")
	}
	f, err := certio.ReadFile(e.path("dc1-external.pfx"), certio.Options{Password: func() ([]byte, error) { return []byte("test-password"), nil }})
	if err != nil || len(f.PrivateKeys()) != 1 || len(f.Certificates()) < 2 {
		t.Fatalf("dc1-external.pfx: %v", err)
	}
	if st, _ := os.Stat(e.path("dc1-external.pfx")); st.Mode().Perm() != 0o600 {
		t.Errorf("pfx mode %v, want 0600", st.Mode().Perm())
	}
}

// checkCWMSWildcard: from 2.5MR5 the wildcard is the external CN only; the
// internal CNs stay the admin URLs and differ (seed 000, MR5; issue 10 item 2).
func checkCWMSWildcard(t *testing.T, e *env, _ *plan.Plan) {
	for file, want := range map[string]string{"dc1-external.crt": "CN = *.example.com", "dc2-external.crt": "CN = *.example.com",
		"dc1-internal.crt": "CN = dc1-admin.example.com", "dc2-internal.crt": "CN = dc2-admin.example.com"} {
		if subj := openssltest.Run(t, e.dir, "x509", "-noout", "-subject", "-in", file); !strings.Contains(subj, want) {
			t.Errorf("%s: %s, want %s", file, subj, want)
		}
	}
}

// sameFile reports whether file a holds exactly the files b, concatenated.
func sameFile(t *testing.T, e *env, a string, b ...string) bool {
	x, _ := os.ReadFile(e.path(a))
	var y []byte
	for _, f := range b {
		data, _ := os.ReadFile(e.path(f))
		y = append(y, data...)
	}
	return bytes.Equal(x, y)
}

// checkWB3PerNode: each Web Bridge 3 has its own C2W name in its own
// certificate, and every Call Bridge registers each by its own c2w:// URL
// (Cisco Meeting Server Certificate Guidelines 2.9, D.1, D.4; issue 10 item 3).
func checkWB3PerNode(a, b string) func(*testing.T, *env, *plan.Plan) {
	return func(t *testing.T, e *env, p *plan.Plan) {
		x := openssltest.Run(t, e.dir, "x509", "-noout", "-ext", "subjectAltName", "-in", a+"-wb3c2w.crt")
		y := openssltest.Run(t, e.dir, "x509", "-noout", "-ext", "subjectAltName", "-in", b+"-wb3c2w.crt")
		if x == y {
			t.Errorf("%s and %s share C2W names: %s", a, b, x)
		}
		for _, in := range p.Install {
			text, _ := os.ReadFile(e.path(in.File))
			if !strings.Contains(string(text), "callbridge restart") {
				continue
			}
			if strings.Count(string(text), "API: POST /api/v1/webbridges url=c2w://") != 2 {
				t.Errorf("%s does not register both Web Bridge 3 nodes:\n%s", in.File, text)
			}
		}
	}
}

// testCA is an outside public CA: root, policy CA, issuing CA.
type testCA struct {
	certs []*x509.Certificate // root, policy, issuing
	key   crypto.Signer       // the issuing CA's key
}

func newTestCA(t *testing.T) *testCA {
	ca := &testCA{}
	var parent *testpki.Issued
	for _, cn := range []string{"Test Root", "Test Policy CA", "Test Issuing CA"} {
		tmpl := testpki.CATemplate(cn)
		tmpl.NotAfter = time.Now().AddDate(5, 0, 0)
		parent = testpki.Issue(t, tmpl, parent)
		ca.certs = append(ca.certs, parent.Cert)
	}
	ca.key = parent.Key
	return ca
}

// signAwaiting signs every CSR waiting for a public CA and writes what the
// CA returned, shuffled, into a directory; "" when nothing waits.
func (ca *testCA) signAwaiting(t *testing.T, e *env, p *plan.Plan) string {
	dir := t.TempDir()
	var all []*x509.Certificate
	for _, c := range p.Certificates {
		if c.Status != plan.StatusAwaitingCA || c.KeyHeld != nil {
			continue
		}
		csr, err := readCSR(e.path(c.Files.CSR))
		if err != nil {
			t.Fatal(err)
		}
		eku, _ := extKeyUsages(c)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: csr.Subject,
			DNSNames: csr.DNSNames, IPAddresses: csr.IPAddresses,
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: eku,
		}
		all = append(all, testpki.Sign(t, tmpl, csr.PublicKey, &testpki.Issued{Cert: ca.certs[2], Key: ca.key}))
	}
	if len(all) == 0 {
		return ""
	}
	all = append([]*x509.Certificate{ca.certs[1]}, append(all, ca.certs[0], ca.certs[2])...)
	p7b, err := certio.EncodePKCS7(all...)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "from-the-ca.p7b"), p7b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}
