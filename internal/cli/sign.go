package cli

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/confcert/confcert/internal/usage"

	"github.com/spf13/cobra"

	"github.com/confcert/confcert/internal/certgen"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/fileout"
)

func newSignCmd(a *app) *cobra.Command {
	var f signFlags
	cmd := &cobra.Command{
		Use:   "sign <csr-basename> <ca-basename>",
		Short: "Sign <csr-basename>.csr with a local CA, like the MMP's pki sign",
		Long: "Reads <csr-basename>.csr, <ca-basename>.crt and <ca-basename>.key and writes <csr-basename>.crt.\n" +
			"The certificate copies the CSR's subject and subjectAltNames; its validity never runs past\n" +
			"the CA's own. The default profile, server+client, is the template Unified CM needs (Cisco Meeting Server Certificate Guidelines 2.9, §3.2).",
		Example: "  confcert sign dbserver dbca --profile server\n  confcert sign dbclient dbca --profile client",
		Args:    cobra.ExactArgs(2),
		RunE: func(_ *cobra.Command, args []string) error {
			return runSign(a, f, args[0], args[1])
		},
	}
	f.add(cmd)
	return cmd
}

func runSign(a *app, f signFlags, csrBase, caBase string) error {
	req, err := checkSign(a, f, csrBase, caBase)
	if err != nil {
		return err
	}
	csr, err := readSignCSR(a, csrBase)
	if err != nil {
		return err
	}
	ca, err := pkiReadCACert(a.path(caBase + ".crt"))
	if err != nil {
		return err
	}
	caKey, err := readPrivateKey(a, a.path(caBase+".key"))
	if err != nil {
		return err
	}
	cert, err := certgen.Sign(csr, ca, caKey, req.opts)
	if err != nil {
		return signError(err, csrBase, caBase)
	}
	req.out.Data = certio.CertificatesPEM(cert)
	if err := fileout.WriteAll([]fileout.File{req.out}, f.force); err != nil {
		return err
	}
	return printSigned(a, cert, req.opts, csrBase, caBase)
}

func pkiReadCACert(path string) (*x509.Certificate, error) {
	file, err := certio.ReadFile(path, certio.Options{})
	if err != nil {
		return nil, readError(err)
	}
	certs := file.Certificates()
	if len(certs) == 0 {
		return nil, badInput(fmt.Errorf("%s: no certificate in the file", path),
			`make a CA with: confcert selfsigned <ca-basename> CN:"My company CA"`)
	}
	return certs[0], nil
}

// signError explains why certgen.Sign refused, naming the file at fault.
func signError(err error, csrBase, caBase string) error {
	if refusal := csrRefusal(err, csrBase); refusal != nil {
		return refusal
	}
	switch {
	case errors.Is(err, certgen.ErrNotCA):
		return badInput(fmt.Errorf("%s.crt: %w", caBase, err),
			`sign with a CA certificate, e.g. one made by: confcert selfsigned <ca-basename> CN:"My company CA"`)
	case errors.Is(err, certgen.ErrKeyMismatch):
		return badInput(fmt.Errorf("%s.key is not the private key of the CA certificate %s.crt", caBase, caBase),
			fmt.Sprintf("check the pair with: confcert match %s.key %s.crt", caBase, caBase))
	case errors.Is(err, certgen.ErrCAExpired):
		return badInput(fmt.Errorf("%s.crt: %w", caBase, err), "renew the CA first")
	}
	return err
}

func printSigned(a *app, cert *x509.Certificate, o certgen.SignOptions, csrBase, caBase string) error {
	// The certificate keeps whole seconds; anything shorter was cut at the CA's notAfter.
	if cert.NotAfter.Before(o.Now.AddDate(0, 0, o.Days).Add(-time.Second)) {
		fmt.Fprintf(a.stderr, "confcert: warning: validity cut to %d days: the CA %s.crt expires on %s\n",
			int(cert.NotAfter.Sub(o.Now).Hours()/24), caBase, cert.NotAfter.UTC().Format(time.DateOnly))
	}
	fmt.Fprintf(a.stdout, "Created certificate %s.crt signed by %s\n", csrBase, caBase)
	_, err := fmt.Fprintf(a.stdout, "Valid until %s, serial %X, extended key usage %s\n",
		cert.NotAfter.UTC().Format(time.DateOnly), cert.SerialNumber, strings.Join(usage.ExtKeyUsageNames(cert.ExtKeyUsage, nil), ", "))
	return err
}
