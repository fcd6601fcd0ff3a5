package certgen

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/openssltest"
)

// basicConstraintsRequest is the extension a CSR adds to ask for a CA.
func basicConstraintsRequest(t *testing.T, isCA bool, pathLen int) pkix.Extension {
	t.Helper()
	v, err := asn1.Marshal(struct {
		IsCA    bool `asn1:"optional"`
		PathLen int  `asn1:"optional,default:-1"`
	}{isCA, pathLen})
	if err != nil {
		t.Fatal(err)
	}
	return pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 19}, Critical: true, Value: v}
}

// TestSignSubordinateCA: with SubordinateCA the certificate is a CA with
// pathLenConstraint 0 (critical) and keyUsage digitalSignature +
// keyCertSign, whatever basic constraints the CSR asks (the Unified CM CAPF:
// Security Guide Release 14SU2, "Certificate Authority Proxy Function"), as
// openssl reads it and verifies it to the root.
func TestSignSubordinateCA(t *testing.T) {
	root := mustCA(t, key(t, keys.ECDSAP384), 3650)
	rootPath := writePEM(t, "CERTIFICATE", root.Raw)
	tests := []struct {
		name string
		ask  []pkix.Extension
	}{
		{"asks nothing", nil},
		{"asks CA:TRUE pathlen 5", []pkix.Extension{basicConstraintsRequest(t, true, 5)}},
		{"asks CA:FALSE", []pkix.Extension{basicConstraintsRequest(t, false, -1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			csr := mustRawCSR(t, key(t, keys.RSA2048), &x509.CertificateRequest{
				Subject: pkix.Name{CommonName: "cucm-pub.example.com"}, DNSNames: []string{"cucm-pub.example.com"}, ExtraExtensions: tt.ask})
			cert, err := Sign(csr, root, key(t, keys.ECDSAP384), SignOptions{SubordinateCA: true, Days: 730, Now: now,
				ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}})
			if err != nil {
				t.Fatal(err)
			}
			if !cert.IsCA || cert.MaxPathLen != 0 || !cert.MaxPathLenZero || cert.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageCertSign {
				t.Errorf("IsCA %v MaxPathLen %d zero %v KeyUsage %b", cert.IsCA, cert.MaxPathLen, cert.MaxPathLenZero, cert.KeyUsage)
			}
			path := writePEM(t, "CERTIFICATE", cert.Raw)
			text := openssltest.Run(t, "", "x509", "-noout", "-text", "-in", path)
			for _, w := range []string{"X509v3 Basic Constraints: critical\n                CA:TRUE, pathlen:0",
				"X509v3 Key Usage: critical\n                Digital Signature, Certificate Sign\n",
				"TLS Web Server Authentication, TLS Web Client Authentication"} {
				if !strings.Contains(text, w) {
					t.Errorf("openssl x509 -text lacks %q:\n%s", w, text)
				}
			}
			if strings.Contains(text, "CRL Sign") {
				t.Errorf("cRLSign granted:\n%s", text)
			}
			if out := openssltest.Run(t, "", "verify", "-attime", unix(now.Add(time.Hour)), "-CAfile", rootPath, path); !strings.Contains(out, ": OK") {
				t.Error(out)
			}
		})
	}
}

