package cli

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/fileout"
)

func newUnlockCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "unlock <key>",
		Short: "Replace a password-protected private key with the unencrypted key, like the MMP's pki unlock",
		Long: "Asks for the key's password and writes the unencrypted key under the same name (mode 0600),\n" +
			"in the same family: a legacy encrypted PEM key becomes PKCS#1 (RSA) or SEC1 (EC), an encrypted\n" +
			"PKCS#8 key becomes PKCS#8. A wrong password changes nothing (Cisco Meeting Server Certificate Guidelines 2.9, Appendix C).",
		Example: "  confcert unlock callbridge.key\n  confcert unlock callbridge.key --password-file pw.txt",
		Args:    cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return runUnlock(a, args[0])
		},
	}
}

func runUnlock(a *app, name string) error {
	if name == certio.Stdin {
		return badInput(fmt.Errorf("unlock replaces the key file itself: it cannot read standard input"),
			"name the key file: confcert unlock callbridge.key")
	}
	path := a.path(name)
	obj, err := lockedKeyObject(a, path)
	if err != nil {
		return err
	}
	if !obj.Encrypted {
		_, err := fmt.Fprintf(a.stdout, "%s is not encrypted: nothing to do\n", name)
		return err
	}
	format := unlockedFormat(obj.KeyFormat, obj.PrivateKey)
	data, err := certio.PrivateKeyPEMIn(obj.PrivateKey, format)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := fileout.Write(fileout.File{Path: path, Data: data, Private: true}); err != nil {
		return err
	}
	_, err = fmt.Fprintf(a.stdout, "Unlocked %s: it now holds the unencrypted private key (%s)\n", name, unlockFormatName(format))
	return err
}

// lockedKeyObject reads a file that must hold exactly one private key and
// nothing else, opening it with the password.
func lockedKeyObject(a *app, path string) (certio.Object, error) {
	file, err := certio.ReadFile(path, certio.Options{Password: a.passwords().Func(path)})
	if err != nil {
		return certio.Object{}, readError(err)
	}
	if file.Encoding == certio.PKCS12 {
		return certio.Object{}, badInput(fmt.Errorf("%s is a PKCS#12 file, not a private key", path),
			"extract the key with: confcert convert "+path+" -o key.pem --to pem")
	}
	found := file.PrivateKeys()
	if len(found) != 1 || len(file.Objects) != 1 {
		return certio.Object{}, badInput(fmt.Errorf("%s: holds %d objects, not one private key", path, len(file.Objects)),
			"run 'confcert inspect' on the file to see what it holds")
	}
	return found[0], nil
}

// unlockedFormat keeps the key family: a legacy encrypted PEM key becomes
// PKCS#1 (RSA) or SEC1 (EC), anything else PKCS#8.
func unlockedFormat(f certio.KeyFormat, key crypto.Signer) certio.KeyFormat {
	if f != certio.LegacyEncryptedPEM {
		return certio.PKCS8
	}
	switch key.(type) {
	case *rsa.PrivateKey:
		return certio.PKCS1
	case *ecdsa.PrivateKey:
		return certio.SEC1
	}
	return certio.PKCS8
}

func unlockFormatName(f certio.KeyFormat) string {
	return map[certio.KeyFormat]string{certio.PKCS1: "PKCS#1", certio.SEC1: "SEC1", certio.PKCS8: "PKCS#8"}[f]
}
