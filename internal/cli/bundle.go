package cli

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/confcert/confcert/internal/aia"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/describe"
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

// maxFetchRounds bounds --fetch: one round per missing level of the chain.
const maxFetchRounds = 8

// expiringDays is when the report starts warning about an element's expiry.
const expiringDays = 30

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
			"writes the layout the product wants, as clean PEM (seed 001, seed 002 §1.2.4, D.2):\n" +
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
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return badInput(fmt.Errorf("no input file"), "usage: confcert bundle [flags] <file>...")
			}
			return runBundle(a, f, args)
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
	pile  []*x509.Certificate
	leaf  *x509.Certificate
	key   *certio.Object
	roots []*x509.Certificate
	notes []string // things the report must mention (ignored keys, fetched issuers)
}

func runBundle(a *app, f bundleFlags, names []string) error {
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
	c, err := bundleChain(a, f, layout, in)
	if err != nil {
		return err
	}
	certs := chain.Arrange(c, layout, !f.noRoot)
	data, err := encodeOutput(a, f.format, in.key, c.Leaf, certs, f.crlf, f.legacy)
	if err != nil {
		return err
	}
	if err := writeOutput(a, f.output, data, f.force, in.key != nil); err != nil {
		return err
	}
	r := newBundleReport(a, f, layout, c, certs, in)
	if f.asJSON {
		return r.writeJSON(a.stdout)
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

func readBundleInput(a *app, f bundleFlags, names []string) (*bundleInput, error) {
	in := &bundleInput{}
	for _, name := range names {
		file, err := certio.ReadFile(a.path(name), certio.Options{Password: a.passwords().Func(name)})
		if err != nil {
			return nil, readError(err)
		}
		if len(file.PrivateKeys()) > 0 {
			in.notes = append(in.notes, fmt.Sprintf("private key in %s ignored (give --key to include one)", name))
		}
		in.pile = append(in.pile, file.Certificates()...)
	}
	if len(in.pile) == 0 {
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

// bundleChain builds (or, for trust, collects) the chain and applies the
// refusals of spec cli.md: key mismatch and incomplete chain are exit 1.
func bundleChain(a *app, f bundleFlags, layout chain.Layout, in *bundleInput) (*chain.Chain, error) {
	if layout == chain.LayoutTrust {
		return chain.Collect(in.pile), nil
	}
	opts := chain.Options{Leaf: in.leaf, Roots: in.roots, SystemRoots: f.systemRoots, At: a.now()}
	if opts.Leaf == nil && in.key != nil {
		opts.Leaf = leafForKey(in.pile, in.key)
	}
	c, err := chain.Build(in.pile, opts)
	if err != nil {
		return nil, buildError(err)
	}
	if f.fetch && !c.Complete {
		opts.Leaf = c.Leaf
		if c, err = fetchMissing(a, c, opts, in); err != nil {
			return nil, err
		}
	}
	if in.key != nil && !keys.Match(in.key.PrivateKey, c.Leaf.PublicKey) {
		return nil, failed(fmt.Errorf("%s is not the private key of the leaf certificate %q", f.key, chain.DisplayName(c.Leaf)),
			"nothing was written; give the key made with the leaf's CSR (check with: confcert match <key> <cert>)")
	}
	if !c.Complete && !f.allowIncomplete {
		return nil, failed(incompleteError(c), "nothing was written; add the issuer's certificate to the files, "+
			"give --roots FILE, --system-roots or --fetch, or write it anyway with --allow-incomplete")
	}
	return c, nil
}

func buildError(err error) error {
	var amb *chain.AmbiguousLeafError
	if errors.As(err, &amb) {
		return badInput(err, "name the server certificate with --leaf FILE (or give its key with --key)")
	}
	if errors.Is(err, chain.ErrNoSystemRoots) {
		return badInput(err, "give the trust anchors with --roots FILE")
	}
	return badInput(err, "")
}

func incompleteError(c *chain.Chain) error {
	return fmt.Errorf("incomplete chain: the issuer of %q is missing: %s", chain.DisplayName(c.MissingFor), c.MissingIssuer)
}

// leafForKey returns the only distinct certificate of the pile whose public
// key is the key's, or nil.
func leafForKey(pile []*x509.Certificate, key *certio.Object) *x509.Certificate {
	var found *x509.Certificate
	for _, c := range pile {
		if !keys.Match(key.PrivateKey, c.PublicKey) {
			continue
		}
		if found != nil && !found.Equal(c) {
			return nil
		}
		found = c
	}
	return found
}

// fetchMissing downloads the missing issuer from AIA caIssuers URLs, one
// level per round, and rebuilds the chain with what came back.
func fetchMissing(a *app, c *chain.Chain, opts chain.Options, in *bundleInput) (*chain.Chain, error) {
	f := aia.Fetcher{}
	for round := 0; round < maxFetchRounds && !c.Complete; round++ {
		got, err := f.Issuers(context.Background(), c.MissingFor)
		if err != nil {
			in.notes = append(in.notes, fmt.Sprintf("could not fetch the issuer of %q: %v", chain.DisplayName(c.MissingFor), err))
			return c, nil
		}
		missing := c.MissingFor
		for _, g := range got {
			in.notes = append(in.notes, fmt.Sprintf("fetched %d certificate(s) from %s", len(g.Certificates), g.URL))
			in.pile = append(in.pile, g.Certificates...)
		}
		if c, err = chain.Build(in.pile, opts); err != nil {
			return nil, buildError(err)
		}
		if c.MissingFor != nil && c.MissingFor.Equal(missing) {
			return c, nil // the URL did not hold the issuer
		}
	}
	return c, nil
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
	Layout   string          `json:"layout"`
	Format   string          `json:"format"`
	Output   string          `json:"output,omitempty"`
	Complete bool            `json:"complete"`
	Trusted  bool            `json:"trusted"`
	Order    []reportElement `json:"order"`
	Dropped  []reportDropped `json:"dropped"`
	Warnings []string        `json:"warnings"`
}

type reportElement struct {
	SubjectCN string `json:"subject_cn"`
	Role      string `json:"role"`
}

type reportDropped struct {
	SubjectCN string `json:"subject_cn"`
	Reason    string `json:"reason"`
}

func newBundleReport(a *app, f bundleFlags, layout chain.Layout, c *chain.Chain, certs []*x509.Certificate, in *bundleInput) *bundleReport {
	r := &bundleReport{Layout: string(layout), Format: f.format, Output: f.output, Complete: layout == chain.LayoutTrust || c.Complete,
		Trusted: c.Trusted, Order: []reportElement{}, Dropped: []reportDropped{}, Warnings: append([]string{}, in.notes...)}
	if in.key != nil {
		r.Order = append(r.Order, reportElement{SubjectCN: c.Leaf.Subject.CommonName, Role: "key"})
	}
	for _, cert := range certs {
		r.Order = append(r.Order, reportElement{SubjectCN: cert.Subject.CommonName, Role: role(c, cert)})
	}
	for _, d := range c.Dropped {
		r.Dropped = append(r.Dropped, reportDropped{SubjectCN: chain.DisplayName(d.Cert), Reason: d.Reason})
	}
	if len(certs) == 0 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("the output holds no certificate: the leaf has no intermediate CA and the %s layout leaves out the leaf and the root", layout))
	}
	r.Warnings = append(r.Warnings, chainWarnings(f, layout, c)...)
	r.Warnings = append(r.Warnings, certWarnings(certs, a.now())...)
	return r
}

// role names a certificate's place in the chain; in the trust layout, where
// no chain is built, it is read from the certificate itself.
func role(c *chain.Chain, cert *x509.Certificate) string {
	switch {
	case c.Leaf != nil && cert.Equal(c.Leaf):
		return "leaf"
	case c.Root != nil && cert.Equal(c.Root):
		return "root"
	case c.Leaf != nil:
		return "intermediate"
	case !cert.IsCA:
		return "leaf"
	case chain.SelfSigned(cert):
		return "root"
	}
	return "intermediate"
}

// chainWarnings says whether the root is in the file, and why not.
func chainWarnings(f bundleFlags, layout chain.Layout, c *chain.Chain) []string {
	switch {
	case layout == chain.LayoutTrust:
		return nil
	case !c.Complete:
		return []string{incompleteError(c).Error() + " (written anyway: --allow-incomplete)"}
	case c.Root == nil && c.Leaf != nil && len(c.Intermediates) == 0 && layout.HasRoot():
		return []string{"the leaf is self-signed: there is no separate root to include"}
	case c.Root == nil && layout.HasRoot():
		return []string{"no root certificate found: the bundle ends without its root (give --roots FILE or --system-roots)"}
	case c.Root == nil:
		return nil
	case layout.HasRoot() && f.noRoot:
		return []string{fmt.Sprintf("root %q omitted (--no-root)", chain.DisplayName(c.Root))}
	case layout.HasRoot():
		return []string{fmt.Sprintf("root %q included", chain.DisplayName(c.Root))}
	}
	return []string{fmt.Sprintf("root %q omitted: the %s layout never holds the root", chain.DisplayName(c.Root), layout)}
}

// certWarnings flags written certificates that expire soon or are signed
// with SHA-1.
func certWarnings(certs []*x509.Certificate, now time.Time) []string {
	var out []string
	for _, c := range certs {
		days := describe.DaysLeft(c.NotAfter, now)
		switch {
		case now.After(c.NotAfter):
			out = append(out, fmt.Sprintf("%q EXPIRED on %s", chain.DisplayName(c), c.NotAfter.UTC().Format(time.DateOnly)))
		case days < expiringDays:
			out = append(out, fmt.Sprintf("%q expires in %d days (%s)", chain.DisplayName(c), days, c.NotAfter.UTC().Format(time.DateOnly)))
		}
		if chain.SignatureStrength(c) != chain.Sound {
			out = append(out, fmt.Sprintf("%q is signed with %s (SHA-1)", chain.DisplayName(c), c.SignatureAlgorithm))
		}
	}
	return out
}

func (r *bundleReport) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
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
		fmt.Fprintf(w, "  %d. %-12s %s\n", i+1, e.Role, e.SubjectCN)
	}
	for _, reason := range droppedReasons(r.Dropped) {
		writeDropped(w, r.Dropped, reason)
	}
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "confcert: warning: %s\n", warn)
	}
	return nil
}

func droppedReasons(ds []reportDropped) []string {
	var reasons []string
	for _, d := range ds {
		if !slices.Contains(reasons, d.Reason) {
			reasons = append(reasons, d.Reason)
		}
	}
	return reasons
}

// writeDropped names the certificates dropped for reason, up to maxListed.
func writeDropped(w io.Writer, ds []reportDropped, reason string) {
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
