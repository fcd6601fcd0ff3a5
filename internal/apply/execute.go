package apply

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/confcert/confcert/internal/inputfile"

	"github.com/confcert/confcert/internal/certgen"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/fileout"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/plan"
)

// execute does what was decided: keys first (in parallel), then per
// certificate its backups, key, CSR and certificate, then the derived files.
func (r *run) execute(ctx context.Context) error {
	r.recordChanges()
	if r.o.DryRun {
		r.setStatuses()
		return nil
	}
	if err := os.MkdirAll(r.o.Dir, 0o755); err != nil {
		return fmt.Errorf("creating the output directory %s: %w", r.o.Dir, err)
	}
	r.removeStaleTemps()
	if err := r.keysAndCAs(ctx); err != nil {
		return err
	}
	if err := r.recordClusters(ctx); err != nil {
		return err
	}
	for _, it := range r.items {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("stopped before %s: %w", it.c.Name, err) // Ctrl-C: the next run goes on from here
		}
		if err := r.apply(ctx, it); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("stopped before the bundles: %w", err)
	}
	r.setStatuses()
	if err := r.writeBundles(); err != nil {
		return err
	}
	if err := r.writePFXs(); err != nil {
		return err
	}
	if err := r.writeInstall(); err != nil {
		return err
	}
	return r.writeDocument()
}

// removeStaleTemps deletes the temporary files a killed run left behind
// (fileout writes .<name>.tmp-* beside each file, then renames it).
func (r *run) removeStaleTemps() {
	for _, dir := range []string{r.o.Dir, r.path("install")} {
		stale, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
		for _, f := range stale {
			os.Remove(f)
		}
	}
}

// recordChanges lists the certificate changes decided, in plan order.
func (r *run) recordChanges() {
	for _, it := range r.items {
		if it.action == "" && (it.newKey || it.rewriteKey || it.newCSR || it.newCert || it.dropCert) {
			it.action = ActionCompleted
		}
		if it.action != "" {
			r.res.Changes = append(r.res.Changes, Change{Name: it.c.Name, Action: it.action, Why: it.why})
		}
	}
}

// keysAndCAs creates the missing local CAs while the keys are generated:
// both are mostly key generation, which runs best all at once.
func (r *run) keysAndCAs(ctx context.Context) error {
	caErr := make(chan error, 1)
	go func() { caErr <- r.createCAs(ctx) }()
	keyErr := r.generateKeys(ctx)
	return errors.Join(keyErr, <-caErr)
}

// generateKeys makes every new key at once, in parallel on all cores, with a
// progress display (Options.Progress). When ctx ends no new
// key is started and nothing is written.
func (r *run) generateKeys(ctx context.Context) error {
	var todo []*item
	var types []keys.Type
	for _, it := range r.items {
		if !it.newKey {
			continue
		}
		t, err := keys.ParseType(orDefault(it.c.KeyType), true)
		if err != nil {
			return fmt.Errorf("certificate %s: %w", it.c.Name, err)
		}
		todo, types = append(todo, it), append(types, t)
	}
	if len(todo) == 0 {
		return nil
	}
	bar := r.progress(len(todo))
	made, err := keys.GenerateAll(ctx, types, func() { bar.Add(1) })
	bar.Finish()
	if err != nil {
		return fmt.Errorf("generating keys: %w", err)
	}
	for i, it := range todo {
		it.key = made[i]
	}
	return nil
}

func (r *run) progress(n int) Progress {
	if r.o.Progress == nil {
		return noProgress{}
	}
	return r.o.Progress(n, "generating keys")
}

func orDefault(t string) string {
	if t == "" {
		return string(keys.Default)
	}
	return t
}

// apply writes one certificate's files in the crash-safe order: backups,
// removal of a certificate that no longer fits, key, CSR, certificate.
func (r *run) apply(ctx context.Context, it *item) error {
	c := it.c
	for _, f := range it.backups {
		if err := r.backup(f, f == c.Files.Key); err != nil {
			return err
		}
	}
	if it.dropCert {
		if err := os.Remove(r.path(c.Files.Cert)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing %s: %w", c.Files.Cert, err)
		}
		it.leaf = nil
	}
	if err := r.writeKey(it); err != nil {
		return err
	}
	if err := r.writeCSR(it); err != nil {
		return err
	}
	return r.writeCert(ctx, it)
}