// TestSubordinateCAPathLen: a certificate the subordinate CA signs (a phone's
// LSC) verifies to the root, with openssl and Go; one level more is refused
// by both: a certificate signed by the LSC's key (not a CA), and one below a
// CA the subordinate CA signed against its pathLenConstraint 0.
func TestSubordinateCAPathLen(t *testing.T) {
	rootKey, subKey, lscKey := key(t, keys.ECDSAP384), key(t, keys.RSA2048), otherKey(t)
	root := mustCA(t, rootKey, 3650)
	csr := mustRawCSR(t, subKey, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "cucm-pub.example.com"},
		ExtraExtensions: []pkix.Extension{basicConstraintsRequest(t, true, 5)}})
	sub, err := Sign(csr, root, rootKey, SignOptions{SubordinateCA: true, Days: 730, Now: now,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}})
	if err != nil {
		t.Fatal(err)
	}
	lsc, err := Sign(mustCSR(t, lscKey, Request{Subject: pkix.Name{CommonName: "CP-8865-SEP001122334455"}}), sub, subKey,
		SignOptions{Profile: ProfileServerClient, Days: 365, Now: now})
	if err != nil {
		t.Fatalf("the subordinate CA cannot sign an LSC: %v", err)
	}
	// A CA below the subordinate CA, as a CAPF that broke its constraint
	// would sign it, and a certificate below it.
	rogueCA := rawSigned(t, &x509.Certificate{Subject: pkix.Name{CommonName: "rogue CA"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}, sub, lscKey.Public(), subKey)
	tests := []struct {
		name      string
		leaf      *x509.Certificate
		chain     []*x509.Certificate // intermediates, nearest the leaf first
		ok        bool
		opensslRe string // what openssl says when it refuses
		goRe      string // what Go says
	}{
		{"the LSC", lsc, []*x509.Certificate{sub}, true, "", ""},
		{"signed by the LSC's key", rawSigned(t, &x509.Certificate{Subject: pkix.Name{CommonName: "second.example.com"}}, lsc, otherKey(t).Public(), lscKey),
			[]*x509.Certificate{lsc, sub}, false, "invalid CA certificate", "cannot sign this kind of certificate"},
		{"below a CA the subordinate signed", rawSigned(t, &x509.Certificate{Subject: pkix.Name{CommonName: "second.example.com"}}, rogueCA, otherKey(t).Public(), lscKey),
			[]*x509.Certificate{rogueCA, sub}, false, "path length constraint exceeded", "path length constraint"},
	}
	dir := t.TempDir()
	rootPath := filepath.Join(dir, "root.pem")
	writeFile(t, rootPath, root)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool, roots := x509.NewCertPool(), x509.NewCertPool()
			roots.AddCert(root)
			for _, c := range tt.chain {
				pool.AddCert(c)
			}
			_, err := tt.leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: pool, CurrentTime: now.Add(time.Hour), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
			if (err == nil) != tt.ok || err != nil && !strings.Contains(err.Error(), tt.goRe) {
				t.Errorf("Go verifier: %v, want ok %v or %q", err, tt.ok, tt.goRe)
			}
			untrusted, leafPath := filepath.Join(dir, tt.name+"-chain.pem"), filepath.Join(dir, tt.name+".pem")
			writeFile(t, untrusted, tt.chain...)
			writeFile(t, leafPath, tt.leaf)
			openssltest.Need(t)
			out, err := exec.Command("openssl", "verify", "-attime", unix(now.Add(time.Hour)), "-CAfile", rootPath, "-untrusted", untrusted, leafPath).CombinedOutput()
			switch {
			case tt.ok && (err != nil || !strings.Contains(string(out), ": OK")):
				t.Errorf("openssl verify: %v\n%s", err, out)
			case !tt.ok && (err == nil || !strings.Contains(string(out), tt.opensslRe)):
				t.Errorf("openssl verify: %v, want a refusal with %q:\n%s", err, tt.opensslRe, out)
			}
		})
	}
	// A subordinate CA cannot sign another subordinate CA: its own path
	// length is 0.
	if _, err := Sign(mustCSR(t, otherKey(t), Request{Subject: pkix.Name{CommonName: "next"}}), sub, subKey, SignOptions{SubordinateCA: true, Days: 30, Now: now}); !errors.Is(err, ErrNoSubordinate) {
		t.Errorf("a subordinate CA signed a CA: %v", err)
	}
}

func mustRawCSR(t *testing.T, k crypto.Signer, tmpl *x509.CertificateRequest) *x509.CertificateRequest {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, k)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		t.Fatal(err)
	}
	return csr
}

// rawSigned signs tmpl with parent's key as given, bypassing Sign's rules.
func rawSigned(t *testing.T, tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) *x509.Certificate {
	t.Helper()
	serial, err := RandomSerial()
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber, tmpl.NotBefore, tmpl.NotAfter = serial, now, now.AddDate(0, 0, 30)
	cert, err := create(tmpl, parent, pub, signer)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func writeFile(t *testing.T, path string, certs ...*x509.Certificate) {
	t.Helper()
	var data []byte
	for _, c := range certs {
		data = append(data, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
