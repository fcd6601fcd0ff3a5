package apply

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/dirlock"
	"github.com/confcert/confcert/internal/dname"
	"github.com/confcert/confcert/internal/keys"
)

// LockWait bounds how long a plan waits for another confcert process
// working on the same output directory before it gives up (exit 2).
const LockWait = 2 * time.Minute

// lockDir takes the output directory's lock (internal/dirlock) for the
// whole run, so two plans on one directory never interleave their keys and
// certificates: the second waits for the first, then finds its work done.
func lockDir(ctx context.Context, dir string, wait time.Duration) (*dirlock.Lock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the output directory %s: %w", dir, err)
	}
	if wait <= 0 {
		wait = LockWait
	}
	return dirlock.Acquire(ctx, dir, wait)
}

// ErrSymlinkedDir refuses to write through a directory of the output
// directory that is a symlink: a planted "install -> ../elsewhere" would
// send files (and keys) somewhere the user never named.
var ErrSymlinkedDir = errors.New("is a symbolic link to a directory: confcert never writes through one")

// checkDirs refuses a planned file's directory (below the output
// directory) that is a symlink or not a directory.
func (r *run) checkDirs() error {
	seen := map[string]bool{}
	for _, f := range r.plannedFiles() {
		for d := filepath.Dir(filepath.Clean(f)); d != "." && d != "/" && !seen[d]; d = filepath.Dir(d) {
			seen[d] = true
			if err := checkDir(r.path(d)); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkDir(path string) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.Mode()&fs.ModeSymlink != 0:
		target, _ := os.Readlink(path)
		return fmt.Errorf("%s -> %s %w; remove the link (and keep the files it points to)", path, target, ErrSymlinkedDir)
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory: confcert writes files inside it", path)
	}
	return nil
}

// plannedFiles lists every file a run may write, relative to the directory.
func (r *run) plannedFiles() []string {
	var out []string
	for _, c := range r.p.Certificates {
		out = append(out, c.Files.Key, c.Files.CSR, c.Files.Cert, c.Files.PFX, c.Files.FullChain)
	}
	for _, b := range r.bundles() {
		out = append(out, b.File)
	}
	for _, in := range r.p.Install {
		out = append(out, in.File)
	}
	return append(out, DocumentFile, IssuersFile)
}

// ForeignCAError refuses to re-issue a directory's certificates that a CA of
// the planned name signed, when that CA is not the one in the store in use
// (another administrator's home, a home under sudo, a new laptop): going on
// would sign everything again with a new CA of the same name, and every
// appliance that trusts the old one would stop trusting the new certificates.
type ForeignCAError struct {
	File  string // the certificate found
	CA    string // the planned local CA
	Found string // the issuer of File, as openssl prints it
	// InStore describes the store's CA of that name ("" when it has none).
	InStore string
}

// Error implements error.
func (e *ForeignCAError) Error() string {
	store := "the CA store in use has no CA " + e.CA
	if e.InStore != "" {
		store = "the CA store's " + e.CA + " is another CA (" + e.InStore + ")"
	}
	return fmt.Sprintf("%s was signed by %q, a CA %s that is not in this CA store: %s; refusing to re-issue it from another CA of that name",
		e.File, e.Found, e.CA, store)
}

// checkCAIdentity refuses, before anything is written, certificates that a
// CA called like their planned local CA signed when the store's CA of that
// name did not sign them. --renew for a certificate accepts the new CA.
func (r *run) checkCAIdentity() error {
	for _, it := range r.items {
		c := it.c
		if it.leaf == nil || !isLocal(c.Signer) || r.renewed[c.Name] || !calledLike(it.leaf.Issuer.CommonName, c.Signer) {
			continue
		}
		ca := r.cas[c.Signer]
		if ca != nil && chain.SignedBy(it.leaf, ca.Certificate()) {
			continue
		}
		e := &ForeignCAError{File: r.path(c.Files.Cert), CA: c.Signer, Found: dname.FormatRaw(it.leaf.RawIssuer)}
		if ca != nil {
			e.InStore = dname.FormatRaw(ca.Certificate().RawSubject)
		}
		return e
	}
	return nil
}

// calledLike reports whether a CA's common name is the local CA name: the
// name itself (CAs made before subjects had a suffix) or the name, a space
// and a suffix (localca.Subject).
func calledLike(cn, name string) bool {
	return cn == name || strings.HasPrefix(cn, name+" ")
}

// warnCAKeyTypes says which key type wins when an existing local CA's key
// is not the type the deployment asks for: the existing CA, always. With a
// ca_server the service's own CA signs and ca_key chooses nothing, so there
// is nothing to warn about.
func (r *run) warnCAKeyTypes() {
	if r.o.Remote != nil {
		return
	}
	for _, ca := range r.local {
		a := r.cas[ca.Name]
		if a == nil || ca.KeyType == "" {
			continue
		}
		got, ok := keys.TypeOf(a.Certificate().PublicKey)
		if !ok || string(got) == ca.KeyType {
			continue
		}
		r.res.Warnings = append(r.res.Warnings, fmt.Sprintf(
			"local CA %s already exists with a %s key; the plan's ca_key %s is not used: the existing CA keeps signing (a CA's key never changes; name a new CA in the deployment to get a %s one)",
			ca.Name, got, ca.KeyType, ca.KeyType))
	}
}
