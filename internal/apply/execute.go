package apply

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/confcert/confcert/internal/inputfile"

	"github.com/confcert/confcert/internal/certgen"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/fileout"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/parallel"
	"github.com/confcert/confcert/internal/plan"
)

// execute does what was decided: the keys are made in parallel and each
// certificate's backups, key, CSR and certificate are written as soon as its
// key exists (in plan order, in batches of the certificates whose keys are
// ready), then the derived files.
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
	notes := r.prepareInstall()
	defer notes()
	if err := r.writeItems(ctx); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("stopped before the bundles: %w", err)
	}
	r.setStatuses()
	defer r.derived.Sync() // every derived file synced, each directory once
	if err := r.writeBundles(); err != nil {
		return err
	}
	if err := r.writePFXs(); err != nil {
		return err
	}
	doc := r.startDocument() // the plan changes no more
	if err := r.writeInstall(notes()); err != nil {
		<-doc
		return err
	}
	r.derived.Sync() // plan.json says the rest is done: it comes after
	return r.writeDocument(doc)
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

// issueBatch is the first half of carrying out a batch of certificates whose
// keys exist: their CSRs are made and their certificates issued (a local CA
// reserves and records the whole batch in one transaction each, so no
// certificate reaches a file before its record). writeBatch is the second.
func (r *run) issueBatch(ctx context.Context, items []*item) ([]*x509.Certificate, error) {
	for _, it := range items {
		if err := r.makeCSR(it); err != nil {
			return nil, err
		}
	}
	return r.issueAll(ctx, items)
}

// writeBatch writes each certificate's files in the crash-safe order:
// backups, removal of a certificate that no longer fits, key, CSR,
// certificate. The files are made ready first, on several goroutines (each
// written whole to a temporary file beside its path and synced: the slow
// part); then, one certificate after the other in plan order, the backups
// are made, the certificates that no longer fit removed and the files
// renamed into place. So files appear in the same order as when they were
// written one at a time, a kill leaves the same files in place, and a file
// that cannot be written stops the batch there, naming it, with no file
// after it in place. The directories are synced once per batch.
func (r *run) writeBatch(items []*item, certs []*x509.Certificate) error {
	ready := r.prepareBatch(items, certs)
	defer func() { // the files not placed: a failure stopped the batch
		for _, rf := range ready {
			for _, p := range rf.pending {
				if p != nil {
					p.Discard()
				}
			}
		}
	}()
	var b fileout.Batch
	defer b.Sync()
	for i, it := range items {
		if err := r.placeItem(&b, it, certs[i], ready[i]); err != nil {
			return err
		}
	}
	return nil
}

// batchWriters is how many files of a batch are made ready at once. Making
// a file ready is mostly the kernel's work: allocating the inode (which
// holds the directory's lock, so files of one directory are created one at
// a time however many ask), copying the bytes and waiting for the sync
// (which overlap). 8 and 16 measured no better than 4 (docs/performance.md,
// "The signing goals").
const batchWriters = 4

// readyFiles are one certificate's files (key, CSR, certificate, as due, in
// that order), each ready to be renamed into place, or the error that
// stopped making it ready.
type readyFiles struct {
	pending []*fileout.Pending
	errs    []error
}

// prepareBatch makes every due file of items ready on batchWriters
// goroutines: its content is encoded, written to a temporary file and
// synced. Nothing is in place yet.
func (r *run) prepareBatch(items []*item, certs []*x509.Certificate) []readyFiles {
	type job struct {
		item, file int
		make       func() (fileout.File, error)
	}
	ready := make([]readyFiles, len(items))
	var jobs []job
	for i, it := range items {
		makers := r.filesOf(it, certs[i])
		ready[i] = readyFiles{pending: make([]*fileout.Pending, len(makers)), errs: make([]error, len(makers))}
		for j, m := range makers {
			jobs = append(jobs, job{i, j, m})
		}
	}
	_ = parallel.Do(context.Background(), len(jobs), batchWriters, func(_ context.Context, k int) error {
		j := jobs[k]
		f, err := j.make()
		if err == nil {
			ready[j.item].pending[j.file], err = fileout.Prepare(f)
		}
		ready[j.item].errs[j.file] = err
		return nil // every file is tried: placeItem stops at the first error in plan order
	})
	return ready
}

