package apply

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/fileout"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/parallel"
	"github.com/confcert/confcert/internal/plan"
)

// run is one carrying out of a plan.
type run struct {
	p       *plan.Plan
	o       Options
	items   []*item
	local   []plan.CA            // the plan's local CAs, in plan order
	cas     map[string]Authority // local CAs by name; absent until created
	missing []plan.CA            // local CAs to create on first use
	pool    []*x509.Certificate  // issuers known: imported, and from bundles already written
	kept    []*x509.Certificate  // issuers imported now or by an earlier run (IssuersFile)
	// onDisk holds the certificates of each bundle file read at the start, by file name.
	onDisk  map[string][]*x509.Certificate
	res     Result
	csrs    []importedCSR // CSRs --import found, for keys held elsewhere
	renewed map[string]bool
	// derived writes the bundles, PFX and install files and plan.json: each
	// file synced, each directory once (fileout.Batch).
	derived fileout.Batch
}

// item is one planned certificate with its files and what the run decided.
type item struct {
	c   *plan.Certificate
	key crypto.Signer
	// keyFormat is the form the key file is written in (when it exists).
	keyFormat certio.KeyFormat
	csr       *x509.CertificateRequest
	leaf      *x509.Certificate
	// imported is the certificate --import found for this item's key.
	imported *x509.Certificate
	// importedCSR is the CSR --import brought back for a key held elsewhere.
	importedCSR *x509.CertificateRequest
	// What to do, decided before anything is written.
	newKey, newCSR, newCert, dropCert bool
	// rewriteKey: the same key, written again in the form the plan asks for.
	rewriteKey  bool
	action, why string
	backups     []string
	// awaiting is the ID of the request the CA service has not approved yet.
	awaiting string
}

// newRun reads the directory and decides what to do.
func newRun(ctx context.Context, p *plan.Plan, o Options) (*run, error) {
	r := &run{p: p, o: o, cas: map[string]Authority{}, onDisk: map[string][]*x509.Certificate{},
		res: Result{Plan: p}, renewed: map[string]bool{}}
	if err := r.checkRenew(); err != nil {
		return nil, err
	}
	if err := r.checkDirs(); err != nil {
		return nil, err
	}
	if err := r.loadCAs(ctx); err != nil {
		return nil, err
	}
	if err := r.checkClusters(ctx); err != nil {
		return nil, err
	}
	if err := r.loadItems(); err != nil {
		return nil, err
	}
	if err := r.loadPool(); err != nil {
		return nil, err
	}
	if err := r.importFiles(); err != nil {
		return nil, err
	}
	r.warnCAKeyTypes()
	for _, it := range r.items {
		r.decide(it)
	}
	return r, nil
}

// checkRenew refuses a --renew name that is not a planned certificate.
func (r *run) checkRenew() error {
	for _, name := range r.o.Renew {
		if r.find(name) == nil {
			return fmt.Errorf("--renew %s: no certificate of that name in the plan (planned: %s)", name, r.names())
		}
		if c := r.find(name); c.KeyHeld != nil {
			return fmt.Errorf("--renew %s: %s makes this key, not confcert: generate a new CSR there and bring it back with --import", name, c.KeyHeld.By)
		}
		r.renewed[name] = true
	}
	return nil
}

