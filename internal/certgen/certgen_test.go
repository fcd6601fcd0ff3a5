package certgen

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/openssltest"
)

// testKeys are generated once per test binary: RSA keys are slow.
var testKeys = sync.OnceValues(func() (map[keys.Type]crypto.Signer, error) {
	types := []keys.Type{keys.RSA2048, keys.ECDSAP256, keys.ECDSAP384, keys.Ed25519}
	signers, err := keys.GenerateAll(context.Background(), types, nil)
	if err != nil {
		return nil, err
	}
	out := map[keys.Type]crypto.Signer{}
	for i, t := range types {
		out[t] = signers[i]
	}
	return out, nil
})

func key(t *testing.T, typ keys.Type) crypto.Signer {
	t.Helper()
	m, err := testKeys()
	if err != nil {
		t.Fatal(err)
	}
	return m[typ]
}

// otherKey makes a fresh P-256 key, distinct from the shared ones.
func otherKey(t *testing.T) crypto.Signer {
	t.Helper()
	k, err := keys.Generate(keys.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func request() Request {
	return Request{
		Subject:        pkix.Name{CommonName: "cms1.example.com", Organization: []string{"Example Inc."}},
		DNSNames:       []string{"cms1a.example.com", "join.example.com", "cms1.example.com"},
		IPAddresses:    []net.IP{net.ParseIP("192.0.2.10"), net.ParseIP("2001:db8::1")},
		EmailAddresses: []string{"admin@example.com"},
		URIs:           []*url.URL{{Scheme: "sip", Opaque: "cms1@example.com"}},
	}
}

func mustCSR(t *testing.T, k crypto.Signer, r Request) *x509.CertificateRequest {
	t.Helper()
	der, err := CSR(k, r)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		t.Fatal(err)
	}
	return csr
}

func mustCA(t *testing.T, k crypto.Signer, days int) *x509.Certificate {
	t.Helper()
	ca, err := SelfSignedCA(k, pkix.Name{CommonName: "My company CA"}, days, now)
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func TestCSR(t *testing.T) {
	tests := []struct {
		typ    keys.Type
		wantKU x509.KeyUsage
		sigAlg x509.SignatureAlgorithm
	}{
		{keys.RSA2048, x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, x509.SHA256WithRSA},
		{keys.ECDSAP256, x509.KeyUsageDigitalSignature, x509.ECDSAWithSHA256},
		{keys.ECDSAP384, x509.KeyUsageDigitalSignature, x509.ECDSAWithSHA384},
		{keys.Ed25519, x509.KeyUsageDigitalSignature, x509.PureEd25519},
	}
	for _, tt := range tests {
		t.Run(string(tt.typ), func(t *testing.T) {
			r := request()
			csr := mustCSR(t, key(t, tt.typ), r)
			if err := csr.CheckSignature(); err != nil {
				t.Fatal(err)
			}
			if csr.SignatureAlgorithm != tt.sigAlg {
				t.Errorf("signature algorithm %v, want %v", csr.SignatureAlgorithm, tt.sigAlg)
			}
			if got := requestedKeyUsage(t, csr); got != tt.wantKU {
				t.Errorf("requested keyUsage %b, want %b", got, tt.wantKU)
			}
			if csr.Subject.CommonName != r.Subject.CommonName || len(csr.DNSNames) != 3 ||
				len(csr.IPAddresses) != 2 || len(csr.EmailAddresses) != 1 || len(csr.URIs) != 1 {
				t.Errorf("CSR lost names: %+v", csr)
			}
			openssltest.Run(t, "", "req", "-verify", "-noout", "-in", writePEM(t, "CERTIFICATE REQUEST", csr.Raw))
		})
	}
}

// requestedKeyUsage decodes the keyUsage in the CSR's extension request.
func requestedKeyUsage(t *testing.T, csr *x509.CertificateRequest) x509.KeyUsage {
	t.Helper()
	for _, ext := range csr.Extensions {
		if !ext.Id.Equal(oidKeyUsage) {
			continue
		}
		if !ext.Critical {
			t.Error("keyUsage is not critical")
		}
		var bits asn1.BitString
		if _, err := asn1.Unmarshal(ext.Value, &bits); err != nil {
			t.Fatal(err)
		}
		var ku x509.KeyUsage
		for i := 0; i < bits.BitLength; i++ {
			if bits.At(i) == 1 {
				ku |= 1 << i
			}
		}
		return ku
	}
	t.Fatal("no keyUsage in the CSR")
	return 0
}

func TestCSRWithOpenSSLText(t *testing.T) {
	csr := mustCSR(t, key(t, keys.RSA2048), request())
	out := openssltest.Run(t, "", "req", "-noout", "-text", "-in", writePEM(t, "CERTIFICATE REQUEST", csr.Raw))
	for _, want := range []string{"Digital Signature, Key Encipherment", "DNS:join.example.com",
		"IP Address:2001:DB8:0:0:0:0:0:1", "email:admin@example.com", "sha256WithRSAEncryption"} {
		if !strings.Contains(out, want) {
			t.Errorf("openssl req -text lacks %q:\n%s", want, out)
		}
	}
}

func TestCSRNoKey(t *testing.T) {
	if _, err := CSR(nil, request()); err == nil {
		t.Fatal("CSR(nil) succeeded")
	}
}

func TestKeyUsageExtensionDER(t *testing.T) {
	tests := []struct {
		ku   x509.KeyUsage
		want []byte
	}{
		// BIT STRING, length, unused bits, bits: digitalSignature is bit 0.
		{x509.KeyUsageDigitalSignature, []byte{0x03, 0x02, 0x07, 0x80}},
		{x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, []byte{0x03, 0x02, 0x05, 0xa0}},
		{x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature, []byte{0x03, 0x02, 0x01, 0x86}},
		{x509.KeyUsageDecipherOnly, []byte{0x03, 0x03, 0x07, 0x00, 0x80}},
	}
	for _, tt := range tests {
		ext, err := keyUsageExtension(tt.ku)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ext.Value, tt.want) {
			t.Errorf("keyUsage %b encodes as % x, want % x", tt.ku, ext.Value, tt.want)
		}
	}
}

func TestSelfSignedCA(t *testing.T) {
	for _, typ := range []keys.Type{keys.RSA2048, keys.ECDSAP256, keys.Ed25519} {
		t.Run(string(typ), func(t *testing.T) {
			ca := mustCA(t, key(t, typ), 3650)
			if !ca.BasicConstraintsValid || !ca.IsCA {
				t.Error("not CA:TRUE")
			}
			want := x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature
			if ca.KeyUsage != want {
				t.Errorf("keyUsage %b, want %b", ca.KeyUsage, want)
			}
			if len(ca.SubjectKeyId) != 20 {
				t.Errorf("SKI %x", ca.SubjectKeyId)
			}
			if err := ca.CheckSignatureFrom(ca); err != nil {
				t.Error(err)
			}
			if got := ca.NotAfter.Sub(now); got != 3650*24*time.Hour {
				t.Errorf("valid for %v after now", got)
			}
			if ca.SerialNumber.Sign() <= 0 || ca.SerialNumber.BitLen() > 128 {
				t.Errorf("serial %v", ca.SerialNumber)
			}
			path := writePEM(t, "CERTIFICATE", ca.Raw)
			openssltest.Run(t, "", "verify", "-attime", unix(now), "-CAfile", path, path)
		})
	}
}

func TestSelfSignedRefusals(t *testing.T) {
	if _, err := SelfSignedCA(key(t, keys.ECDSAP256), pkix.Name{CommonName: "x"}, 0, now); !errors.Is(err, ErrBadDays) {
		t.Errorf("days 0: %v", err)
	}
	if _, err := SelfSignedCA(nil, pkix.Name{CommonName: "x"}, 1, now); err == nil {
		t.Error("nil key accepted")
	}
}

func TestSign(t *testing.T) {
	tests := []struct {
		caType, leafType keys.Type
		profile          Profile
		purpose          string
		wantEKU          []x509.ExtKeyUsage
		wantKU           x509.KeyUsage
	}{
		{keys.RSA2048, keys.RSA2048, ProfileServerClient, "sslserver",
			[]x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
			x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment},
		{keys.RSA2048, keys.ECDSAP256, ProfileServer, "sslserver",
			[]x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, x509.KeyUsageDigitalSignature},
		{keys.ECDSAP384, keys.RSA2048, ProfileClient, "sslclient",
			[]x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
			x509.KeyUsageDigitalSignature},
		{keys.ECDSAP256, keys.Ed25519, "", "sslclient",
			[]x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}, x509.KeyUsageDigitalSignature},
		{keys.Ed25519, keys.ECDSAP256, ProfileServerClient, "sslserver",
			[]x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}, x509.KeyUsageDigitalSignature},
	}
	for _, tt := range tests {
		t.Run(string(tt.caType)+"/"+string(tt.leafType)+"/"+string(tt.profile), func(t *testing.T) {
			ca := mustCA(t, key(t, tt.caType), 3650)
			csr := mustCSR(t, key(t, tt.leafType), request())
			cert, err := Sign(csr, ca, key(t, tt.caType), SignOptions{Profile: tt.profile, Days: 730, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			checkIssued(t, cert, csr, ca)
			if cert.KeyUsage != tt.wantKU {
				t.Errorf("keyUsage %b, want %b", cert.KeyUsage, tt.wantKU)
			}
			if !equalEKU(cert.ExtKeyUsage, tt.wantEKU) {
				t.Errorf("EKU %v, want %v", cert.ExtKeyUsage, tt.wantEKU)
			}
			goVerifies(t, cert, ca, tt.wantEKU[0])
			openssltest.Run(t, "", "verify", "-attime", unix(now.Add(time.Hour)), "-purpose", tt.purpose,
				"-CAfile", writePEM(t, "CERTIFICATE", ca.Raw), writePEM(t, "CERTIFICATE", cert.Raw))
		})
	}
}

// checkIssued checks what every certificate from Sign must have.
func checkIssued(t *testing.T, cert *x509.Certificate, csr *x509.CertificateRequest, ca *x509.Certificate) {
	t.Helper()
	if !bytes.Equal(cert.RawSubject, csr.RawSubject) {
		t.Errorf("subject %q, want %q", cert.Subject, csr.Subject)
	}
	if strings.Join(cert.DNSNames, ",") != strings.Join(csr.DNSNames, ",") ||
		len(cert.IPAddresses) != len(csr.IPAddresses) || len(cert.EmailAddresses) != len(csr.EmailAddresses) ||
		len(cert.URIs) != len(csr.URIs) {
		t.Errorf("SANs not copied: %v %v %v %v", cert.DNSNames, cert.IPAddresses, cert.EmailAddresses, cert.URIs)
	}
	if cert.SerialNumber.Sign() <= 0 || cert.SerialNumber.BitLen() > 128 {
		t.Errorf("serial %v", cert.SerialNumber)
	}
	if cert.IsCA {
		t.Error("leaf is a CA")
	}
	if !bytes.Equal(cert.AuthorityKeyId, ca.SubjectKeyId) || len(cert.SubjectKeyId) == 0 {
		t.Errorf("AKI %x (CA SKI %x), SKI %x", cert.AuthorityKeyId, ca.SubjectKeyId, cert.SubjectKeyId)
	}
	if err := cert.CheckSignatureFrom(ca); err != nil {
		t.Error(err)
	}
	if !cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(csr.PublicKey) {
		t.Error("public key not copied from the CSR")
	}
}

func equalEKU(a, b []x509.ExtKeyUsage) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func goVerifies(t *testing.T, cert, ca *x509.Certificate, eku x509.ExtKeyUsage) {
	t.Helper()
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	opts := x509.VerifyOptions{Roots: roots, CurrentTime: now.Add(time.Hour),
		KeyUsages: []x509.ExtKeyUsage{eku}, DNSName: "join.example.com"}
	if _, err := cert.Verify(opts); err != nil {
		t.Errorf("Go's verifier: %v", err)
	}
}

func TestSignValidity(t *testing.T) {
	caKey := key(t, keys.ECDSAP256)
	ca := mustCA(t, caKey, 100)
	csr := mustCSR(t, key(t, keys.ECDSAP256), request())
	tests := []struct {
		name string
		days int
		want time.Time
	}{
		{"within the CA", 30, now.AddDate(0, 0, 30)},
		{"capped at the CA's notAfter", 730, ca.NotAfter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cert, err := Sign(csr, ca, caKey, SignOptions{Days: tt.days, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			if !cert.NotAfter.Equal(tt.want) {
				t.Errorf("notAfter %v, want %v", cert.NotAfter, tt.want)
			}
			if cert.NotBefore.Before(ca.NotBefore) || cert.NotBefore.After(now) {
				t.Errorf("notBefore %v outside [%v, %v]", cert.NotBefore, ca.NotBefore, now)
			}
		})
	}
}

func TestSignOptions(t *testing.T) {
	caKey := key(t, keys.ECDSAP256)
	ca := mustCA(t, caKey, 100)
	csr := mustCSR(t, key(t, keys.ECDSAP256), request())
	serial := big.NewInt(4242)
	cert, err := Sign(csr, ca, caKey, SignOptions{Days: 10, Now: now, Serial: serial,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}, Profile: ProfileServer})
	if err != nil {
		t.Fatal(err)
	}
	if cert.SerialNumber.Cmp(serial) != 0 {
		t.Errorf("serial %v, want %v", cert.SerialNumber, serial)
	}
	if !equalEKU(cert.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}) {
		t.Errorf("EKU %v: ExtKeyUsage must override the profile", cert.ExtKeyUsage)
	}
	if _, err := Sign(csr, ca, caKey, SignOptions{Days: 10, Serial: big.NewInt(-1)}); err == nil {
		t.Error("negative serial accepted")
	}
	current, err := SelfSignedCA(caKey, pkix.Name{CommonName: "current CA"}, 10, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if cert, err := Sign(csr, current, caKey, SignOptions{Days: 1}); err != nil || time.Since(cert.NotBefore) > time.Hour {
		t.Errorf("zero Now should mean the current time: %v", err)
	}
}

func TestSignRefusals(t *testing.T) {
	caKey := key(t, keys.ECDSAP256)
	ca := mustCA(t, caKey, 100)
	leafKey := key(t, keys.Ed25519)
	csr := mustCSR(t, leafKey, request())
	leaf, err := Sign(csr, ca, caKey, SignOptions{Days: 10, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		csr   *x509.CertificateRequest
		ca    *x509.Certificate
		caKey crypto.Signer
		o     SignOptions
		want  error
	}{
		{"bad CSR signature", tamperedCSR(t, csr), ca, caKey, SignOptions{Days: 10, Now: now}, ErrBadCSRSignature},
		{"not a CA", csr, leaf, leafKey, SignOptions{Days: 10, Now: now}, ErrNotCA},
		{"key mismatch", csr, ca, otherKey(t), SignOptions{Days: 10, Now: now}, ErrKeyMismatch},
		{"expired CA", csr, ca, caKey, SignOptions{Days: 10, Now: now.AddDate(1, 0, 0)}, ErrCAExpired},
		{"zero days", csr, ca, caKey, SignOptions{Days: 0, Now: now}, ErrBadDays},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Sign(tt.csr, tt.ca, tt.caKey, tt.o)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Sign error = %v, want %v", err, tt.want)
			}
		})
	}
	// CSRVerified: the caller verified the signature (localca's precheck),
	// so Sign does not verify it again; every other check still applies.
	if _, err := Sign(tamperedCSR(t, csr), ca, caKey, SignOptions{Days: 10, Now: now, CSRVerified: true}); err != nil {
		t.Errorf("Sign with CSRVerified verified the CSR again: %v", err)
	}
	if _, err := Sign(csr, ca, otherKey(t), SignOptions{Days: 10, Now: now, CSRVerified: true}); !errors.Is(err, ErrKeyMismatch) {
		t.Errorf("Sign with CSRVerified = %v, want %v", err, ErrKeyMismatch)
	}
}

