// Command plan is the floor bench/plan.sh measures `confcert plan` against:
// the same key generations and signatures as the plan of
// bench/cms-10node.yaml (2 CA keys and 16 leaf keys, RSA-2048; 2 self-signed
// CAs; 16 CSRs, each signed by its CA), on two workers, with no file, no
// store and nothing else. Nothing is printed.
//
//	go run ./bench/floor/plan [-certs 16] [-cas 2] [-workers 2]
package main

import (
	"context"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/confcert/confcert/internal/certgen"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/parallel"
)

func main() {
	certs := flag.Int("certs", 16, "leaf certificates")
	cas := flag.Int("cas", 2, "CAs")
	workers := flag.Int("workers", 2, "workers")
	flag.Parse()
	if err := run(*certs, *cas, *workers); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

// run makes the CAs and the leaves: each job is one key generation, then
// the CA's self-signature or the leaf's CSR and its signature by its CA
// (the leaves wait for their CA as plan's do).
func run(n, ncas, workers int) error {
	now := time.Now()
	caCerts := make([]*x509.Certificate, ncas)
	caKeys := make([]crypto.Signer, ncas)
	ready := make([]chan struct{}, ncas)
	for i := range ready {
		ready[i] = make(chan struct{})
	}
	return parallel.Do(context.Background(), ncas+n, workers, func(_ context.Context, i int) error {
		key, err := keys.Generate(keys.RSA2048)
		if err != nil {
			return err
		}
		if i < ncas {
			defer close(ready[i])
			caKeys[i] = key
			caCerts[i], err = certgen.SelfSignedCA(key, pkix.Name{CommonName: fmt.Sprintf("floor CA %d", i)}, 3650, now)
			return err
		}
		ca := (i - ncas) % ncas
		name := fmt.Sprintf("n%02d.bench.cms.lab", i-ncas)
		der, err := certgen.CSR(key, certgen.Request{Subject: pkix.Name{CommonName: name}, DNSNames: []string{name}})
		if err != nil {
			return err
		}
		csr, err := x509.ParseCertificateRequest(der)
		if err != nil {
			return err
		}
		<-ready[ca]
		_, err = certgen.Sign(csr, caCerts[ca], caKeys[ca], certgen.SignOptions{
			Profile: certgen.ProfileServerClient, Days: 730, Now: now})
		return err
	})
}
