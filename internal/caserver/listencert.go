package caserver

import (
	"github.com/confcert/confcert/internal/validity"

	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/confcert/confcert/internal/caservice"
	"github.com/confcert/confcert/internal/certgen"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/fileout"
	"github.com/confcert/confcert/internal/keys"
)

// The listen certificate's files in the confcert home, its validity and
// when it is renewed on start.
const (
	ListenKeyFile  = "serve-tls.key"
	ListenCertFile = "serve-tls.crt"
	listenDays     = 397
	renewBefore    = validity.WarnDays * 24 * time.Hour
)

// ListenCertificate returns the HTTPS certificate for hosts: the one kept in
// dir when it still covers every host and has 30 days left, else a new key
// and a certificate from the service's own CA, written to dir (key 0600)
// with the CA certificate after it. issued says whether it was made now.
func ListenCertificate(ctx context.Context, svc *caservice.Service, dir string, hosts []string, now time.Time) (cert *tls.Certificate, issued bool, err error) {
	keyPath, certPath := filepath.Join(dir, ListenKeyFile), filepath.Join(dir, ListenCertFile)
	if c, err := tls.LoadX509KeyPair(certPath, keyPath); err == nil && usable(c.Leaf, hosts, now) {
		return &c, false, nil
	}
	key, err := keys.Generate(keys.ECDSAP256)
	if err != nil {
		return nil, false, err
	}
	csrDER, err := certgen.CSR(key, listenRequest(hosts))
	if err != nil {
		return nil, false, err
	}
	csr, err := x509.ParseCertificateRequest(csrDER)
	if err != nil {
		return nil, false, err
	}
	leaf, err := svc.IssueOwn(ctx, csr, listenDays)
	if err != nil {
		return nil, false, fmt.Errorf("issuing the HTTPS certificate: %w", err)
	}
	ca, err := svc.CACertificate(ctx, "")
	if err != nil {
		return nil, false, err
	}
	keyPEM, err := certio.PrivateKeyPEM(key)
	if err != nil {
		return nil, false, err
	}
	chainPEM := append(caservice.PEM(leaf), caservice.PEM(ca)...)
	if err := fileout.Write(fileout.File{Path: keyPath, Data: keyPEM, Private: true}); err != nil {
		return nil, false, err
	}
	if err := fileout.Write(fileout.File{Path: certPath, Data: chainPEM}); err != nil {
		return nil, false, err
	}
	c, err := tls.X509KeyPair(chainPEM, keyPEM)
	if err != nil {
		return nil, false, err
	}
	return &c, true, nil
}

// listenRequest names every host: IP addresses as IP SANs, names as DNS
// SANs, the first host as CN.
func listenRequest(hosts []string) certgen.Request {
	r := certgen.Request{Subject: pkix.Name{CommonName: hosts[0]}}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			r.IPAddresses = append(r.IPAddresses, ip)
		} else {
			r.DNSNames = append(r.DNSNames, h)
		}
	}
	return r
}

func usable(leaf *x509.Certificate, hosts []string, now time.Time) bool {
	if leaf == nil || now.Add(renewBefore).After(leaf.NotAfter) {
		return false
	}
	return !slices.ContainsFunc(hosts, func(h string) bool { return leaf.VerifyHostname(h) != nil })
}

// CAPool returns a pool holding the certificates of a PEM file (for
// clients that trust the service's CA).
func CAPool(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	for block, rest := pem.Decode(data); block != nil; block, rest = pem.Decode(rest) {
		if c, err := x509.ParseCertificate(block.Bytes); err == nil {
			pool.AddCert(c)
		}
	}
	return pool, nil
}