func (r *run) writeKey(it *item) error {
	if !it.newKey && !it.rewriteKey {
		return nil
	}
	data, err := certio.PrivateKeyPEMIn(it.key, keyFormatFor(it.c, it.key))
	if err != nil {
		return fmt.Errorf("%s: %w", it.c.Files.Key, err)
	}
	return fileout.Write(fileout.File{Path: r.path(it.c.Files.Key), Data: data, Private: true})
}

func (r *run) writeCSR(it *item) error {
	if !it.newCSR {
		return nil
	}
	if it.c.KeyHeld != nil {
		return r.writeHeldCSR(it)
	}
	der, err := certgen.CSR(it.key, request(it.c))
	if err != nil {
		return fmt.Errorf("%s: %w", it.c.Files.CSR, err)
	}
	if it.csr, err = x509.ParseCertificateRequest(der); err != nil {
		return fmt.Errorf("%s: %w", it.c.Files.CSR, err)
	}
	return fileout.Write(fileout.File{Path: r.path(it.c.Files.CSR), Data: certio.CSRPEM(der)})
}

// writeCert places an imported certificate, or signs one with the local CA,
// or self-signs one, as the plan says.
func (r *run) writeCert(ctx context.Context, it *item) error {
	if !it.newCert {
		return nil
	}
	cert, err := r.issue(ctx, it)
	if err != nil {
		return fmt.Errorf("certificate %s: %w", it.c.Name, err)
	}
	it.leaf = cert
	return fileout.Write(fileout.File{Path: r.path(it.c.Files.Cert), Data: certio.CertificatesPEM(cert)})
}

func (r *run) issue(ctx context.Context, it *item) (*x509.Certificate, error) {
	c := it.c
	if c.Signer == plan.SignerPublic {
		return it.imported, nil
	}
	eku, err := extKeyUsages(c)
	if err != nil {
		return nil, err
	}
	req := SignRequest{ExtKeyUsage: eku, Days: c.ValidityDays(), Now: r.o.Now, ExtraKeyUsage: extraKeyUsage(c)}
	if c.Signer == plan.SignerSelf {
		return certgen.SelfSignCSR(it.csr, it.key, certgen.SignOptions{ExtKeyUsage: req.ExtKeyUsage, Days: req.Days, Now: req.Now})
	}
	return r.cas[c.Signer].Sign(ctx, it.csr, req)
}

// backup keeps a copy of file as <file>.<timestamp>.bak before it is replaced.
func (r *run) backup(file string, private bool) error {
	data, err := inputfile.Read(r.path(file), inputfile.MaxCertFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("backing up %s: %w", file, err)
	}
	stamp := r.o.Now.UTC().Format("20060102T150405Z")
	name := fmt.Sprintf("%s.%s.bak", file, stamp)
	for i := 1; exists(r.path(name)); i++ {
		name = fmt.Sprintf("%s.%s-%d.bak", file, stamp, i)
	}
	return fileout.Write(fileout.File{Path: r.path(name), Data: data, Private: private})
}

// setStatuses fills in each certificate's status in the plan: signed,
// awaiting-ca, or invalid (a public certificate that lacks planned names).
func (r *run) setStatuses() {
	for _, it := range r.items {
		it.c.Status = r.status(it)
	}
}

func (r *run) status(it *item) string {
	c := it.c
	if c.KeyHeld != nil && it.leaf == nil && !it.newCert {
		return plan.StatusAwaitingCA // awaiting the CSR the other system makes
	}
	if c.Signer != plan.SignerPublic {
		return plan.StatusSigned
	}
	leaf := it.leaf
	if it.newCert {
		leaf = it.imported
	}
	if leaf == nil || it.dropCert && !it.newCert {
		return plan.StatusAwaitingCA
	}
	if missing := missingSANs(c, leaf); len(missing) > 0 {
		r.res.Warnings = append(r.res.Warnings, fmt.Sprintf("%s does not fit its plan: it lacks the planned names %v; ask the CA again, and do not install it", c.Files.Cert, missing))
		return plan.StatusInvalid
	}
	return plan.StatusSigned
}
