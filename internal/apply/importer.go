package apply

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/plan"
)

// importFiles reads what a public CA returned, in any format and order, and
// matches each certificate to a planned key by public key (spec plan.md,
// "--import"). Issuers go to the pool the bundles are built from.
func (r *run) importFiles() error {
	var leaves []*x509.Certificate
	for _, path := range r.o.Import {
		certs, err := r.collect(path)
		if err != nil {
			return err
		}
		for _, c := range certs {
			if c.IsCA {
				r.keep(c)
				continue
			}
			leaves = append(leaves, c)
		}
	}
	for _, leaf := range leaves {
		r.place(leaf)
	}
	r.placeCSRs()
	return nil
}

// collect reads the certificates of a file, or of every file under a directory.
func (r *run) collect(path string) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("import %s: %w", p, err)
		}
		if d.IsDir() {
			return nil
		}
		certs, err := r.readImport(p, p == path)
		out = append(out, certs...)
		return err
	})
	return out, err
}

// readImport reads one imported file. A file named on the command line must
// hold certificates; a file found in a directory that holds none is skipped.
func (r *run) readImport(path string, named bool) ([]*x509.Certificate, error) {
	f, err := certio.ReadFile(path, r.o.Read)
	switch {
	case errors.Is(err, certio.ErrUnknownFormat) && !named:
		r.res.Skipped = append(r.res.Skipped, path+": not a certificate file")
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("import: %w", err)
	case f.Locked:
		return nil, fmt.Errorf("import %s: the PKCS#12 file needs its password (--password-file or CONFCERT_PASSWORD)", path)
	}
	certs := f.Certificates()
	for _, csr := range f.CSRs() {
		r.csrs = append(r.csrs, importedCSR{path: path, csr: csr})
	}
	if len(certs) == 0 && len(f.CSRs()) > 0 {
		return nil, nil
	}
	if len(certs) == 0 {
		if named {
			return nil, fmt.Errorf("import %s: no certificate in the file", path)
		}
		r.res.Skipped = append(r.res.Skipped, path+": no certificate in it")
	}
	return certs, nil
}

// place gives an imported certificate to the planned certificate whose key
// it matches; when several are imported for one key, the one that lasts
// longest wins.
func (r *run) place(cert *x509.Certificate) {
	for _, it := range r.items {
		if it.key == nil || !keys.Match(it.key, cert.PublicKey) {
			continue
		}
		if it.c.Signer != plan.SignerPublic {
			r.res.Unmatched = append(r.res.Unmatched, fmt.Sprintf(
				"%s: matches the key of %s, which the plan has signed by %s; not written", describe(cert), it.c.Name, it.c.Signer))
			return
		}
		if it.imported == nil || cert.NotAfter.After(it.imported.NotAfter) {
			it.imported = cert
		}
		return
	}
	r.res.Unmatched = append(r.res.Unmatched, describe(cert)+": matches no planned key; not written")
}

// describe names a certificate for messages.
func describe(c *x509.Certificate) string {
	return fmt.Sprintf("certificate %q (issuer %q, serial %X)", chain.DisplayName(c), c.Issuer.CommonName, c.SerialNumber)
}
