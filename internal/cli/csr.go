package cli

import (
	"context"
	"crypto"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/confcert/confcert/internal/certgen"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/fileout"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/pkiattr"
	"github.com/confcert/confcert/internal/ui"
)

// pkiAttrHint is the advice for any mistake in the ATTR:VALUE arguments.
const pkiAttrHint = "attributes are CN, O, OU, L, ST, C, emailAddress and subjectAltName, e.g. " +
	`CN:cms1.example.com O:"Example Inc." subjectAltName:join.example.com,192.0.2.10`

// pkiKeyFlags are the key-type flags shared by csr and selfsigned.
type pkiKeyFlags struct {
	keyType     string
	allowLegacy bool
}

func (k *pkiKeyFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&k.keyType, "key-type", string(keys.Default),
		"key type: rsa2048, rsa3072, rsa4096, ecdsa-p256, ecdsa-p384, ed25519")
	cmd.Flags().BoolVar(&k.allowLegacy, "allow-legacy-rsa1024", false,
		"allow --key-type rsa1024 for Unified MeetingPlace 6.0 MR5+ (insecure)")
}

// newKey parses the key type and generates the key, warning about rsa1024
// (seed 004 Restrictions).
func (k *pkiKeyFlags) newKey(ctx context.Context, a *app) (crypto.Signer, error) {
	t, err := keys.ParseType(k.keyType, k.allowLegacy)
	if errors.Is(err, keys.ErrLegacyType) {
		return nil, badInput(err, "give --allow-legacy-rsa1024 only for Unified MeetingPlace 6.0 MR5 and later")
	}
	if err != nil {
		return nil, badInput(err, "")
	}
	if t == keys.RSA1024 {
		fmt.Fprintf(a.stderr, "confcert: warning: %s\n", keys.LegacyWarning)
	}
	bar := ui.NewProgress(a.stderr, 1, "generating "+string(t)+" key")
	key, err := keys.GenerateContext(ctx, t)
	bar.Add(1)
	bar.Finish()
	return key, err
}

// pkiSubjectArgs checks the basename and parses the attributes of csr and
// selfsigned; a CN is required (seed 002 Table 4).
func pkiSubjectArgs(args []string) (string, certgen.Request, error) {
	base := args[0]
	if err := pkiattr.CheckBasename(base); err != nil {
		return "", certgen.Request{}, badInput(err, "choose a name such as callbridge or cms1a")
	}
	req, err := pkiattr.Parse(args[1:])
	if err != nil {
		return "", certgen.Request{}, badInput(err, pkiAttrHint)
	}
	if req.Subject.CommonName == "" {
		return "", certgen.Request{}, badInput(errors.New("no CN given: the CN attribute is required"), pkiAttrHint)
	}
	return base, req, nil
}

// pkiKeyFile is the output file for a new private key (mode 0600).
func pkiKeyFile(path string, key crypto.Signer) (fileout.File, error) {
	data, err := certio.PrivateKeyPEM(key)
	if err != nil {
		return fileout.File{}, fmt.Errorf("%s: %w", path, err)
	}
	return fileout.File{Path: path, Data: data, Private: true}, nil
}

type csrFlags struct {
	pkiKeyFlags
	keyPath string
	force   bool
}

func newCSRCmd(a *app) *cobra.Command {
	var f csrFlags
	cmd := &cobra.Command{
		Use:   "csr <basename> [ATTR:VALUE]...",
		Short: "Create a private key and a certificate signing request, like the MMP's pki csr",
		Long: "Creates <basename>.key (mode 0600) and <basename>.csr, signed with SHA-256 and asking for\n" +
			"keyUsage digitalSignature (+keyEncipherment for RSA). The CN is appended to a subjectAltName\n" +
			"list; with no list, a CN that is a host name or IP address becomes the list.",
		Example: "  confcert csr cms1a CN:cms1.example.com subjectAltName:cms1a.example.com,join.example.com\n" +
			"  confcert csr dbclient CN:postgres\n" +
			"  confcert csr webbridge CN:join.example.com --key webbridge.key",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.keyPath != "" && cmd.Flags().Changed("key-type") {
				return badInput(errors.New("--key and --key-type cannot be used together"), "the existing key decides the type")
			}
			return runCSR(cmd.Context(), a, f, args)
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&f.keyPath, "key", "", "make the CSR for the existing private key in `FILE` (Cisco Meeting Server Certificate Guidelines 2.9, A.1)")
	cmd.Flags().BoolVar(&f.force, "force", false, "replace existing files")
	return cmd
}

func runCSR(ctx context.Context, a *app, f csrFlags, args []string) error {
	base, req, err := pkiSubjectArgs(args)
	if err != nil {
		return err
	}
	csrPath, keyPath := a.path(base+".csr"), a.path(base+".key")
	planned := []fileout.File{{Path: csrPath}}
	if f.keyPath == "" {
		planned = append(planned, fileout.File{Path: keyPath})
	}
	if err := checkAbsent(planned, f.force); err != nil {
		return err
	}
	key, err := csrKey(ctx, a, f)
	if err != nil {
		return err
	}
	der, err := certgen.CSR(key, req)
	if err != nil {
		return err
	}
	out := []fileout.File{{Path: csrPath, Data: certio.CSRPEM(der)}}
	if f.keyPath == "" {
		kf, err := pkiKeyFile(keyPath, key)
		if err != nil {
			return err
		}
		out = []fileout.File{kf, out[0]}
	}
	if err := fileout.WriteAll(out, f.force); err != nil {
		return err
	}
	return printCSRDone(a, base, f.keyPath)
}

// csrKey generates the key, or reads the one given with --key.
func csrKey(ctx context.Context, a *app, f csrFlags) (crypto.Signer, error) {
	if f.keyPath == "" {
		return f.newKey(ctx, a)
	}
	return readPrivateKey(a, a.path(f.keyPath))
}

func printCSRDone(a *app, base, existingKey string) error {
	if existingKey != "" {
		fmt.Fprintf(a.stdout, "Created CSR %s.csr for the existing key %s\n", base, existingKey)
	} else {
		fmt.Fprintf(a.stdout, "Created key file %s.key and CSR %s.csr\n", base, base)
	}
	_, err := fmt.Fprintf(a.stdout, "CSR file %s.csr ready to send to a CA (or sign it here: confcert sign %s <ca-basename>)\n", base, base)
	return err
}
