package apply

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"github.com/confcert/confcert/internal/inputfile"
	"os"
	"path/filepath"
	"slices"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/fileout"
	"github.com/confcert/confcert/internal/plan"
)

// IssuersFile keeps the CA certificates --import found (plan.IssuersFile).
const IssuersFile = plan.IssuersFile

// bundles lists the planned bundles plus each certificate's full-chain file
// (seed 002 D.1–D.3) that no bundle already names.
func (r *run) bundles() []plan.Bundle {
	out := append([]plan.Bundle{}, r.p.Bundles...)
	named := map[string]bool{}
	for _, b := range out {
		named[b.File] = true
	}
	for _, c := range r.p.Certificates {
		if f := c.Files.FullChain; f != "" && !named[f] {
			named[f] = true
			out = append(out, plan.Bundle{Name: c.Name + "-fullchain", File: f, Layout: chain.LayoutFullchain, Members: []string{c.Name}})
		}
	}
	return out
}

// writeBundles builds every bundle whose certificates are all there and
// writes it when its content changed. A bundle that waits for a public CA is
// left for the run after --import.
func (r *run) writeBundles() error {
	if len(r.kept) > 0 {
		if err := r.writeIfChanged(IssuersFile, certio.CertificatesPEM(r.kept...), false); err != nil {
			return err
		}
	}
	for _, b := range r.bundles() {
		data, why, err := r.bundleData(b)
		if err != nil {
			return fmt.Errorf("bundle %s: %w", b.File, err)
		}
		if data == nil {
			if why != "" && !r.awaiting(b) {
				r.res.Warnings = append(r.res.Warnings, fmt.Sprintf("%s not written yet: %s", b.File, why))
			}
			if r.awaiting(b) {
				if err := r.setAside(b.File, b.Key); err != nil {
					return err
				}
			}
			continue
		}
		if err := r.writeIfChanged(b.File, data, b.Key); err != nil {
			return err
		}
	}
	return nil
}

// bundleData is the content of a bundle, or nil and why when it cannot be
// built yet.
func (r *run) bundleData(b plan.Bundle) (data []byte, why string, err error) {
	if IsCABundle(b) {
		ca := r.cas[b.CA]
		if ca == nil {
			return nil, "the local CA " + b.CA + " does not exist yet", nil
		}
		return certio.CertificatesPEM(ca.Certificate()), "", nil
	}
	if b.Layout == chain.LayoutTrust && b.Issuers {
		return r.issuerData(b)
	}
	if b.Layout == chain.LayoutTrust {
		return r.trustData(b)
	}
	return r.chainData(b)
}

// IsCABundle reports whether b carries a local CA's own certificate (the CMS
// `<ca>-bundle.crt`, `dbca.crt`) rather than a leaf's chain that ends at that
// CA (a CWMS bundle of an internally signed certificate).
func IsCABundle(b plan.Bundle) bool {
	return b.CA != "" && !b.Layout.HasLeaf()
}

// trustData is the certificates of every member, in member order (seed 003
// `cms1abc.cer`, seed 002 §4.11.2).
func (r *run) trustData(b plan.Bundle) ([]byte, string, error) {
	var certs []*x509.Certificate
	for _, m := range b.Members {
		it := r.item(m)
		if it == nil {
			return nil, "", fmt.Errorf("member %s is not a planned certificate", m)
		}
		if it.leaf == nil {
			return nil, it.c.Files.Cert + " is awaiting its CA", nil
		}
		certs = append(certs, it.leaf)
	}
	return certio.CertificatesPEM(certs...), "", nil
}

// issuerData is the CA certificates of every member's chain, from the
// member's issuer to the root, each certificate once, in member order: the
// CA list a product trusts (an Expressway Trusted CA list, a Unified CM
// trust store). It waits until every member's chain is complete.
func (r *run) issuerData(b plan.Bundle) ([]byte, string, error) {
	var certs []*x509.Certificate
	for _, m := range b.Members {
		it := r.item(m)
		if it == nil {
			return nil, "", fmt.Errorf("member %s is not a planned certificate", m)
		}
		if it.leaf == nil && isLocal(it.c.Signer) && r.cas[it.c.Signer] != nil {
			// Not signed yet (a CSR made elsewhere), but its CA is known.
			if ca := r.cas[it.c.Signer].Certificate(); !slices.ContainsFunc(certs, ca.Equal) {
				certs = append(certs, ca)
			}
			continue
		}
		if it.leaf == nil {
			return nil, it.c.Files.Cert + " is awaiting its CA", nil
		}
		c, err := r.chainOf(it.leaf)
		if err != nil {
			return nil, "", err
		}
		if !c.Complete {
			return nil, fmt.Sprintf("the issuer %q of %s is missing: --import the intermediates the CA sent", c.MissingIssuer, it.c.Name), nil
		}
		for _, ca := range chain.Arrange(c, chain.LayoutCMS, true) {
			if !slices.ContainsFunc(certs, ca.Equal) {
				certs = append(certs, ca)
			}
		}
	}
	if len(certs) == 0 {
		return nil, "no member has a CA", nil
	}
	return certio.CertificatesPEM(certs...), "", nil
}

