package cli

import (
	"crypto"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/keys"
)

// The results of match, fixed by spec cli.md.
const (
	matchYes = "Matching certificate and private key"
	matchNo  = "certificate and key do not match"
)

func newMatchCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "match <key> <cert-or-csr>",
		Short: "Check that a private key and a certificate (or CSR) belong together, like the MMP's pki match",
		Long: "Exit status 0 when the key is the private half of the certificate's (or CSR's, or public\n" +
			"key's) public key, 1 when it is not (Cisco Meeting Server Certificate Guidelines 2.9, §4.3).",
		Example: "  confcert match callbridge.key callbridge.crt",
		Args:    cobra.ExactArgs(2),
		RunE: func(_ *cobra.Command, args []string) error {
			return runMatch(a, args[0], args[1])
		},
	}
}

func runMatch(a *app, keyName, otherName string) error {
	key, err := readPrivateKey(a, a.path(keyName))
	if err != nil {
		return err
	}
	pubs, err := pkiPublicKeys(a.path(otherName))
	if err != nil {
		return err
	}
	if keys.Match(key, pubs[0]) {
		_, err := fmt.Fprintln(a.stdout, matchYes)
		return err
	}
	fmt.Fprintln(a.stdout, matchNo)
	for i, pub := range pubs[1:] {
		if keys.Match(key, pub) {
			fmt.Fprintf(a.stderr, "confcert: hint: the key matches element %d of %s, not the first one: "+
				"put the server certificate first\n", i+2, otherName)
			break
		}
	}
	return errSilentFail
}

// pkiPublicKeys returns the public keys of the certificates, CSRs and public
// keys of a file, in file order.
func pkiPublicKeys(path string) ([]crypto.PublicKey, error) {
	file, err := certio.ReadFile(path, certio.Options{})
	if err != nil {
		return nil, readError(err)
	}
	var pubs []crypto.PublicKey
	for _, o := range file.Objects {
		if o.Kind != certio.KindPrivateKey && o.PublicKey != nil {
			pubs = append(pubs, o.PublicKey)
		}
	}
	if len(pubs) == 0 {
		return nil, badInput(fmt.Errorf("%s: no certificate, CSR or public key in the file", path),
			"give the key first, then the certificate: confcert match callbridge.key callbridge.crt")
	}
	return pubs, nil
}
