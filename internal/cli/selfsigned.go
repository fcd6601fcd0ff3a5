package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/confcert/confcert/internal/certgen"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/fileout"
)

type selfSignedFlags struct {
	pkiKeyFlags
	days  int
	force bool
}

func newSelfSignedCmd(a *app) *cobra.Command {
	var f selfSignedFlags
	cmd := &cobra.Command{
		Use:   "selfsigned <basename> [ATTR:VALUE]...",
		Short: "Create a private key and a self-signed CA certificate, like the MMP's pki selfsigned",
		Long: "Creates <basename>.key (mode 0600) and <basename>.crt, a self-signed certificate that can sign\n" +
			"CSRs with 'confcert sign' (basicConstraints CA:TRUE, keyCertSign, cRLSign, digitalSignature),\n" +
			"e.g. the CA of a Meeting Server database cluster (Cisco Meeting Server Certificate Guidelines 2.9, §3.1.5).",
		Example: `  confcert selfsigned dbca CN:"My company CA"`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSelfSigned(cmd.Context(), a, f, args)
		},
	}
	f.register(cmd)
	cmd.Flags().IntVar(&f.days, "days", 3650, "validity in days")
	cmd.Flags().BoolVar(&f.force, "force", false, "replace existing files")
	return cmd
}

func runSelfSigned(ctx context.Context, a *app, f selfSignedFlags, args []string) error {
	base, req, err := pkiSubjectArgs(args)
	if err != nil {
		return err
	}
	if err := checkDays(f.days); err != nil {
		return err
	}
	keyPath, crtPath := a.path(base+".key"), a.path(base+".crt")
	if err := checkAbsent([]fileout.File{{Path: keyPath}, {Path: crtPath}}, f.force); err != nil {
		return err
	}
	key, err := f.newKey(ctx, a)
	if err != nil {
		return err
	}
	cert, err := certgen.SelfSigned(key, req, f.days, a.now())
	if err != nil {
		return err
	}
	kf, err := pkiKeyFile(keyPath, key)
	if err != nil {
		return err
	}
	crt := fileout.File{Path: crtPath, Data: certio.CertificatesPEM(cert)}
	if err := fileout.WriteAll([]fileout.File{kf, crt}, f.force); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Created key file %s.key and self-signed certificate %s.crt\n", base, base)
	_, err = fmt.Fprintf(a.stdout, "Valid until %s; it can sign CSRs: confcert sign <csr-basename> %s\n",
		cert.NotAfter.UTC().Format(time.DateOnly), base)
	return err
}
