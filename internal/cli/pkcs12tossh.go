package cli

import (
	"bytes"
	"crypto"
	"fmt"
	"github.com/confcert/confcert/internal/inputfile"
	"strings"

	"github.com/spf13/cobra"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/fileout"
	"github.com/confcert/confcert/internal/keys"
)

func newPKCS12ToSSHCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "pkcs12-to-ssh <username>",
		Short: "Turn the PKCS#12 file <username>.pub into an OpenSSH public key, like the MMP's pki pkcs12-to-ssh",
		Long: "Reads the PKCS#12 file <username>.pub, asks for its password, and replaces the file with the\n" +
			"OpenSSH public key line of the key inside. Anything else in the PKCS#12 file is dropped\n" +
			"(Cisco Meeting Server Certificate Guidelines 2.9, Appendix C).",
		Example: "  confcert pkcs12-to-ssh john",
		Args:    cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return runPKCS12ToSSH(a, args[0])
		},
	}
}

func runPKCS12ToSSH(a *app, user string) error {
	if strings.ContainsAny(user, `/\`) || strings.TrimSpace(user) != user || user == "" {
		return badInput(fmt.Errorf("%q is not a user name", user), "give the user name; the file read is <username>.pub")
	}
	path := a.path(user + ".pub")
	data, err := inputfile.Read(path, inputfile.MaxCertFile)
	if err != nil {
		return badInput(fmt.Errorf("%s: %w", path, err), "upload the PKCS#12 file as <username>.pub first")
	}
	if bytes.HasPrefix(data, []byte("ssh-")) || bytes.HasPrefix(data, []byte("ecdsa-")) {
		_, err := fmt.Fprintf(a.stdout, "%s.pub already holds an OpenSSH public key: nothing to do\n", user)
		return err
	}
	pub, err := pkcs12PublicKey(a, path, data)
	if err != nil {
		return err
	}
	line, err := keys.AuthorizedKey(pub, user)
	if err != nil {
		return badInput(fmt.Errorf("%s: %w", path, err), "")
	}
	if err := fileout.Write(fileout.File{Path: path, Data: line}); err != nil {
		return err
	}
	_, err = fmt.Fprintf(a.stdout, "Replaced %s.pub with the OpenSSH public key of user %s (%s)\n", user, user, keys.Label(pub))
	return err
}

// pkcs12PublicKey opens the PKCS#12 data with the password and returns the
// public key of its private key, or of its first certificate.
func pkcs12PublicKey(a *app, path string, data []byte) (crypto.PublicKey, error) {
	file, err := certio.Parse(path, data, certio.Options{Password: a.passwords().Func(path)})
	if err != nil {
		return nil, readError(err)
	}
	if file.Encoding != certio.PKCS12 {
		return nil, badInput(fmt.Errorf("%s is not a PKCS#12 file", path), "export the key as PKCS#12 (.p12/.pfx) and upload it as <username>.pub")
	}
	for _, o := range file.Objects {
		if o.PublicKey != nil {
			return o.PublicKey, nil
		}
	}
	return nil, badInput(fmt.Errorf("%s: the PKCS#12 file holds no key or certificate", path), "")
}