func TestCheckCA(t *testing.T) {
	caKey := key(t, keys.ECDSAP256)
	ca := mustCA(t, caKey, 100)
	noCertSign := *ca
	noCertSign.KeyUsage = x509.KeyUsageDigitalSignature
	noBC := *ca
	noBC.BasicConstraintsValid = false
	tests := []struct {
		name string
		cert *x509.Certificate
		want error
	}{
		{"CA", ca, nil},
		{"no keyCertSign", &noCertSign, ErrNotCA},
		{"no basicConstraints", &noBC, ErrNotCA},
	}
	for _, tt := range tests {
		if err := CheckCA(tt.cert); !errors.Is(err, tt.want) {
			t.Errorf("%s: CheckCA = %v, want %v", tt.name, err, tt.want)
		}
	}
}

// tamperedCSR flips a bit of the CSR's signature.
func tamperedCSR(t *testing.T, csr *x509.CertificateRequest) *x509.CertificateRequest {
	t.Helper()
	der := bytes.Clone(csr.Raw)
	der[len(der)-5] ^= 0x01
	bad, err := x509.ParseCertificateRequest(der)
	if err != nil {
		t.Fatal(err)
	}
	return bad
}

func TestSignOpenSSLCSRWithCAWithoutSKI(t *testing.T) {
	openssltest.Need(t)
	dir := t.TempDir()
	caKeyPath, caPath, csrPath := filepath.Join(dir, "ca.key"), filepath.Join(dir, "ca.crt"), filepath.Join(dir, "w.csr")
	openssltest.Run(t, "", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", caKeyPath, "-out", caPath, "-days", "30", "-subj", "/CN=openssl CA",
		"-addext", "basicConstraints=critical,CA:TRUE", "-addext", "subjectKeyIdentifier=none",
		"-addext", "authorityKeyIdentifier=none")
	openssltest.Run(t, "", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", filepath.Join(dir, "w.key"), "-out", csrPath, "-subj", "/C=GB/O=Example/CN=webbridge.example.com",
		"-addext", "subjectAltName=DNS:webbridge.example.com")
	ca := readCert(t, caPath)
	csr, err := x509.ParseCertificateRequest(pemBytes(t, csrPath))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := Sign(csr, ca, readKey(t, caKeyPath), SignOptions{Days: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(cert.AuthorityKeyId) == 0 || cert.Subject.String() != csr.Subject.String() {
		t.Errorf("AKI %x subject %q", cert.AuthorityKeyId, cert.Subject)
	}
	openssltest.Run(t, "", "verify", "-purpose", "sslserver", "-CAfile", caPath, writePEM(t, "CERTIFICATE", cert.Raw))
}

func TestParseProfile(t *testing.T) {
	tests := []struct {
		in      string
		want    Profile
		wantErr bool
	}{
		{"", ProfileServerClient, false},
		{"server", ProfileServer, false},
		{"CLIENT", ProfileClient, false},
		{"server+client", ProfileServerClient, false},
		{"both", "", true},
	}
	for _, tt := range tests {
		got, err := ParseProfile(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseProfile(%q) = %q, %v", tt.in, got, err)
		}
	}
}

func TestRandomSerial(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		s, err := RandomSerial()
		if err != nil {
			t.Fatal(err)
		}
		if s.Sign() <= 0 || s.BitLen() > 128 || seen[s.String()] {
			t.Fatalf("bad or repeated serial %v", s)
		}
		seen[s.String()] = true
	}
}

func writePEM(t *testing.T, typ string, der []byte) string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "*.pem")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := pem.Encode(f, &pem.Block{Type: typ, Bytes: der}); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}

func pemBytes(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("%s: no PEM block", path)
	}
	return block.Bytes
}

func readCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	cert, err := x509.ParseCertificate(pemBytes(t, path))
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func readKey(t *testing.T, path string) crypto.Signer {
	t.Helper()
	k, err := x509.ParsePKCS8PrivateKey(pemBytes(t, path))
	if err != nil {
		t.Fatal(err)
	}
	return k.(crypto.Signer)
}

func unix(tm time.Time) string {
	return big.NewInt(tm.Unix()).String()
}
