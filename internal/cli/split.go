package cli

import (
	"crypto"
	"crypto/x509"
	"fmt"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/fileout"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/pkiattr"
)

// runSplit is `convert <pfx> --split NAME`: the key, the certificate and the
// CA bundle of a PFX as the three files the Meeting Server's `callbridge
// certs <key> <crt> <bundle>` takes (Cisco Meeting Server Certificate
// Guidelines, "Uploading the certificate files"): NAME.key (unencrypted
// PKCS#8, mode 0600), NAME.crt (the leaf alone) and NAME-bundle.crt (the
// intermediates upward and the root, as `bundle --layout cms` writes it).
func runSplit(a *app, f convertFlags, name string) error {
	if err := pkiattr.CheckBasename(f.split); err != nil {
		return badInput(err, "give a basename the MMP accepts, without an extension: --split callbridge")
	}
	files := splitFiles(a, f.split)
	if err := checkAbsent(files, f.force); err != nil {
		return err
	}
	file, err := certio.ReadFile(a.path(name), certio.Options{Password: a.passwords().Func(name)})
	if err != nil {
		return readError(err)
	}
	if err := fillSplit(file, files); err != nil {
		return err
	}
	if err := fileout.WriteAll(files, f.force); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Wrote %s.key, %s.crt and %s-bundle.crt; on the Meeting Server run:\n  callbridge certs %s.key %s.crt %s-bundle.crt\n",
		f.split, f.split, f.split, f.split, f.split, f.split)
	return nil
}

func splitFiles(a *app, base string) []fileout.File {
	return []fileout.File{
		{Path: a.path(base + ".key"), Private: true},
		{Path: a.path(base + ".crt")},
		{Path: a.path(base + "-bundle.crt")},
	}
}

// fillSplit puts the key, the leaf and the CA bundle of file into files.
func fillSplit(file *certio.File, files []fileout.File) error {
	found := file.PrivateKeys()
	if len(found) != 1 || found[0].PrivateKey == nil {
		return badInput(fmt.Errorf("%s holds %d private keys, want exactly one (opened)", file.Name, len(found)),
			"--split takes a PFX (or PEM) with one key and its certificate")
	}
	key := found[0].PrivateKey
	leaf := matchingLeaf(file, key)
	if leaf == nil {
		return badInput(fmt.Errorf("%s holds no certificate of its private key", file.Name), "")
	}
	c, err := chain.Build(file.Certificates(), chain.Options{Leaf: leaf})
	if err != nil {
		return badInput(fmt.Errorf("%s: %w", file.Name, err), "")
	}
	keyPEM, err := certio.PrivateKeyPEM(key)
	if err != nil {
		return badInput(err, "")
	}
	bundle := chain.Arrange(c, chain.LayoutCMS, true)
	if len(bundle) == 0 {
		return badInput(fmt.Errorf("%s holds no CA certificate for the bundle", file.Name),
			"add the intermediates and root with: confcert bundle --layout cms -o NAME-bundle.crt ...")
	}
	files[0].Data, files[1].Data, files[2].Data = keyPEM, certio.CertificatesPEM(leaf), certio.CertificatesPEM(bundle...)
	return nil
}

func matchingLeaf(file *certio.File, key crypto.Signer) *x509.Certificate {
	for _, c := range file.Certificates() {
		if keys.Match(key, c.PublicKey) {
			return c
		}
	}
	return nil
}
