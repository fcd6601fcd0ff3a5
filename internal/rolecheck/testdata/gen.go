//go:build ignore

//go:debug rsa1024min=0

// gen writes the certificates the roles tests use: for every rule of spec
// roles.md one certificate (or file) that breaks it and one that keeps it.
// Run it with `go generate ./internal/rolecheck` from the module root. Times are
// fixed so the tests can judge them at a fixed "now" (2030-06-01).
package main

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	_ "crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	_ "crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"log"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

var (
	start = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	end   = time.Date(2045, 1, 1, 0, 0, 0, 0, time.UTC)
)

type issued struct {
	cert *x509.Certificate
	key  crypto.Signer
}

func main() {
	dir := "testdata"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	g := &gen{dir: dir}
	g.run()
}

type gen struct {
	dir    string
	serial int64
}

func (g *gen) run() {
	root := g.ca("root", "Test Root CA", nil, ecKey())
	inter := g.ca("inter", "Test Issuing CA", root, ecKey())
	dbca := g.ca("dbca", "Database Cluster CA", nil, ecKey())
	rsaca := g.ca("rsaca", "Test RSA CA", nil, rsaKey(2048))

	good := g.leaf("good", inter, ecKey(), func(t *x509.Certificate) {})
	g.key("other", ecKey())
	g.leaf("expired", inter, ecKey(), func(t *x509.Certificate) { t.NotAfter = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) })
	g.leaf("future", inter, ecKey(), func(t *x509.Certificate) { t.NotBefore = time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC) })
	g.leaf("soon", inter, ecKey(), func(t *x509.Certificate) { t.NotAfter = time.Date(2030, 6, 15, 0, 0, 0, 0, time.UTC) })
	g.weak("md5", rsaca, x509.MD5WithRSA, crypto.MD5)
	g.weak("sha1", rsaca, x509.SHA1WithRSA, crypto.SHA1)
	g.leaf("rsa512", inter, rsaKey(512), func(t *x509.Certificate) {})
	g.leaf("rsa1024", inter, rsaKey(1024), func(t *x509.Certificate) {})
	g.leaf("rsa2048", inter, rsaKey(2048), func(t *x509.Certificate) {})
	g.leaf("nosan", inter, ecKey(), func(t *x509.Certificate) { t.DNSNames = nil })
	g.leaf("cnnotinsan", inter, ecKey(), func(t *x509.Certificate) { t.DNSNames = []string{"other.example.com"} })
	g.leaf("kunods", inter, ecKey(), func(t *x509.Certificate) { t.KeyUsage = x509.KeyUsageKeyAgreement })
	g.leaf("serveronly", inter, ecKey(), func(t *x509.Certificate) { t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth} })
	g.leaf("clientonly", inter, ecKey(), func(t *x509.Certificate) { t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth} })
	g.leaf("lync", inter, ecKey(), func(t *x509.Certificate) {
		t.Subject.CommonName = "lync.example.com"
		t.DNSNames = []string{"cms1.example.com"}
	})
	g.leaf("postgres", dbca, ecKey(), func(t *x509.Certificate) {
		t.Subject.CommonName, t.DNSNames = "postgres", nil
		t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	})
	g.leaf("dbserver", dbca, ecKey(), func(t *x509.Certificate) {
		t.Subject.CommonName, t.DNSNames = "db1.example.com", []string{"db1.example.com", "db2.example.com"}
		t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	})
	g.leaf("xmppip", inter, ecKey(), func(t *x509.Certificate) { t.IPAddresses = []net.IP{net.ParseIP("192.168.1.25")} })
	g.leaf("wildsan", inter, ecKey(), func(t *x509.Certificate) {
		t.Subject.CommonName, t.DNSNames = "cwms.example.com", []string{"cwms.example.com", "*.example.com"}
	})
	g.leaf("wildcn", inter, ecKey(), func(t *x509.Certificate) {
		t.Subject.CommonName, t.DNSNames = "*.example.com", []string{"*.example.com"}
	})
	g.leaf("internal", inter, ecKey(), func(t *x509.Certificate) {
		t.Subject.CommonName, t.DNSNames = "dc1-admin.example.com", []string{"dc1-admin.example.com", "cwms1.example.local"}
	})
	g.leaf("mpabbrev", inter, ecKey(), func(t *x509.Certificate) { t.Subject.Locality, t.Subject.Province = []string{"SJ"}, nil })
	g.leaf("noski", inter, ecKey(), func(t *x509.Certificate) { t.SubjectKeyId = nil })
	g.leaf("byroot", root, ecKey(), func(t *x509.Certificate) {})
	selfKey := ecKey()
	g.leaf("selfsigned", &issued{key: selfKey}, selfKey, func(t *x509.Certificate) {})

	i2 := g.ca("inter2", "Test Issuing CA 2", inter, ecKey())
	i3 := g.ca("inter3", "Test Issuing CA 3", i2, ecKey())
	deep := g.leaf("deep", i3, ecKey(), func(t *x509.Certificate) {})

	g.pem("bundle.crt", inter, root)
	g.pem("bundle-reversed.crt", root, inter)
	g.pem("bundle-rootonly.crt", root)
	g.pem("fullchain.crt", good, inter, root)
	g.pem("fullchain-noroot.crt", good, inter)
	g.pem("deep-bundle.crt", i3, i2, inter, root)
	g.pem("deep-fullchain.crt", deep, i3, i2, inter, root)
	g.pem("cwms1x.pem", good, inter)
	g.pem("cwms25.pem", inter, good)
	g.pem("cwms1x-root.pem", good, inter, root)
	g.pem("mp.pem", good, inter)
	g.pem("mp-reversed.pem", inter, good)
	g.withKey("cwms-keytop.pem", good, true, good, inter)
	g.withKey("cwms-keymid.pem", good, false, good, inter)
}

