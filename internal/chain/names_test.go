package chain

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"testing"

	"github.com/confcert/confcert/internal/testpki"
)

// utf8Name encodes O and CN as UTF8String, where Go writes PrintableString.
func utf8Name(t *testing.T, o, cn string) []byte {
	t.Helper()
	atv := func(oid asn1.ObjectIdentifier, v string) []byte {
		b, err := asn1.Marshal(struct {
			Type  asn1.ObjectIdentifier
			Value string `asn1:"utf8"`
		}{oid, v})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	rdn := func(atv []byte) asn1.RawValue {
		return asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: atv}
	}
	der, err := asn1.Marshal([]asn1.RawValue{rdn(atv(asn1.ObjectIdentifier{2, 5, 4, 10}, o)), rdn(atv(asn1.ObjectIdentifier{2, 5, 4, 3}, cn))})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// An issuer whose subject is PrintableString, named by its child in
// UTF8String, with no key identifiers to go by, is still found: the index
// compares names, not bytes.
func TestIssuerNamedInAnotherStringType(t *testing.T) {
	caKey, leafKey := testpki.Key(t), testpki.Key(t)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{Organization: []string{"Example"}, CommonName: "Example CA"},
		NotBefore: testNow.AddDate(-1, 0, 0), NotAfter: testNow.AddDate(1, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
		SubjectKeyId: []byte{}, // none
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	signer := *ca
	signer.RawSubject = utf8Name(t, "Example", "Example CA") // the same name, spelt in UTF8String
	signer.SubjectKeyId = nil
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "meet.example.com"},
		NotBefore: testNow.AddDate(-1, 0, 0), NotAfter: testNow.AddDate(1, 0, 0), DNSNames: []string{"meet.example.com"},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, &signer, leafKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(leafDER)
	if string(leaf.RawIssuer) == string(ca.RawSubject) || len(leaf.AuthorityKeyId) != 0 {
		t.Fatal("fixture: the leaf's issuer bytes should differ from the CA's subject, with no AKI")
	}
	c, err := buildBoth(t, []*x509.Certificate{leaf, ca}, Options{At: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Complete || c.Root == nil || !c.Root.Equal(ca) {
		t.Fatalf("chain complete %v root %v, missing %q; want the CA found", c.Complete, c.Root, c.MissingIssuer)
	}
	if err := Verify(leaf, nil, []*x509.Certificate{ca}, VerifyOptions{At: testNow}); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func readPEMCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A leaf and root signed with MD5 (testdata/mkmd5.sh) link by signature:
// the chain is complete, the root ends it as self-signed, and Verify names
// the broken algorithm instead of a missing issuer.
func TestMD5SignedChainIsLinkedAndReportedBroken(t *testing.T) {
	leaf := readPEMCert(t, "testdata/md5/leaf.pem")
	root := readPEMCert(t, "testdata/md5/root.pem")
	if !SelfSigned(root) {
		t.Error("the MD5 root is not recognised as self-signed")
	}
	c, err := buildBoth(t, []*x509.Certificate{leaf, root}, Options{At: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Complete || c.Root == nil {
		t.Fatalf("chain complete %v, missing %q: want the MD5 root found", c.Complete, c.MissingIssuer)
	}
	err = Verify(leaf, nil, []*x509.Certificate{root}, VerifyOptions{At: testNow})
	var ve *VerifyError
	if !errors.As(err, &ve) || ve.Reason != ReasonBrokenSignature || ve.Depth != 0 {
		t.Fatalf("Verify = %v, want the leaf's broken signature at depth 0", err)
	}
}
