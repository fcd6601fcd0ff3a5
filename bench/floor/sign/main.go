// Command sign is the floor of signing many CSRs in one process: the work
// bench/sign.sh times `confcert plan` and `openssl ca -batch -infiles` on,
// with nothing but the cryptography. It makes a CA (-ca rsa2048 or
// ecdsa-p256) and N CSRs (ECDSA P-256 keys, as bench/sign.sh's nodes) in
// memory, untimed; then, timed, it checks each CSR's signature and signs it
// with the CA on every core: no file, no store, no lint, nothing else. It
// prints the wall time, the CPU time and the CPU per certificate, and the
// same for the CA's signature alone (crypto.Signer.Sign of a SHA-256
// digest), which no implementation in pure Go can go below.
//
//	go run ./bench/floor/sign [-n 1000] [-ca rsa2048]
package main

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/confcert/confcert/internal/certgen"
	"github.com/confcert/confcert/internal/cputime"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/parallel"
)

func main() {
	n := flag.Int("n", 1000, "CSRs to sign")
	caType := flag.String("ca", "rsa2048", "the CA's key type: rsa2048 or ecdsa-p256")
	flag.Parse()
	if err := run(*n, *caType); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run(n int, caType string) error {
	t, err := keys.ParseType(caType, false)
	if err != nil {
		return err
	}
	now := time.Now()
	caKey, err := keys.Generate(t)
	if err != nil {
		return err
	}
	ca, err := certgen.SelfSignedCA(caKey, pkix.Name{CommonName: "floor CA"}, 3650, now)
	if err != nil {
		return err
	}
	csrs, err := makeCSRs(n)
	if err != nil {
		return err
	}
	sign := func(_ context.Context, i int) error {
		csr, err := x509.ParseCertificateRequest(csrs[i])
		if err != nil {
			return err
		}
		if err := csr.CheckSignature(); err != nil {
			return err
		}
		_, err = certgen.Sign(csr, ca, caKey, certgen.SignOptions{
			Profile: certgen.ProfileServerClient, Days: 730, Now: now, CSRVerified: true})
		return err
	}
	if err := report(fmt.Sprintf("check and sign %d CSRs (%s CA)", n, caType), n, sign); err != nil {
		return err
	}
	digest := sha256.Sum256([]byte("floor"))
	signature := func(context.Context, int) error {
		_, err := caKey.Sign(rand.Reader, digest[:], crypto.SHA256)
		return err
	}
	return report(fmt.Sprintf("%d %s signatures alone", n, caType), n, signature)
}

// makeCSRs makes n CSRs for ECDSA P-256 keys, each its own name.
func makeCSRs(n int) ([][]byte, error) {
	out := make([][]byte, n)
	err := parallel.Do(context.Background(), n, parallel.Workers(), func(_ context.Context, i int) error {
		key, err := keys.Generate(keys.ECDSAP256)
		if err != nil {
			return err
		}
		name := fmt.Sprintf("n%04d.sign.cms.lab", i+1)
		out[i], err = certgen.CSR(key, certgen.Request{Subject: pkix.Name{CommonName: name}, DNSNames: []string{name}})
		return err
	})
	return out, err
}

// report runs job for 0..n-1 on every core and prints its wall and CPU time.
func report(what string, n int, job func(context.Context, int) error) error {
	cpu0, err := cputime.Process()
	if err != nil {
		return err
	}
	wall0 := time.Now()
	if err := parallel.Do(context.Background(), n, parallel.Workers(), job); err != nil {
		return err
	}
	wall := time.Since(wall0)
	cpu1, err := cputime.Process()
	if err != nil {
		return err
	}
	cpu := cpu1 - cpu0
	fmt.Printf("%s on %d cores: %.3f s wall, %.3f s CPU, %.3f ms CPU each\n",
		what, parallel.Workers(), wall.Seconds(), cpu.Seconds(), cpu.Seconds()*1000/float64(n))
	return nil
}
