package cli

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"github.com/confcert/confcert/internal/termsafe"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/confcert/confcert/internal/aia"
	"github.com/confcert/confcert/internal/bundler"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/fileout"
	"github.com/confcert/confcert/internal/keys"
)

// Output formats of bundle and convert.
const (
	formatPEM = "pem"
	formatDER = "der"
	formatP7B = "p7b"
	formatPFX = "pfx"
)

type bundleFlags struct {
	layout, format, leaf, key, output string
	roots                             []string
	systemRoots, fetch, noRoot, crlf  bool
	legacy, asJSON, allowIncomplete   bool
	force                             bool
}

func newBundleCmd(a *app) *cobra.Command {
	var f bundleFlags
	cmd := &cobra.Command{
		Use:   "bundle [flags] <file>...",
		Short: "Build the certificate bundle a product wants from whatever pile a CA sent",
		Long: "bundle reads certificates in any format and order (PEM, DER, PKCS#7, PKCS#12), finds the\n" +
			"leaf, drops duplicates and strays, links each certificate to its issuer by signature and\n" +
			"writes the layout the product wants, as clean PEM (the Cisco Community article on the CWMS SSL certificate bundle, Cisco Meeting Server Certificate Guidelines 2.9, §1.2.4, D.2):\n" +
			"  chain         intermediates from the leaf's issuer upward, no root\n" +
			"  cms           intermediates upward, root last (Meeting Server ca-bundle.crt)\n" +
			"  fullchain     leaf, intermediates, root last (Web Bridge 3; --no-root drops the root)\n" +
			"  cwms-1x       leaf, then intermediates, no root (CWMS 1.x and 2.0)\n" +
			"  cwms-25       intermediates from the root side down, leaf last, no root (CWMS 2.5+)\n" +
			"  meetingplace  leaf, then intermediates, no root (Unified MeetingPlace)\n" +
			"  trust         every input certificate once, in input order (trust stores)\n" +
			"An incomplete chain exits 1 and writes nothing unless --allow-incomplete.",
		Example: "  confcert bundle --layout cms -o ca-bundle.crt cert.crt intermediates.p7b root.cer\n" +
			"  confcert bundle --layout cwms-25 --key server.key -o cwms.pem *.crt\n" +
			"  confcert bundle --layout fullchain --system-roots --fetch -o single-chain.crt cert.crt",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return badInput(fmt.Errorf("no input file"), "usage: confcert bundle [flags] <file>...")
			}
			return runBundle(cmd.Context(), a, f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.layout, "layout", string(chain.LayoutChain), "chain, cms, fullchain, cwms-1x, cwms-25, meetingplace or trust")
	fl.StringVar(&f.format, "format", formatPEM, "output format: pem, der, p7b or pfx")
	fl.StringVar(&f.leaf, "leaf", "", "the server certificate, when the pile holds several candidates")
	fl.StringVar(&f.key, "key", "", "private key of the leaf: put at the very top (PEM) or into the PFX")
	fl.StringVarP(&f.output, "output", "o", "", "write to `FILE` instead of stdout")
	fl.StringArrayVar(&f.roots, "roots", nil, "trust anchors that complete the chain and choose between cross-signed paths")
	fl.BoolVar(&f.systemRoots, "system-roots", false, "use the system trust store as trust anchors")
	fl.BoolVar(&f.fetch, "fetch", false, "fetch missing issuers over HTTP from the AIA caIssuers URLs")
	fl.BoolVar(&f.noRoot, "no-root", false, "leave the root out of the cms and fullchain layouts")
	fl.BoolVar(&f.crlf, "crlf", false, "CRLF line endings, for Windows tools")
	fl.BoolVar(&f.legacy, "legacy", false, "PFX with 3DES instead of AES, for old appliances")
	fl.BoolVar(&f.asJSON, "json", false, "print the report as JSON on stdout (needs -o)")
	fl.BoolVar(&f.allowIncomplete, "allow-incomplete", false, "write the bundle even when an issuer is missing")
	fl.BoolVar(&f.force, "force", false, "replace an existing output file")
	return cmd
}