// filesOf lists the files of it to write, in order: its key when new or
// rewritten, its CSR when new, its certificate when one was issued.
func (r *run) filesOf(it *item, cert *x509.Certificate) []func() (fileout.File, error) {
	c := it.c
	var files []func() (fileout.File, error)
	if it.newKey || it.rewriteKey {
		files = append(files, func() (fileout.File, error) { return r.keyFile(it) })
	}
	if it.newCSR {
		files = append(files, func() (fileout.File, error) {
			return fileout.File{Path: r.path(c.Files.CSR), Data: certio.CSRPEM(it.csr.Raw)}, nil
		})
	}
	if certDue(it, cert) {
		files = append(files, func() (fileout.File, error) {
			return fileout.File{Path: r.path(c.Files.Cert), Data: certio.CertificatesPEM(cert)}, nil
		})
	}
	return files
}

// certDue reports whether cert, its new certificate, is to be written: not
// when none is due, nor when it was submitted to the CA service (collected
// on a later run).
func certDue(it *item, cert *x509.Certificate) bool {
	return it.newCert && (cert != nil || it.awaiting == "")
}

// issueWrites reports whether issuing items writes files itself: the CSR of
// a key another system holds is written when it is made, and a CA service
// is asked in turn. Such a batch is not issued while the previous batch's
// files are being written, so every file is still written in plan order.
func (r *run) issueWrites(items []*item) bool {
	if r.o.Remote != nil {
		return true
	}
	for _, it := range items {
		if it.newCSR && it.c.KeyHeld != nil {
			return true
		}
	}
	return false
}

// placeItem carries out one certificate's writes in order, with its files made
// ready by prepareBatch: backups, removal of a certificate that no longer
// fits, then each file renamed into place (and dropped from ready, which
// discards what is left when the batch stops).
func (r *run) placeItem(b *fileout.Batch, it *item, cert *x509.Certificate, ready readyFiles) error {
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
	for j, p := range ready.pending {
		if err := ready.errs[j]; err != nil {
			return err
		}
		ready.pending[j] = nil
		if err := b.Place(p); err != nil {
			return err
		}
	}
	if certDue(it, cert) {
		it.leaf = cert
	}
	return nil
}

// keyFile is its key file, in the form the plan asks for.
func (r *run) keyFile(it *item) (fileout.File, error) {
	data, err := certio.PrivateKeyPEMIn(it.key, keyFormatFor(it.c, it.key))
	if err != nil {
		return fileout.File{}, fmt.Errorf("%s: %w", it.c.Files.Key, err)
	}
	return fileout.File{Path: r.path(it.c.Files.Key), Data: data, Private: true}, nil
}

// makeCSR makes the item's new CSR, when one is due.
func (r *run) makeCSR(it *item) error {
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
	return nil
}

// issueAll issues the new certificate of every item that needs one (nil for
// the others): the local CAs sign theirs in one batch each, the rest is
// imported or self-signed.
func (r *run) issueAll(ctx context.Context, items []*item) ([]*x509.Certificate, error) {
	certs := make([]*x509.Certificate, len(items))
	bySigner := map[string][]int{}
	var signers []string
	for i, it := range items {
		if !it.newCert {
			continue
		}
		if !isLocal(it.c.Signer) || r.o.Remote != nil {
			cert, err := r.issue(ctx, it)
			if err != nil {
				return nil, fmt.Errorf("certificate %s: %w", it.c.Name, err)
			}
			certs[i] = cert
			continue
		}
		if bySigner[it.c.Signer] == nil {
			signers = append(signers, it.c.Signer)
		}
		bySigner[it.c.Signer] = append(bySigner[it.c.Signer], i)
	}
	for _, name := range signers {
		if err := r.signAll(ctx, name, items, bySigner[name], certs); err != nil {
			return nil, err
		}
	}
	return certs, nil
}

