package cli

import (
	"crypto/x509"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/keys"
)

type convertFlags struct {
	to, output, key     string
	split               string
	crlf, legacy, force bool
}

func newConvertCmd(a *app) *cobra.Command {
	var f convertFlags
	cmd := &cobra.Command{
		Use:   "convert <in> -o <out> --to pem|der|p7b|pfx",
		Short: "Change a certificate file's encoding without reordering it",
		Long: "convert reads any certificate or key file and writes it as clean PEM, DER, PKCS#7 or PKCS#12.\n" +
			"The certificates keep their order. PFX to PEM puts the private key first, then the certificates\n" +
			"(the Cisco Unified MeetingPlace web conferencing SSL guide, \"Copying and Saving the Private Key\"); PEM to PFX takes the key with --key when the\n" +
			"input has none. Passwords come from --password-file, CONFCERT_PASSWORD or a prompt.",
		Example: "  confcert convert mycertificate.pfx -o mycertificate.pem --to pem\n" +
			"  confcert convert server.pfx --split callbridge   # callbridge.key, .crt, -bundle.crt\n" +
			"  confcert convert server.crt --key server.key -o server.pfx --to pfx",
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return badInput(fmt.Errorf("expected one input file, got %d arguments", len(args)),
					"usage: confcert convert <in> -o <out> --to pem|der|p7b|pfx")
			}
			if f.split != "" {
				if f.to != "" || f.output != "" || f.key != "" {
					return badInput(fmt.Errorf("--split writes its own three files: it takes no --to, -o or --key"),
						"usage: confcert convert server.pfx --split callbridge")
				}
				return runSplit(a, f, args[0])
			}
			return runConvert(a, f, args[0])
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.to, "to", "", "output format: pem, der, p7b or pfx")
	fl.StringVarP(&f.output, "output", "o", "", "output `FILE`")
	fl.StringVar(&f.key, "key", "", "private key to put into the PFX when the input has none")
	fl.BoolVar(&f.crlf, "crlf", false, "CRLF line endings, for Windows tools")
	fl.BoolVar(&f.legacy, "legacy", false, "PFX with 3DES instead of AES, for old appliances")
	fl.BoolVar(&f.force, "force", false, "replace an existing output file")
	fl.StringVar(&f.split, "split", "", "write `NAME`.key, NAME.crt and NAME-bundle.crt for 'callbridge certs' instead of one file")
	return cmd
}

func runConvert(a *app, f convertFlags, name string) error {
	if f.to == "" || f.output == "" {
		return badInput(fmt.Errorf("convert needs --to FORMAT and -o FILE"), "usage: confcert convert <in> -o <out> --to pem|der|p7b|pfx")
	}
	if err := checkFormat(f.to, f.to == formatPFX, f.output, f.crlf); err != nil {
		return err
	}
	if err := checkAbsent(outputFiles(f.output), f.force); err != nil {
		return err
	}
	file, err := certio.ReadFile(a.path(name), certio.Options{Password: a.passwords().Func(name)})
	if err != nil {
		return readError(err)
	}
	key, err := convertKey(a, f, file)
	if err != nil {
		return err
	}
	data, withKey, err := convertData(a, f, file, key)
	if err != nil {
		return err
	}
	if err := writeOutput(a, f.output, data, f.force, withKey); err != nil {
		return err
	}
	return reportConvert(a, f, file, withKey, key)
}

// convertKey returns the key of the input, or the one given with --key.
func convertKey(a *app, f convertFlags, file *certio.File) (*certio.Object, error) {
	if f.key != "" {
		return readKeyObject(a, a.path(f.key))
	}
	found := file.PrivateKeys()
	if len(found) == 0 {
		return nil, nil
	}
	if found[0].PrivateKey == nil {
		return nil, badInput(fmt.Errorf("%s: the private key is encrypted", file.Name), "give --password-file FILE or set CONFCERT_PASSWORD")
	}
	return &found[0], nil
}

// convertData encodes the file's content in the target format; withKey
// says whether the output holds the private key (and must be mode 0600).
func convertData(a *app, f convertFlags, file *certio.File, key *certio.Object) (data []byte, withKey bool, err error) {
	certs := file.Certificates()
	switch f.to {
	case formatPFX:
		if key == nil {
			return nil, false, badInput(fmt.Errorf("%s holds no private key: a PFX needs one", file.Name), "add --key <key file>")
		}
		leaf := matchingCert(certs, key)
		if leaf == nil {
			return nil, false, failed(fmt.Errorf("no certificate in %s matches the private key", file.Name), "nothing was written; give the key of the certificate")
		}
		data, err = encodePFX(a, key, leaf, certs, f.legacy)
		return data, true, err
	case formatDER:
		return convertDER(file, certs, key)
	case formatPEM:
		data, err = encodeOutput(a, formatPEM, key, nil, certs, f.crlf, false)
		return data, key != nil, err
	}
	if len(certs) == 0 {
		return nil, false, badInput(fmt.Errorf("%s holds no certificate for a PKCS#7 file", file.Name), "")
	}
	data, err = certio.EncodePKCS7(certs...)
	return data, false, err
}

// convertDER writes the one certificate, CSR or key of the file as DER; a
// key is written only when the file holds nothing else.
func convertDER(file *certio.File, certs []*x509.Certificate, key *certio.Object) ([]byte, bool, error) {
	csrs := file.CSRs()
	switch {
	case len(certs) == 1:
		return certs[0].Raw, false, nil
	case len(certs) > 1:
		return nil, false, badInput(fmt.Errorf("DER holds one certificate; %s has %d", file.Name, len(certs)), "use --to p7b or pem")
	case len(csrs) == 1:
		return csrs[0].Raw, false, nil
	case key != nil:
		der, err := x509.MarshalPKCS8PrivateKey(key.PrivateKey)
		return der, true, err
	}
	return nil, false, badInput(fmt.Errorf("%s: nothing to write as DER", file.Name), "run 'confcert inspect' on the file")
}

// matchingCert returns the certificate whose public key is the key's.
func matchingCert(certs []*x509.Certificate, key *certio.Object) *x509.Certificate {
	for _, c := range certs {
		if keys.Match(key.PrivateKey, c.PublicKey) {
			return c
		}
	}
	return nil
}

func reportConvert(a *app, f convertFlags, file *certio.File, withKey bool, key *certio.Object) error {
	if key != nil && !withKey {
		fmt.Fprintf(a.stderr, "confcert: warning: the private key is not written: %s output cannot hold it\n", f.to)
	}
	if withKey && key.Encrypted && f.to != formatPFX {
		fmt.Fprintf(a.stderr, "confcert: warning: the private key is written unencrypted (file mode 0600)\n")
	}
	_, err := fmt.Fprintf(a.stderr, "confcert: wrote %s (%s from %s, %d certificate(s)%s)\n",
		f.output, f.to, file.Encoding, len(file.Certificates()), map[bool]string{true: " and the private key"}[withKey])
	return err
}