// bundleInput is everything read from the command line's files.
type bundleInput struct {
	pile  *chain.Pile // indexed as read: PEM files of certificates stream into it
	files *pileFiles  // where the pile's certificates are read again
	leaf  *x509.Certificate
	key   *certio.Object
	roots []*x509.Certificate
	notes []string // things the report must mention (ignored keys)
}

func runBundle(ctx context.Context, a *app, f bundleFlags, names []string) error {
	layout, err := f.validate()
	if err != nil {
		return err
	}
	if err := checkAbsent(outputFiles(f.output), f.force); err != nil {
		return err
	}
	in, err := readBundleInput(a, f, names)
	if err != nil {
		return err
	}
	defer in.files.Close()
	b, err := bundler.Build(ctx, f.request(a, layout, in))
	if err != nil {
		return bundleError(f, in.files.named(err))
	}
	data, err := encodeOutput(a, f.format, in.key, b.Chain.Leaf, b.Certs, f.crlf, f.legacy)
	if err != nil {
		return err
	}
	if err := writeOutput(a, f.output, data, f.force, in.key != nil); err != nil {
		return err
	}
	r := newBundleReport(f, layout, b.Status, in.notes)
	if f.asJSON {
		return writeJSON(a.stdout, r)
	}
	return r.writeText(a.stderr)
}

// validate checks the flags before any file is read.
func (f bundleFlags) validate() (chain.Layout, error) {
	layout, err := chain.ParseLayout(f.layout)
	if err != nil {
		return "", badInput(err, "")
	}
	if err := checkFormat(f.format, f.key != "", f.output, f.crlf); err != nil {
		return "", err
	}
	switch {
	case f.asJSON && f.output == "":
		return "", badInput(fmt.Errorf("--json needs -o FILE: stdout carries the JSON report"), "add -o <file>")
	case f.key != "" && f.output == "":
		// A private key is never printed (spec cli.md): it goes to a 0600 file.
		return "", badInput(fmt.Errorf("--key puts the private key into the bundle: it is written only to a file (mode 0600), never to stdout"),
			"add -o <file>")
	case f.key != "" && layout == chain.LayoutTrust:
		return "", badInput(fmt.Errorf("--key does not go into a trust bundle"), "leave out --key, or pick a layout with the leaf")
	}
	return layout, nil
}

// request is the bundler's request for these flags and inputs.
func (f bundleFlags) request(a *app, layout chain.Layout, in *bundleInput) bundler.Request {
	r := bundler.Request{Layout: layout, Indexed: in.pile, Leaf: in.leaf, Roots: in.roots, SystemRoots: f.systemRoots,
		NoRoot: f.noRoot, AllowIncomplete: f.allowIncomplete, At: a.now()}
	if in.key != nil {
		r.Key = in.key.PrivateKey
	}
	if f.fetch {
		r.Fetch = aia.Fetcher{}
	}
	return r
}

// checkFormat checks an output format against the other output flags.
func checkFormat(format string, withKey bool, output string, crlf bool) error {
	switch {
	case !slices.Contains([]string{formatPEM, formatDER, formatP7B, formatPFX}, format):
		return badInput(fmt.Errorf("unknown format %q (want pem, der, p7b or pfx)", format), "")
	case format == formatPFX && !withKey:
		return badInput(fmt.Errorf("a PFX holds the private key: --key is needed"), "add --key <leaf key file>")
	case withKey && (format == formatDER || format == formatP7B):
		return badInput(fmt.Errorf("%s output cannot hold a private key", format), "use --format pem or pfx with --key")
	case format != formatPEM && output == "":
		return badInput(fmt.Errorf("%s output is binary: give -o FILE", format), "add -o <file>")
	case crlf && format != formatPEM:
		return badInput(fmt.Errorf("--crlf applies to PEM output only"), "")
	}
	return nil
}

// outputFiles is the output file of bundle or convert, for checkAbsent: none
// when the output goes to stdout.
func outputFiles(path string) []fileout.File {
	if path == "" {
		return nil
	}
	return []fileout.File{{Path: path}}
}

// readBundleInput reads the pile (a PEM file of certificates streams into
// the pile's compact index, any other file is read whole), then the roots,
// the leaf and the key. On an error the pile's files are closed.
func readBundleInput(a *app, f bundleFlags, names []string) (*bundleInput, error) {
	files := &pileFiles{open: map[int]*os.File{}}
	in, err := readBundleFiles(a, f, names, files)
	if err != nil {
		files.Close()
		return nil, err
	}
	return in, nil
}

