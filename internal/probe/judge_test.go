package probe

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/testpki"
)

// weakLeaf returns a root and a leaf with a 1024-bit RSA key that the root
// signed with ECDSA-SHA1.
func weakLeaf(t *testing.T) (root, leaf *x509.Certificate) {
	t.Helper()
	leafKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	rt := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Weak Root"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour * 24 * 365), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	lt := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: testName},
		DNSNames: []string{testName}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour * 24 * 365),
		SignatureAlgorithm: x509.ECDSAWithSHA1}
	r := testpki.Issue(t, rt, nil)
	return r.Cert, testpki.IssueKey(t, lt, leafKey, r).Cert
}

func TestJudgeWeakCrypto(t *testing.T) {
	root, leaf := weakLeaf(t)
	fs := Judge([]*x509.Certificate{leaf}, JudgeOptions{ServerName: testName, Roots: []*x509.Certificate{root},
		At: time.Now(), WithinDays: 30})
	if len(fs) != 2 {
		t.Errorf("findings %+v, want only the weak signature and key", fs)
	}
	want := map[Code]Severity{WeakSignature: Warning, WeakKey: Warning}
	for _, f := range fs {
		if sev, ok := want[f.Code]; ok && sev == f.Severity {
			delete(want, f.Code)
		}
	}
	if len(want) > 0 {
		t.Errorf("missing %v in %+v", want, fs)
	}
}

func TestJudgeMD5IsFailure(t *testing.T) {
	data, err := os.ReadFile("testdata/md5-selfsigned.pem")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(data)
	cert, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	fs := Judge([]*x509.Certificate{cert}, JudgeOptions{ServerName: "md5.example.test", At: time.Now()})
	if !slices.ContainsFunc(fs, func(f Finding) bool { return f.Code == WeakSignature && f.Severity == Failure }) {
		t.Errorf("no WEAK_SIGNATURE FAILURE in %+v", fs)
	}
}

func TestJudgeNotYetValid(t *testing.T) {
	p := testPKI()
	fs := Judge([]*x509.Certificate{p.leaf.Cert, p.inter.Cert}, JudgeOptions{
		Roots: []*x509.Certificate{p.root.Cert}, At: p.leaf.Cert.NotBefore.Add(-time.Minute)})
	if len(fs) != 1 || fs[0].Code != Expired || fs[0].Severity != Failure {
		t.Errorf("findings %+v, want one EXPIRED (not yet valid)", fs)
	}
}

func TestJudgeDuplicateIsExtra(t *testing.T) {
	p := testPKI()
	fs := Judge([]*x509.Certificate{p.leaf.Cert, p.inter.Cert, p.inter.Cert}, JudgeOptions{
		Roots: []*x509.Certificate{p.root.Cert}, At: time.Now()})
	if len(fs) != 1 || fs[0].Code != ExtraCerts {
		t.Errorf("findings %+v, want one EXTRA_CERTS", fs)
	}
}