func ecKey() crypto.Signer {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	check(err)
	return k
}

func rsaKey(bits int) crypto.Signer {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	check(err)
	return k
}

func ski(pub crypto.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	check(err)
	sum := sha256.Sum256(der)
	return sum[:20]
}

func (g *gen) nextSerial() *big.Int {
	g.serial++
	return big.NewInt(0x1000 + g.serial)
}

func (g *gen) ca(name, cn string, parent *issued, key crypto.Signer) *issued {
	t := &x509.Certificate{
		SerialNumber: g.nextSerial(), Subject: pkix.Name{CommonName: cn, Organization: []string{"Example Inc."}},
		NotBefore: start.AddDate(-1, 0, 0), NotAfter: end.AddDate(5, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, SubjectKeyId: ski(key.Public()),
	}
	return g.sign(name, t, parent, key)
}

func (g *gen) leaf(name string, parent *issued, key crypto.Signer, edit func(*x509.Certificate)) *issued {
	t := &x509.Certificate{
		SerialNumber: g.nextSerial(),
		Subject: pkix.Name{CommonName: "cms1.example.com", Organization: []string{"Example Inc."},
			Locality: []string{"San Jose"}, Province: []string{"California"}, Country: []string{"US"}},
		DNSNames:  []string{"cms1.example.com", "example.com", "join.example.com", "conf.example.com"},
		NotBefore: start, NotAfter: end, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		SubjectKeyId: ski(key.Public()),
	}
	edit(t)
	return g.sign(name, t, parent, key)
}

// sign issues t (self-signed when parent is nil or has no certificate) and
// writes NAME.crt and NAME.key.
func (g *gen) sign(name string, t *x509.Certificate, parent *issued, key crypto.Signer) *issued {
	pc, pk := t, key
	if parent != nil && parent.cert != nil {
		pc, pk = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, t, pc, key.Public(), pk)
	check(err)
	c, err := x509.ParseCertificate(der)
	check(err)
	is := &issued{cert: c, key: key}
	g.pem(name+".crt", is)
	g.key(name, key)
	return is
}

// weak issues an RSA leaf signed with an algorithm Go no longer signs with:
// made with SHA-256, then the algorithm identifiers swapped and re-signed.
func (g *gen) weak(name string, ca *issued, alg x509.SignatureAlgorithm, h crypto.Hash) {
	key := rsaKey(2048)
	t := &x509.Certificate{
		SerialNumber: g.nextSerial(), Subject: pkix.Name{CommonName: "cms1.example.com"},
		DNSNames: []string{"cms1.example.com"}, NotBefore: start, NotAfter: end,
		KeyUsage: x509.KeyUsageDigitalSignature, SubjectKeyId: ski(key.Public()),
		SignatureAlgorithm: x509.SHA256WithRSA,
	}
	der, err := x509.CreateCertificate(rand.Reader, t, ca.cert, key.Public(), ca.key)
	check(err)
	oid := map[x509.SignatureAlgorithm]byte{x509.MD5WithRSA: 4, x509.SHA1WithRSA: 5}[alg]
	sha256ID := []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b}
	der = bytes.ReplaceAll(der, sha256ID, append(sha256ID[:10:10], oid))
	var outer struct {
		TBS asn1.RawValue
		Alg asn1.RawValue
		Sig asn1.BitString
	}
	_, err = asn1.Unmarshal(der, &outer)
	check(err)
	d := h.New()
	d.Write(outer.TBS.FullBytes)
	sig, err := rsa.SignPKCS1v15(rand.Reader, ca.key.(*rsa.PrivateKey), h, d.Sum(nil))
	check(err)
	outer.Sig = asn1.BitString{Bytes: sig, BitLength: len(sig) * 8}
	der, err = asn1.Marshal(outer)
	check(err)
	c, err := x509.ParseCertificate(der)
	check(err)
	if c.SignatureAlgorithm != alg {
		log.Fatalf("%s: signature algorithm %v, want %v", name, c.SignatureAlgorithm, alg)
	}
	g.pem(name+".crt", &issued{cert: c})
	g.key(name, key)
}

func (g *gen) key(name string, key crypto.Signer) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	check(err)
	g.write(name+".key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func (g *gen) pem(file string, certs ...*issued) {
	var b []byte
	for _, c := range certs {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.cert.Raw})...)
	}
	g.write(file, b)
}

// withKey writes certs with the key block on top (top) or after the first certificate.
func (g *gen) withKey(file string, k *issued, top bool, certs ...*issued) {
	der, err := x509.MarshalPKCS8PrivateKey(k.key)
	check(err)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	var b []byte
	for i, c := range certs {
		if (top && i == 0) || (!top && i == 1) {
			b = append(b, keyPEM...)
		}
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.cert.Raw})...)
	}
	g.write(file, b)
}

func (g *gen) write(name string, data []byte) {
	check(os.WriteFile(filepath.Join(g.dir, name), data, 0o600))
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