func readBundleFiles(a *app, f bundleFlags, names []string, files *pileFiles) (*bundleInput, error) {
	in := &bundleInput{files: files}
	in.pile = chain.NewPile(files.load)
	for _, name := range names {
		err := files.streamPile(in.pile, a.path(name))
		if err == nil {
			continue
		}
		if !errors.Is(err, errReadWhole) {
			return nil, badInput(err, "")
		}
		file, err := certio.ReadFile(a.path(name), certio.Options{Password: a.passwords().Func(name)})
		if err != nil {
			return nil, readError(err)
		}
		if len(file.PrivateKeys()) > 0 {
			in.notes = append(in.notes, fmt.Sprintf("private key in %s ignored (give --key to include one)", name))
		}
		in.pile.Add(file.Certificates()...)
	}
	if in.pile.Len() == 0 {
		return nil, badInput(fmt.Errorf("no certificate in %s", strings.Join(names, ", ")), "run 'confcert inspect' on the files")
	}
	for _, name := range f.roots {
		certs, err := readCertificates(a, name)
		if err != nil {
			return nil, err
		}
		in.roots = append(in.roots, certs...)
	}
	if f.leaf != "" {
		leaves, err := readCertificates(a, f.leaf)
		if err != nil {
			return nil, err
		}
		in.leaf = leaves[0]
	}
	if f.key != "" {
		key, err := readKeyObject(a, a.path(f.key))
		if err != nil {
			return nil, err
		}
		in.key = key
	}
	return in, nil
}

// bundleError gives the bundler's refusals their exit status and hint:
// a key that does not match and an incomplete chain are exit 1 (spec
// cli.md), a pile the chain cannot be built from is exit 2.
func bundleError(f bundleFlags, err error) error {
	var mismatch *bundler.KeyMismatchError
	var incomplete *bundler.IncompleteError
	var amb *chain.AmbiguousLeafError
	switch {
	case errors.Is(err, context.Canceled):
		return err
	case errors.As(err, &mismatch):
		return failed(fmt.Errorf("%s is not the private key of the leaf certificate %q", f.key, chain.DisplayName(mismatch.Leaf)),
			"nothing was written; give the key made with the leaf's CSR (check with: confcert match <key> <cert>)")
	case errors.As(err, &incomplete):
		hint := "nothing was written; add the issuer's certificate to the files, " +
			"give --roots FILE, --system-roots or --fetch, or write it anyway with --allow-incomplete"
		if len(incomplete.Fetching) > 0 {
			hint = "--fetch: " + strings.Join(incomplete.Fetching, "; ") + "; " + hint
		}
		return failed(err, hint)
	case errors.As(err, &amb):
		return badInput(err, "name the server certificate with --leaf FILE (or give its key with --key)")
	case errors.Is(err, chain.ErrNoSystemRoots):
		return badInput(err, "give the trust anchors with --roots FILE")
	}
	return badInput(err, "")
}

// encodeOutput renders certs (and the key, when given) in format.
func encodeOutput(a *app, format string, key *certio.Object, leaf *x509.Certificate, certs []*x509.Certificate, crlf, legacy bool) ([]byte, error) {
	switch format {
	case formatDER:
		if len(certs) != 1 {
			return nil, badInput(fmt.Errorf("DER holds one certificate; the output has %d", len(certs)), "use --format p7b or pem")
		}
		return certs[0].Raw, nil
	case formatP7B:
		return certio.EncodePKCS7(certs...)
	case formatPFX:
		return encodePFX(a, key, leaf, certs, legacy)
	}
	var out []byte
	if key != nil {
		// The private key goes at the very top of the file (seed 001).
		k, err := keyPEM(key)
		if err != nil {
			return nil, err
		}
		out = k
	}
	out = append(out, certio.CertificatesPEM(certs...)...)
	if crlf {
		out = certio.ToCRLF(out)
	}
	return out, nil
}

