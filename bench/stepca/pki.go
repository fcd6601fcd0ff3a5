package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// The names every CSR of the run carries: a Call Bridge with two aliases,
// as in internal/caservice's in-process benchmark.
const csrCN = "cb.example.com"

var csrSANs = []string{"cb.example.com", "cb1.example.com", "cb2.example.com"}

// provisionerName is the JWK provisioner of the step-ca configuration.
const provisionerName = "bench"

// validity is the lifetime both CAs give the certificates (90 days).
const validity = 90 * 24 * time.Hour

// generateKey makes a CA key of the run's key type.
func generateKey(kty string) (crypto.Signer, error) {
	switch kty {
	case "ecdsa-p256":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "rsa2048":
		return rsa.GenerateKey(rand.Reader, 2048)
	}
	return nil, fmt.Errorf("unknown key type %q (ecdsa-p256 or rsa2048)", kty)
}

// makeCSRs makes n CSRs, each with its own ECDSA P-256 key, for the names
// above. Both services sign the same CSRs.
func makeCSRs(n int) ([]string, error) {
	out := make([]string, n)
	for i := range out {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		der, err := x509.CreateCertificateRequest(rand.Reader,
			&x509.CertificateRequest{Subject: pkix.Name{CommonName: csrCN}, DNSNames: csrSANs}, key)
		if err != nil {
			return nil, fmt.Errorf("csr: %w", err)
		}
		out[i] = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
	}
	return out, nil
}

// stepCA is a step-ca configuration laid out as `step ca init` lays it out
// (config/ca.json, certs/, secrets/, db/), with a JWK provisioner whose
// private key the benchmark keeps to mint one-time tokens.
type stepCA struct {
	dir         string
	config      string
	root        *x509.Certificate
	fingerprint string // hex SHA-256 of the root, the token's "sha" claim
	provKey     jose.JSONWebKey
}

// initStepCA writes the root and intermediate CA (both of key type kty, as
// `step ca init --kty` makes them), the provisioner and ca.json listening
// on addr, with the default database of `step ca init` (badgerv2).
func initStepCA(dir, kty, addr string) (*stepCA, error) {
	for _, d := range []string{"config", "certs", "secrets", "db"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			return nil, err
		}
	}
	now := time.Now().Add(-time.Minute)
	rootKey, err := generateKey(kty)
	if err != nil {
		return nil, err
	}
	rootTmpl := caTemplate("Bench Root CA", now, 1)
	root, err := signCA(rootTmpl, rootTmpl, rootKey.Public(), rootKey)
	if err != nil {
		return nil, err
	}
	intKey, err := generateKey(kty)
	if err != nil {
		return nil, err
	}
	inter, err := signCA(caTemplate("Bench Intermediate CA", now, 0), root, intKey.Public(), rootKey)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{"certs/root_ca.crt": pemCert(root), "certs/intermediate_ca.crt": pemCert(inter)}
	for name, k := range map[string]crypto.Signer{"secrets/root_ca_key": rootKey, "secrets/intermediate_ca_key": intKey} {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			return nil, err
		}
		files[name] = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	}
	provPriv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	pub := jose.JSONWebKey{Key: &provPriv.PublicKey, Algorithm: string(jose.ES256), Use: "sig"}
	tp, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, err
	}
	pub.KeyID = base64.RawURLEncoding.EncodeToString(tp)
	cfg, err := caJSON(dir, addr, pub)
	if err != nil {
		return nil, err
	}
	files["config/ca.json"] = cfg
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return nil, err
		}
	}
	sum := sha256.Sum256(root.Raw)
	return &stepCA{
		dir: dir, config: filepath.Join(dir, "config/ca.json"), root: root, fingerprint: hex.EncodeToString(sum[:]),
		provKey: jose.JSONWebKey{Key: provPriv, KeyID: pub.KeyID, Algorithm: string(jose.ES256), Use: "sig"},
	}, nil
}

// caJSON is the ca.json of `step ca init` (pki.GenerateConfig of
// smallstep/certificates v0.30.2): text logger, badgerv2 database, default
// TLS options, one JWK provisioner; the provisioner's claims give 90-day
// certificates so that both services issue the same lifetime.
func caJSON(dir, addr string, pub jose.JSONWebKey) ([]byte, error) {
	d := validity.String()
	cfg := map[string]any{
		"root":     filepath.Join(dir, "certs/root_ca.crt"),
		"crt":      filepath.Join(dir, "certs/intermediate_ca.crt"),
		"key":      filepath.Join(dir, "secrets/intermediate_ca_key"),
		"address":  addr,
		"dnsNames": []string{"127.0.0.1"},
		"logger":   map[string]any{"format": "text"},
		"db":       map[string]any{"type": "badgerv2", "dataSource": filepath.Join(dir, "db")},
		"authority": map[string]any{
			"provisioners": []any{map[string]any{
				"type": "JWK", "name": provisionerName, "key": pub,
				"claims": map[string]any{"defaultTLSCertDuration": d, "maxTLSCertDuration": d},
			}},
		},
		"tls": map[string]any{
			"cipherSuites":  []string{"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
			"minVersion":    1.2,
			"maxVersion":    1.3,
			"renegotiation": false,
		},
	}
	return json.MarshalIndent(cfg, "", "\t")
}

func caTemplate(cn string, now time.Time, maxPath int) *x509.Certificate {
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	return &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: cn, Organization: []string{"confcert bench"}},
		NotBefore: now, NotAfter: now.AddDate(10, 0, 0),
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, BasicConstraintsValid: true, IsCA: true,
		MaxPathLen: maxPath, MaxPathLenZero: maxPath == 0,
	}
}

func signCA(tmpl, parent *x509.Certificate, pub crypto.PublicKey, key crypto.Signer) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		return nil, fmt.Errorf("ca certificate: %w", err)
	}
	return x509.ParseCertificate(der)
}

func pemCert(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}