// chainData arranges the chain of the bundle's (first) member in its layout,
// with the member's key on top when the plan asks for it (seed 001).
func (r *run) chainData(b plan.Bundle) ([]byte, string, error) {
	if len(b.Members) == 0 {
		return nil, "", fmt.Errorf("no member and no CA: nothing to bundle")
	}
	it := r.item(b.Members[0])
	if it == nil {
		return nil, "", fmt.Errorf("member %s is not a planned certificate", b.Members[0])
	}
	if it.leaf == nil {
		return nil, it.c.Files.Cert + " is awaiting its CA", nil
	}
	c, err := r.chainOf(it.leaf)
	if err != nil {
		return nil, "", err
	}
	if !c.Complete {
		return nil, fmt.Sprintf("the issuer %q of %s is missing: --import the intermediates the CA sent", c.MissingIssuer, it.c.Name), nil
	}
	layout := b.Layout
	certs := chain.Arrange(c, layout, layout.HasRoot())
	if !b.Key {
		return certio.CertificatesPEM(certs...), "", nil
	}
	key, err := certio.PrivateKeyPEM(it.key)
	if err != nil {
		return nil, "", err
	}
	return append(key, certio.CertificatesPEM(certs...)...), "", nil
}

// chainOf builds leaf's chain from the issuers known; when that stops short
// of a root, the system's trust store may complete it (a public CA's root).
func (r *run) chainOf(leaf *x509.Certificate) (*chain.Chain, error) {
	o := chain.Options{Leaf: leaf, Roots: r.caCerts(), At: r.o.Now}
	c, err := chain.Build(r.issuers(), o)
	if err != nil || c.Complete {
		return c, err
	}
	o.SystemRoots = true
	if sys, err := chain.Build(r.issuers(), o); err == nil && sys.Complete {
		return sys, nil
	}
	return c, nil
}

// issuers is every CA certificate known: imported, from earlier bundles, and
// the local CAs.
func (r *run) issuers() []*x509.Certificate {
	return append(append([]*x509.Certificate{}, r.pool...), r.caCerts()...)
}

func (r *run) caCerts() []*x509.Certificate {
	var out []*x509.Certificate
	for _, ca := range r.local {
		if a := r.cas[ca.Name]; a != nil {
			out = append(out, a.Certificate())
		}
	}
	return out
}

// awaiting reports whether a member of the bundle waits for its public CA;
// the next steps already say so.
func (r *run) awaiting(b plan.Bundle) bool {
	for _, m := range b.Members {
		if it := r.item(m); it != nil && it.leaf == nil && (it.c.Signer == plan.SignerPublic || it.awaiting != "") && !IsCABundle(b) {
			return true
		}
	}
	return false
}

func (r *run) item(name string) *item {
	for _, it := range r.items {
		if it.c.Name == name {
			return it
		}
	}
	return nil
}

// writeIfChanged writes a derived file only when its content differs, so a
// rerun leaves files (and their times) alone.
func (r *run) writeIfChanged(name string, data []byte, private bool) error {
	old, err := inputfile.Read(r.path(name), inputfile.MaxCertFile)
	if err == nil && bytes.Equal(old, data) {
		return nil
	}
	why := ""
	if err == nil {
		why = "content changed"
	}
	if err := os.MkdirAll(filepath.Dir(r.path(name)), 0o755); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err := r.derived.Write(fileout.File{Path: r.path(name), Data: data, Private: private}); err != nil {
		return err
	}
	r.res.Changes = append(r.res.Changes, Change{Name: name, Action: ActionWritten, Why: why})
	return nil
}

// unchanged reports whether the file name holds data already. It is safe
// for concurrent use.
func (r *run) unchanged(name string, data []byte) bool {
	old, err := inputfile.Read(r.path(name), inputfile.MaxCertFile)
	return err == nil && bytes.Equal(old, data)
}

// writePFXs writes <name>.pfx (key, certificate and chain) for each
// certificate the plan asks one for, once its certificate and chain are
// there. A PKCS#12 file differs at every encoding (random salt), so it is
// written only when missing or when its certificate was just placed. It uses
// the legacy 3DES encryption: the appliances' upload pages may not read the
// modern AES form.
func (r *run) writePFXs() error {
	for _, it := range r.items {
		f := it.c.Files.PFX
		if f != "" && it.leaf == nil {
			if err := r.setAside(f, true); err != nil {
				return err
			}
		}
		if f == "" || it.leaf == nil || exists(r.path(f)) && !it.newCert {
			continue
		}
		if err := r.writePFX(it, f); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
	}
	return nil
}

func (r *run) writePFX(it *item, file string) error {
	c, err := r.chainOf(it.leaf)
	if err != nil {
		return err
	}
	if !c.Complete {
		r.res.Warnings = append(r.res.Warnings, fmt.Sprintf("%s not written yet: the issuer %q is missing", file, c.MissingIssuer))
		return nil
	}
	if r.o.PFXPassword == nil {
		return fmt.Errorf("no password for the PKCS#12 file")
	}
	pw, err := r.o.PFXPassword()
	if err != nil {
		return err
	}
	legacy := it.c.Files.PFXEncryption != plan.PFXAES
	data, err := certio.EncodePKCS12(it.key, it.leaf, c.Intermediates, string(pw), legacy)
	if err != nil {
		return err
	}
	if err := r.derived.Write(fileout.File{Path: r.path(file), Data: data, Private: true}); err != nil {
		return err
	}
	r.res.Changes = append(r.res.Changes, Change{Name: file, Action: ActionWritten})
	return nil
}

// setAside moves a file built from a certificate that now awaits its CA
// (after --renew, or a certificate dropped) to a .bak, so that no install
// file names a chain for the old key; the install file marks it pending
// until --import builds it again (issue 10 item 12).
func (r *run) setAside(file string, private bool) error {
	if !exists(r.path(file)) {
		return nil
	}
	if err := r.backup(file, private); err != nil {
		return err
	}
	if err := os.Remove(r.path(file)); err != nil {
		return fmt.Errorf("setting %s aside: %w", file, err)
	}
	r.res.Changes = append(r.res.Changes, Change{Name: file, Action: ActionSetAside, Why: "its certificate awaits the CA; the old file is kept as .bak"})
	return nil
}
