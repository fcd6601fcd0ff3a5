package testpki

import (
	"crypto/ecdsa"
	"crypto/x509"
	"math/big"
	"testing"
)

// TestHierarchyVerifies: root → intermediate → leaf issued here is a chain
// Go's verifier accepts for the leaf's name, and each certificate carries
// the key it was issued for.
func TestHierarchyVerifies(t *testing.T) {
	root := Issue(t, CATemplate("Test Root"), nil)
	inter := Issue(t, CATemplate("Test Intermediate"), root)
	leaf := Issue(t, LeafTemplate("svc.example.test"), inter)
	roots, inters := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(root.Cert)
	inters.AddCert(inter.Cert)
	if _, err := leaf.Cert.Verify(x509.VerifyOptions{DNSName: "svc.example.test", Roots: roots,
		Intermediates: inters}); err != nil {
		t.Fatalf("leaf does not verify: %v", err)
	}
	if err := root.Cert.CheckSignatureFrom(root.Cert); err != nil {
		t.Errorf("root is not self-signed: %v", err)
	}
	for _, is := range []*Issued{root, inter, leaf} {
		if !is.Key.Public().(*ecdsa.PublicKey).Equal(is.Cert.PublicKey) {
			t.Errorf("%s: certificate and key differ", is.Cert.Subject.CommonName)
		}
	}
	if root.Cert.SerialNumber.Cmp(inter.Cert.SerialNumber) == 0 {
		t.Error("two certificates share a serial")
	}
}

// TestIssueKeyAndSign: a given key is certified as is, by two issuers, and
// Sign certifies a bare public key under its parent.
func TestIssueKeyAndSign(t *testing.T) {
	r1 := Issue(t, CATemplate("Root One"), nil)
	r2 := Issue(t, CATemplate("Root Two"), nil)
	key := Key(t)
	a := IssueKey(t, CATemplate("Issuing CA"), key, r1)
	b := IssueKey(t, CATemplate("Issuing CA"), key, r2)
	if !a.Cert.PublicKey.(*ecdsa.PublicKey).Equal(b.Cert.PublicKey) || a.Key != key {
		t.Error("the two certificates do not carry the given key")
	}
	if a.Cert.CheckSignatureFrom(r1.Cert) != nil || b.Cert.CheckSignatureFrom(r2.Cert) != nil {
		t.Error("a cross-certificate is not signed by its root")
	}
	c := Sign(t, LeafTemplate("csr.example.test"), Key(t).Public(), a)
	if err := c.CheckSignatureFrom(a.Cert); err != nil {
		t.Errorf("signed certificate: %v", err)
	}
}

// TestNewRejectsBadTemplate: a template x509 refuses is an error, not a panic.
func TestNewRejectsBadTemplate(t *testing.T) {
	bad := LeafTemplate("x")
	bad.SerialNumber = big.NewInt(-1)
	if _, err := New(bad, nil, nil); err == nil {
		t.Error("New accepted a template x509 cannot encode")
	}
}

// TestTLSCertificate keeps the order given and the key of the first
// certificate.
func TestTLSCertificate(t *testing.T) {
	root := Issue(t, CATemplate("Root"), nil)
	leaf := Issue(t, LeafTemplate("svc.example.test"), root)
	tc := TLSCertificate(leaf.Key, leaf.Cert, root.Cert)
	if len(tc.Certificate) != 2 || string(tc.Certificate[0]) != string(leaf.Cert.Raw) ||
		string(tc.Certificate[1]) != string(root.Cert.Raw) || tc.PrivateKey != leaf.Key {
		t.Errorf("tls.Certificate %d certificates, wrong order or key", len(tc.Certificate))
	}
}
