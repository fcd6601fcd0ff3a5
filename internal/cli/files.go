package cli

import (
	"github.com/confcert/confcert/internal/validity"

	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/confcert/confcert/internal/certfacts"
	"github.com/confcert/confcert/internal/certgen"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/fileout"
	"github.com/confcert/confcert/internal/password"
)

// checkAbsent stops a verb before any slow work (key generation, reading,
// signing) when it could not write its outputs: an output file already exists
// and force is false, or the directory it goes into does not exist. Nothing
// is created on refusal (spec cli.md, "Conventions for every verb").
func checkAbsent(files []fileout.File, force bool) error {
	for _, f := range files {
		dir := filepath.Dir(f.Path)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return badInput(fmt.Errorf("cannot write %s: the directory %s does not exist", f.Path, dir),
				"create the directory first, or give an existing one with --dir or -o")
		}
	}
	if force {
		return nil
	}
	return fileout.CheckAbsent(files)
}

// readError turns a failure to read an input file into exit 2 with the hint
// that fixes it: the right password, a password source, the file name, or
// 'confcert inspect' for a file of unknown content.
func readError(err error) error {
	switch {
	case errors.Is(err, certio.ErrWrongPassword):
		return badInput(err, "nothing was changed; try again with the right password")
	case errors.Is(err, password.ErrNoPassword):
		return badInput(fmt.Errorf("%s is encrypted: a password is needed", fileName(err)),
			"give --password-file FILE, set CONFCERT_PASSWORD, or run on a terminal to be asked")
	case errors.Is(err, certio.ErrNeedsPassword) && errors.Is(err, fs.ErrNotExist):
		return badInput(err, "check the path given with --password-file")
	case errors.Is(err, certio.ErrNeedsPassword):
		return badInput(err, "give --password-file FILE, set CONFCERT_PASSWORD, or run on a terminal to be asked")
	case errors.Is(err, fs.ErrNotExist):
		return badInput(err, "check the file name and --dir")
	case errors.Is(err, certio.ErrUnknownFormat):
		return badInput(err, "run 'confcert inspect' on the file to see what it holds")
	}
	return badInput(err, "")
}

// fileName is the name of the file a certio read error is about.
func fileName(err error) string {
	var fe *certio.FileError
	if errors.As(err, &fe) {
		return fe.Name
	}
	return "the file"
}

// maxDays bounds --days of selfsigned and sign: 100 years, well inside what
// an X.509 validity date can hold.
const maxDays = validity.MaxDays

// checkDays refuses a --days value below 1 day or above maxDays.
func checkDays(days int) error {
	switch {
	case days < 1:
		return badInput(fmt.Errorf("--days %d: %w", days, certgen.ErrBadDays), "")
	case days > maxDays:
		return badInput(fmt.Errorf("--days %d: more than %d days (100 years)", days, maxDays), "give a shorter validity")
	}
	return nil
}

// readKeyObject reads the one private key of the file at path, opening it
// with the password source when it is encrypted.
func readKeyObject(a *app, path string) (*certio.Object, error) {
	file, err := certio.ReadFile(path, certio.Options{Password: a.passwords().Func(path)})
	if err != nil {
		return nil, readError(err)
	}
	found := file.PrivateKeys()
	if len(found) == 0 || found[0].PrivateKey == nil {
		return nil, badInput(fmt.Errorf("%s: no private key in the file", path), "give the .key file made with the certificate request")
	}
	return &found[0], nil
}

// readCertificates returns the certificates of the file name, in file order;
// a file without one is bad input that says what the file holds instead.
func readCertificates(a *app, name string) ([]*x509.Certificate, error) {
	f, err := certio.ReadFile(a.path(name), certio.Options{Password: a.passwords().Func(name)})
	if err != nil {
		return nil, readError(err)
	}
	certs := f.Certificates()
	if len(certs) == 0 {
		return nil, badInput(fmt.Errorf("%s: holds no certificate (it has: %s)", name, certfacts.Summary(certfacts.File(f, a.now()))),
			"run 'confcert inspect "+name+"' to see what it holds")
	}
	return certs, nil
}

// readPrivateKey is readKeyObject for callers that need only the key.
func readPrivateKey(a *app, path string) (crypto.Signer, error) {
	o, err := readKeyObject(a, path)
	if err != nil {
		return nil, err
	}
	return o.PrivateKey, nil
}