func (r *run) find(name string) *plan.Certificate {
	for _, c := range r.p.Certificates {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (r *run) names() string {
	var s []string
	for _, c := range r.p.Certificates {
		s = append(s, c.Name)
	}
	return fmt.Sprint(s)
}

// path is a file of the output directory.
func (r *run) path(name string) string { return filepath.Join(r.o.Dir, name) }

// loadCAs finds every local CA the plan names. The missing ones are
// created on first use by execute, at the same time as the keys.
func (r *run) loadCAs(ctx context.Context) error {
	if r.o.CAs == nil {
		r.o.CAs = StoreCAs(nil, r.o.Now)
	}
	r.local = r.localCAs()
	for _, ca := range r.local {
		a, err := r.o.CAs.Find(ctx, ca.Name)
		if errors.Is(err, ErrNoCA) {
			r.missing = append(r.missing, ca)
			r.res.Changes = append(r.res.Changes, Change{Name: ca.Name, Action: ActionCACreated, Why: ca.Purpose})
			continue
		}
		if err != nil {
			return fmt.Errorf("local CA %s: %w", ca.Name, err)
		}
		r.cas[ca.Name] = a
	}
	return nil
}

// createCAs creates the missing local CAs, one after another: the store
// takes one writer at a time.
func (r *run) createCAs(ctx context.Context) error {
	for _, ca := range r.missing {
		a, _, err := r.o.CAs.Ensure(ctx, ca.Name, ca.KeyType)
		if err != nil {
			return fmt.Errorf("local CA %s: %w", ca.Name, err)
		}
		r.cas[ca.Name] = a
	}
	return nil
}

// localCAs lists the plan's CAs, adding any signer the CA list forgot.
func (r *run) localCAs() []plan.CA {
	cas := append([]plan.CA{}, r.p.CAs...)
	known := map[string]bool{}
	for _, ca := range cas {
		known[ca.Name] = true
	}
	for _, c := range r.p.Certificates {
		if isLocal(c.Signer) && !known[c.Signer] {
			known[c.Signer] = true
			cas = append(cas, plan.CA{Name: c.Signer, KeyType: string(keys.Default)})
		}
	}
	return cas
}

// isLocal reports whether signer names a local CA.
func isLocal(signer string) bool {
	return signer != plan.SignerPublic && signer != plan.SignerSelf && signer != ""
}

// loadItems reads each planned certificate's key, CSR and certificate.
func (r *run) loadItems() error {
	r.items = make([]*item, len(r.p.Certificates))
	errs := make([]error, len(r.p.Certificates))
	parallel.For(len(r.p.Certificates), func(i int) { // reading and parsing 1,000 keys and CSRs adds up
		r.items[i], errs[i] = r.loadItem(r.p.Certificates[i])
	})
	for _, err := range errs { // the first in plan order, whichever was read first
		if err != nil {
			r.items = nil
			return err
		}
	}
	return nil
}

// loadItem reads what is on disk of c: its key (unless another system holds
// it), CSR and certificate.
func (r *run) loadItem(c *plan.Certificate) (*item, error) {
	it := &item{c: c}
	var err error
	if c.KeyHeld == nil {
		if it.key, it.keyFormat, err = readKey(r.path(c.Files.Key)); err != nil {
			return nil, err
		}
	}
	if it.csr, err = readCSR(r.path(c.Files.CSR)); err != nil {
		return nil, err
	}
	if it.leaf, err = readCert(r.path(c.Files.Cert)); err != nil {
		return nil, err
	}
	return it, nil
}

// loadPool collects the issuers found in bundles already written, so public
// chains imported by an earlier run can be rebuilt. Each bundle file is read
// once; onDisk keeps what it held.
func (r *run) loadPool() error {
	kept, err := readCerts(r.path(IssuersFile))
	if err != nil {
		return err
	}
	r.keep(kept...)
	for _, b := range r.bundles() {
		certs, err := readCerts(r.path(b.File))
		if err != nil {
			r.res.Warnings = append(r.res.Warnings, fmt.Sprintf("%s cannot be read and will be rebuilt: %v", b.File, err))
			continue
		}
		r.onDisk[b.File] = certs
		r.addPool(certs...)
	}
	return nil
}

// keep adds imported CA certificates to the pool and to IssuersFile.
func (r *run) keep(certs ...*x509.Certificate) {
	for _, c := range certs {
		if c.IsCA && !slices.ContainsFunc(r.kept, func(k *x509.Certificate) bool { return k.Equal(c) }) {
			r.kept = append(r.kept, c)
		}
	}
	r.addPool(certs...)
}

// addPool adds CA certificates to the pool of issuers, each once.
func (r *run) addPool(certs ...*x509.Certificate) {
	for _, c := range certs {
		if !c.IsCA || slices.ContainsFunc(r.pool, func(p *x509.Certificate) bool { return p.Equal(c) }) {
			continue
		}
		r.pool = append(r.pool, c)
	}
}
