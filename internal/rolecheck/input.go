package rolecheck

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"github.com/confcert/confcert/internal/inputfile"
	"io/fs"
	"slices"
	"sync"
	"time"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/release"
)

// Source is one input file: its bytes (for the format rules), what certio
// read from it, and its PEM block structure.
type Source struct {
	Path   string
	Raw    []byte
	File   *certio.File
	Certs  []*x509.Certificate
	Layout BlockLayout
}

// Input is everything the rules look at, read once.
type Input struct {
	Req  Request
	Role Role
	Now  time.Time

	Cert                     *Source
	Key, Bundle, Trust, Peer *Source // nil when not given

	Leaf     *x509.Certificate
	PeerLeaf *x509.Certificate
	PrivKey  crypto.Signer   // from --key, or a key block in the certificate file
	KeyFrom  string          // the file privKey came from
	Version  release.Version // --version, read by the role's product (zero when not given)

	// publicRoots returns the system trust anchors, read once.
	publicRoots func() ([]*x509.Certificate, error)
}

func load(req Request, r Role, o Options) (*Input, error) {
	if req.Cert == "" {
		return nil, errors.New("no certificate file: give --cert FILE")
	}
	in := &Input{Req: req, Role: r, Now: o.Now, publicRoots: o.SystemRoots}
	if in.Now.IsZero() {
		in.Now = time.Now()
	}
	if in.publicRoots == nil {
		in.publicRoots = chain.SystemRoots
	}
	in.publicRoots = sync.OnceValues(in.publicRoots)
	if err := in.loadVersion(); err != nil {
		return nil, err
	}
	opts := certio.Options{Password: o.Password}
	var err error
	if in.Cert, err = readSource(req.Cert, opts, o.Files); err != nil {
		return nil, err
	}
	if len(in.Cert.Certs) == 0 {
		return nil, fmt.Errorf("%s: no certificate in the file", req.Cert)
	}
	for _, f := range []struct {
		path string
		dst  **Source
	}{{req.Key, &in.Key}, {req.Bundle, &in.Bundle}, {req.Trust, &in.Trust}, {req.PeerCert, &in.Peer}} {
		if f.path == "" {
			continue
		}
		if *f.dst, err = readSource(f.path, opts, o.Files); err != nil {
			return nil, err
		}
	}
	return in, in.resolve()
}

func (in *Input) loadVersion() error {
	if in.Req.Version == "" {
		if in.Role.NeedsVersion {
			return fmt.Errorf("role %s needs --version (for example 2.0, 2.5, 2.5MR5, 2.6)", in.Role.Name)
		}
		return nil
	}
	parse := in.Role.ParseVersion
	if parse == nil {
		parse = release.Parse
	}
	v, err := parse(in.Req.Version)
	if err != nil {
		return err
	}
	in.Version = v
	return nil
}

// resolve finds the private key, the leaf and the peer's leaf.
func (in *Input) resolve() error {
	if err := in.findKey(); err != nil {
		return err
	}
	in.Leaf = pickLeaf(in.Cert.Certs, in.PrivKey, in.Now)
	if in.Peer != nil {
		if len(in.Peer.Certs) == 0 {
			return fmt.Errorf("%s: no certificate in the file", in.Peer.Path)
		}
		in.PeerLeaf = pickLeaf(in.Peer.Certs, nil, in.Now)
	}
	return nil
}

// findKey takes the key from --key, else a key block in the certificate file
// (CWMS and MeetingPlace files may carry it, seeds 001 and 004).
func (in *Input) findKey() error {
	for _, s := range []*Source{in.Key, in.Cert} {
		if s == nil {
			continue
		}
		for _, k := range s.File.PrivateKeys() {
			if k.PrivateKey == nil {
				return fmt.Errorf("%s: the private key is encrypted: give its password (--password-file or CONFCERT_PASSWORD)", s.Path)
			}
			in.PrivKey, in.KeyFrom = k.PrivateKey, s.Path
			return nil
		}
		if s == in.Key {
			return fmt.Errorf("%s: no private key in the file", s.Path)
		}
	}
	return nil
}