// keyPEM writes the key unencrypted in its own family: PKCS#1 and SEC1 stay
// as they were, the rest become PKCS#8.
func keyPEM(key *certio.Object) ([]byte, error) {
	switch key.KeyFormat {
	case certio.PKCS1, certio.SEC1:
		return certio.PrivateKeyPEMIn(key.PrivateKey, key.KeyFormat)
	case certio.LegacyEncryptedPEM:
		if p, err := certio.PrivateKeyPEMIn(key.PrivateKey, certio.PKCS1); err == nil {
			return p, nil
		}
	}
	return certio.PrivateKeyPEM(key.PrivateKey)
}

// encodePFX writes key, leaf and the other certificates as PKCS#12.
func encodePFX(a *app, key *certio.Object, leaf *x509.Certificate, certs []*x509.Certificate, legacy bool) ([]byte, error) {
	if leaf == nil || !keys.Match(key.PrivateKey, leaf.PublicKey) {
		return nil, failed(fmt.Errorf("no certificate matches the private key"), "nothing was written; give the key of the server certificate")
	}
	var cas []*x509.Certificate
	for _, c := range certs {
		if !c.Equal(leaf) {
			cas = append(cas, c)
		}
	}
	pw, err := a.passwords().Get("password for the new PKCS#12 file")
	if err != nil {
		return nil, readError(err)
	}
	return certio.EncodePKCS12(key.PrivateKey, leaf, cas, string(pw), legacy)
}

// writeOutput writes data atomically to path, or to stdout without a path.
func writeOutput(a *app, path string, data []byte, force, private bool) error {
	if path == "" {
		_, err := a.stdout.Write(data)
		return err
	}
	return fileout.WriteAll([]fileout.File{{Path: path, Data: data, Private: private}}, force)
}

// bundleReport is what bundle says about the file it wrote (spec cli.md).
type bundleReport struct {
	Layout   string            `json:"layout"`
	Format   string            `json:"format"`
	Output   string            `json:"output,omitempty"`
	Complete bool              `json:"complete"`
	Trusted  bool              `json:"trusted"`
	Order    []bundler.Element `json:"order"`
	Dropped  []bundler.Dropped `json:"dropped"`
	Warnings []string          `json:"warnings"`
}

// newBundleReport is the bundler's status with the flags' layout, format
// and output; notes (of the files read) go before its warnings.
func newBundleReport(f bundleFlags, layout chain.Layout, s bundler.Status, notes []string) *bundleReport {
	return &bundleReport{Layout: string(layout), Format: f.format, Output: f.output, Complete: s.Complete,
		Trusted: s.Trusted, Order: s.Order, Dropped: s.Dropped, Warnings: append(append([]string{}, notes...), s.Warnings...)}
}

// maxListed bounds how many dropped certificates of one reason are named.
const maxListed = 10

func (r *bundleReport) writeText(w io.Writer) error {
	dest := "stdout"
	if r.Output != "" {
		dest = r.Output
	}
	fmt.Fprintf(w, "confcert: wrote %s: layout %s, %s, %d element(s):\n", dest, r.Layout, strings.ToUpper(r.Format), len(r.Order))
	for i, e := range r.Order {
		fmt.Fprintf(w, "  %d. %-12s %s\n", i+1, e.Role, termsafe.String(e.SubjectCN))
	}
	for _, reason := range droppedReasons(r.Dropped) {
		writeDropped(w, r.Dropped, reason)
	}
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "confcert: warning: %s\n", termsafe.String(warn))
	}
	return nil
}

func droppedReasons(ds []bundler.Dropped) []string {
	var reasons []string
	for _, d := range ds {
		if !slices.Contains(reasons, d.Reason) {
			reasons = append(reasons, d.Reason)
		}
	}
	return reasons
}

// writeDropped names the certificates dropped for reason, up to maxListed.
func writeDropped(w io.Writer, ds []bundler.Dropped, reason string) {
	var names []string
	for _, d := range ds {
		if d.Reason == reason {
			names = append(names, fmt.Sprintf("%q", d.SubjectCN))
		}
	}
	more := ""
	if len(names) > maxListed {
		more = fmt.Sprintf(" and %d more", len(names)-maxListed)
		names = names[:maxListed]
	}
	fmt.Fprintf(w, "confcert: dropped (%s): %s%s\n", reason, strings.Join(names, ", "), more)
}