// signAll has the local CA name sign items[at[j]] for every j, into certs.
func (r *run) signAll(ctx context.Context, name string, items []*item, at []int, certs []*x509.Certificate) error {
	ca := r.cas[name]
	csrs := make([]*x509.CertificateRequest, len(at))
	reqs := make([]SignRequest, len(at))
	for j, i := range at {
		req, err := r.signRequest(items[i].c)
		if err != nil {
			return fmt.Errorf("certificate %s: %w", items[i].c.Name, err)
		}
		csrs[j], reqs[j] = items[i].csr, req
	}
	if b, ok := ca.(BatchAuthority); ok && len(at) > 1 {
		signed, err := b.SignAll(ctx, csrs, reqs)
		if err != nil {
			return fmt.Errorf("certificates %s: %w", itemNames(items, at), err)
		}
		for j, i := range at {
			certs[i] = signed[j]
		}
		return nil
	}
	for j, i := range at {
		cert, err := ca.Sign(ctx, csrs[j], reqs[j])
		if err != nil {
			return fmt.Errorf("certificate %s: %w", items[i].c.Name, err)
		}
		certs[i] = cert
	}
	return nil
}

func itemNames(items []*item, at []int) string {
	names := make([]string, len(at))
	for j, i := range at {
		names[j] = items[i].c.Name
	}
	return strings.Join(names, ", ")
}

// ErrSubordinateSigner refuses a subordinate CA (plan.Certificate.
// SubordinateCA) that a local CA of the deployment would not sign: only a
// local CA issues a CA certificate, never a public CA, a self-signature or
// the CA service (whose profiles issue end-entity certificates only).
var ErrSubordinateSigner = errors.New("a subordinate CA is signed by a local CA of the deployment only")

// issue imports, or self-signs, or has the local CA sign one certificate,
// as the plan says.
func (r *run) issue(ctx context.Context, it *item) (*x509.Certificate, error) {
	c := it.c
	if c.SubordinateCA {
		return nil, ErrSubordinateSigner // issueAll has a local CA sign the others
	}
	if c.Signer == plan.SignerPublic {
		return it.imported, nil
	}
	req, err := r.signRequest(c)
	if err != nil {
		return nil, err
	}
	if c.Signer == plan.SignerSelf {
		return certgen.SelfSignCSR(it.csr, it.key, certgen.SignOptions{ExtKeyUsage: req.ExtKeyUsage, Days: req.Days, Now: req.Now})
	}
	if r.o.Remote != nil {
		return r.remoteIssue(ctx, it)
	}
	return r.cas[c.Signer].Sign(ctx, it.csr, req)
}

// signRequest is what the plan asks of the signer of c.
func (r *run) signRequest(c *plan.Certificate) (SignRequest, error) {
	eku, err := extKeyUsages(c)
	if err != nil {
		return SignRequest{}, err
	}
	return SignRequest{ExtKeyUsage: eku, Days: c.ValidityDays(), Now: r.o.Now, ExtraKeyUsage: extraKeyUsage(c), SubordinateCA: c.SubordinateCA}, nil
}

// backup keeps a copy of file as <file>.<timestamp>.bak before it is replaced.
// A file that is a symbolic link is kept as a link to the same target: its
// target is never read, so a link planted in the output directory cannot
// make confcert copy a file from elsewhere (another system's key) into it.
func (r *run) backup(file string, private bool) error {
	info, err := os.Lstat(r.path(file))
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
	if info.Mode()&fs.ModeSymlink != 0 {
		return backupLink(r.path(file), r.path(name))
	}
	data, err := inputfile.Read(r.path(file), inputfile.MaxCertFile)
	if err != nil {
		return fmt.Errorf("backing up %s: %w", file, err)
	}
	return fileout.Write(fileout.File{Path: r.path(name), Data: data, Private: private})
}

// backupLink makes bak a symbolic link to where the link at path points.
func backupLink(path, bak string) error {
	target, err := os.Readlink(path)
	if err != nil {
		return fmt.Errorf("backing up %s: %w", path, err)
	}
	if err := os.Symlink(target, bak); err != nil {
		return fmt.Errorf("backing up %s: %w", path, err)
	}
	return nil
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
	if it.awaiting != "" {
		return plan.StatusAwaitingApproval + " (" + it.awaiting + ")"
	}
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