func readSource(path string, opts certio.Options, files map[string][]byte) (*Source, error) {
	raw, held := files[path]
	var err error
	if !held {
		raw, err = inputfile.Read(path, inputfile.MaxCertFile)
	}
	if err != nil {
		err = &fs.PathError{Op: "read", Path: path, Err: err}
	}
	if err != nil {
		return nil, err
	}
	f, err := certio.Parse(path, raw, opts)
	if err != nil {
		return nil, err
	}
	if f.Locked {
		return nil, fmt.Errorf("%s: PKCS#12 file needs its password (--password-file or CONFCERT_PASSWORD)", path)
	}
	return &Source{Path: path, Raw: raw, File: f, Certs: f.Certificates(), Layout: scanBlocks(raw)}, nil
}

// pickLeaf finds the end-entity certificate of a file: the one matching the
// private key if there is one; else the leaf as package chain finds it for
// every verb (a certificate that issued no other of the file, preferring a
// non-CA), the first candidate when several could be; else the first.
func pickLeaf(certs []*x509.Certificate, key crypto.Signer, at time.Time) *x509.Certificate {
	if key != nil {
		for _, c := range certs {
			if keys.Match(key, c.PublicKey) {
				return c
			}
		}
	}
	c, err := chain.Build(certs, chain.Options{At: at})
	var amb *chain.AmbiguousLeafError
	switch {
	case err == nil:
		return c.Leaf
	case errors.As(err, &amb):
		return amb.Candidates[0]
	}
	return certs[0]
}

// presented is what the server sends in the handshake: the certificate file
// and the bundle, each certificate once.
func (in *Input) presented() []*x509.Certificate {
	certs := in.Cert.Certs
	if in.Bundle != nil {
		certs = slices.Concat(certs, in.Bundle.Certs)
	}
	return chain.Collect(certs).Unique
}

// intermediates are the presented certificates other than the leaf and roots.
func (in *Input) intermediates() []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range in.presented() {
		if c != in.Leaf && !chain.SelfSigned(c) {
			out = append(out, c)
		}
	}
	return out
}

// fileRoots are the self-signed certificates of the certificate and bundle
// files: the anchors when no --trust is given, as `pki verify` with two files.
func (in *Input) fileRoots() []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range in.presented() {
		if c != in.Leaf && chain.SelfSigned(c) {
			out = append(out, c)
		}
	}
	return out
}

// Verify checks the leaf's chain against roots (openssl-style, package chain).
func (in *Input) Verify(roots []*x509.Certificate) error {
	return chain.Verify(in.Leaf, in.intermediates(), roots, chain.VerifyOptions{At: in.Now, Purpose: "any"})
}

// PubliclyTrusted reports whether the chain verifies against the system
// roots. The intermediates may come from the --trust file too: a product's
// trust list (an Expressway Trusted CA list) holds them.
func (in *Input) PubliclyTrusted() bool {
	roots, err := in.publicRoots()
	if err != nil || len(roots) == 0 {
		return false
	}
	inter := in.intermediates()
	if in.Trust != nil {
		for _, c := range in.Trust.Certs {
			if !chain.SelfSigned(c) {
				inter = append(inter, c)
			}
		}
	}
	return chain.Verify(in.Leaf, inter, roots, chain.VerifyOptions{At: in.Now, Purpose: "any"}) == nil
}

// HasEKU reports whether the leaf may be used for want: no EKU extension
// means any use (seed 002 D.1), as does anyExtendedKeyUsage.
func HasEKU(c *x509.Certificate, want x509.ExtKeyUsage) bool {
	if len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0 {
		return true
	}
	for _, u := range c.ExtKeyUsage {
		if u == want || u == x509.ExtKeyUsageAny {
			return true
		}
	}
	return false
}

// HasEKUExt reports whether the certificate has an EKU extension at all.
func HasEKUExt(c *x509.Certificate) bool {
	return len(c.ExtKeyUsage) > 0 || len(c.UnknownExtKeyUsage) > 0
}
