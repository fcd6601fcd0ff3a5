package cli

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/certgen"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/fileout"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/localca"
	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/termsafe"
	"github.com/confcert/confcert/internal/ui"
)

// newCACmd is `confcert ca`: the local CAs recorded in the confcert home and
// the certificates they issued (spec plan.md, "The local CA").
func newCACmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ca",
		Short: "Show and use the local CAs of the confcert home",
		Long: "The local CAs (created on first use by 'confcert plan') live in the confcert home:\n" +
			"$CONFCERT_HOME, else $XDG_DATA_HOME/confcert, else ~/.local/share/confcert.",
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newCAListCmd(a), newCAIssuedCmd(a), newCACreateCmd(a), newCASignCmd(a),
		newCASubmitCmd(a), newCARequestsCmd(a), newCAApproveCmd(a))
	return cmd
}

// caHome returns the confcert home from the environment.
func caHome() (string, error) {
	home, err := castore.Home(os.Getenv)
	if err != nil {
		return "", badInput(err, "set CONFCERT_HOME to the directory that holds confcert.db")
	}
	return home, nil
}

// openCAStore opens the store; with create false a home without a database
// gives (nil, nil), so listing never creates anything, and a lock held by a
// writer is waited for only briefly.
func openCAStore(ctx context.Context, a *app, create bool) (castore.Store, string, error) {
	home, err := caHome()
	if err != nil {
		return nil, "", err
	}
	s, err := a.openConfigured(ctx, home, create)
	if err != nil {
		return nil, home, err
	}
	if s == nil {
		return nil, home, nil
	}
	return s, home, nil
}

// storeError is exit 2 for a store that cannot be used, with the true cause
// (damaged, in use, disk full, not private, CA files without a record) and
// what to do about it.
func storeError(err error, home string) error {
	if cause := castore.Cause(err); cause != nil && !errors.Is(err, cause) {
		err = fmt.Errorf("%w: %w", cause, err)
	}
	return badInput(err, castore.Hint(err, home))
}

func newCAListCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the local CAs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCAList(cmd.Context(), a, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the CAs as JSON")
	return cmd
}

// caJSON is one CA in `ca list --json`.
type caJSON struct {
	Name      string `json:"name"`
	KeyType   string `json:"key_type"`
	SubjectCN string `json:"subject_cn"`
	NotAfter  string `json:"not_after"`
	Serial    string `json:"serial"`
	Issued    int    `json:"issued"`
	Reserved  int    `json:"reserved"`
}

func runCAList(ctx context.Context, a *app, asJSON bool) error {
	s, home, err := openCAStore(ctx, a, false)
	if err != nil {
		return err
	}
	var cas []castore.CASummary
	if s != nil {
		defer s.Close()
		if cas, err = s.CAs(ctx); err != nil {
			return storeError(err, home)
		}
	}
	if asJSON {
		return printCAListJSON(a.stdout, cas)
	}
	if len(cas) == 0 {
		fmt.Fprintf(a.stdout, "No local CAs in %s yet: 'confcert plan' creates them on first use.\n", home)
		return nil
	}
	t := ui.NewTable("NAME", "KEY TYPE", "SUBJECT CN", "NOT AFTER", "ISSUED")
	for _, c := range cas {
		t.Row(c.Name, c.KeyType, termsafe.String(c.Cert.Subject.CommonName), caDay(c.Cert.NotAfter), strconv.Itoa(c.Issued))
	}
	return t.Render(a.stdout)
}

func printCAListJSON(w io.Writer, cas []castore.CASummary) error {
	out := struct {
		CAs []caJSON `json:"cas"`
	}{CAs: []caJSON{}}
	for _, c := range cas {
		out.CAs = append(out.CAs, caJSON{
			Name: c.Name, KeyType: c.KeyType, SubjectCN: c.Cert.Subject.CommonName,
			NotAfter: caStamp(c.Cert.NotAfter), Serial: castore.SerialHex(c.Cert.SerialNumber),
			Issued: c.Issued, Reserved: c.Reserved,
		})
	}
	return writeJSON(w, out)
}

func newCAIssuedCmd(a *app) *cobra.Command {
	var o issuedOptions
	cmd := &cobra.Command{
		Use:   "issued",
		Short: "List the certificates the local CAs issued",
		Long: "List the certificates the local CAs issued, oldest first. --expiring DAYS keeps those\n" +
			"(not revoked) whose notAfter falls within DAYS days, already expired ones included.\n" +
			"Serials reserved for a signing that never finished are not listed ('ca list --json' counts them).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.expiringSet = cmd.Flags().Changed("expiring")
			return runCAIssued(cmd.Context(), a, o)
		},
	}
	cmd.Flags().StringVar(&o.ca, "ca", "", "only the certificates of the CA called `NAME`")
	cmd.Flags().IntVar(&o.expiring, "expiring", 0, "only certificates that expire within `DAYS` days")
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print the certificates as JSON")
	return cmd
}

type issuedOptions struct {
	ca          string
	expiring    int
	expiringSet bool
	asJSON      bool
}

// issuedJSON is one certificate in `ca issued --json` (spec plan.md).
type issuedJSON struct {
	CA        string   `json:"ca"`
	Serial    string   `json:"serial"`
	SubjectCN string   `json:"subject_cn"`
	SANs      []string `json:"sans"`
	NotAfter  string   `json:"not_after"`
	IssuedAt  string   `json:"issued_at"`
	Status    string   `json:"status"`
}

func runCAIssued(ctx context.Context, a *app, o issuedOptions) error {
	if o.expiringSet && o.expiring < 0 {
		return badInput(fmt.Errorf("--expiring %d: the number of days cannot be negative", o.expiring), "")
	}
	s, home, err := openCAStore(ctx, a, false)
	if err != nil {
		return err
	}
	var certs []castore.Issued
	if s != nil {
		defer s.Close()
		if certs, err = listIssued(ctx, a, s, o, home); err != nil {
			return err
		}
	} else if o.ca != "" {
		return unknownCA(o.ca, home)
	}
	if o.asJSON {
		return printIssuedJSON(a.stdout, certs, a.now())
	}
	return printIssuedTable(a, certs)
}

func unknownCA(name, home string) error {
	return badInput(fmt.Errorf("no local CA named %s in %s", name, home),
		"run 'confcert ca list' to see the CAs there, or 'confcert ca create "+name+"' to make it")
}

func listIssued(ctx context.Context, a *app, s castore.Store, o issuedOptions, home string) ([]castore.Issued, error) {
	f := castore.Filter{CA: o.ca}
	if o.ca != "" {
		if _, err := s.CA(ctx, o.ca); errors.Is(err, castore.ErrNotFound) {
			return nil, unknownCA(o.ca, home)
		}
	}
	if o.expiringSet {
		// Valid through notAfter: "within DAYS days" is notAfter <= now+DAYS.
		f.NotAfterBefore = a.now().AddDate(0, 0, o.expiring).Add(time.Second)
	}
	certs, err := s.Issued(ctx, f)
	if err != nil {
		return nil, storeError(err, home)
	}
	if !o.expiringSet {
		return certs, nil
	}
	kept := certs[:0]
	for _, c := range certs {
		if c.RevokedAt.IsZero() { // a revoked certificate needs no renewal
			kept = append(kept, c)
		}
	}
	return kept, nil
}

func printIssuedJSON(w io.Writer, certs []castore.Issued, now time.Time) error {
	out := struct {
		Certificates []issuedJSON `json:"certificates"`
	}{Certificates: []issuedJSON{}}
	for _, c := range certs {
		sans := c.SANs
		if sans == nil {
			sans = []string{}
		}
		out.Certificates = append(out.Certificates, issuedJSON{
			CA: c.CA, Serial: castore.SerialHex(c.Serial), SubjectCN: c.SubjectCN, SANs: sans,
			NotAfter: caStamp(c.NotAfter), IssuedAt: caStamp(c.IssuedAt), Status: string(c.Status(now)),
		})
	}
	return writeJSON(w, out)
}

func printIssuedTable(a *app, certs []castore.Issued) error {
	if len(certs) == 0 {
		fmt.Fprintln(a.stdout, "No certificates issued by local CAs match.")
		return nil
	}
	p := a.printer(a.stdout)
	t := ui.NewTable("CA", "SERIAL", "SUBJECT CN", "SANS", "NOT AFTER", "ISSUED", "STATUS")
	for _, c := range certs {
		t.Row(c.CA, castore.SerialHex(c.Serial), termsafe.String(c.SubjectCN), termsafe.String(strings.Join(c.SANs, ",")),
			caDay(c.NotAfter), caDay(c.IssuedAt), statusText(p, c.Status(a.now())))
	}
	return t.Render(a.stdout)
}

func statusText(p *ui.Printer, s castore.Status) string {
	switch s {
	case castore.StatusValid:
		return p.Color(ui.Green, string(s))
	case castore.StatusExpired:
		return p.Color(ui.Red, string(s))
	}
	return p.Color(ui.Yellow, string(s))
}

func newCACreateCmd(a *app) *cobra.Command {
	var keyType string
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a local CA now instead of on first use",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCACreate(cmd.Context(), a, args[0], keyType)
		},
	}
	cmd.Flags().StringVar(&keyType, "key-type", string(keys.Default), "key type of the CA: rsa2048, rsa3072, rsa4096, ecdsa-p256, ecdsa-p384, ed25519")
	return cmd
}

func runCACreate(ctx context.Context, a *app, name, keyType string) error {
	kt, err := keys.ParseType(keyType, false)
	if err != nil {
		return badInput(err, "")
	}
	if err := castore.CheckName(name); err != nil {
		return badInput(err, "name the CA with letters, digits and '-' only")
	}
	s, home, err := openCAStore(ctx, a, true)
	if err != nil {
		return err
	}
	defer s.Close()
	ca, created, err := localca.EnsureCA(ctx, s, name, kt, a.now())
	if err != nil {
		return storeError(err, home)
	}
	crt := filepath.Join(home, name+".crt")
	if !created {
		fmt.Fprintf(a.stdout, "CA %s already exists (%s, until %s); its certificate is %s\n", name, ca.KeyType, caDay(ca.Cert.NotAfter), crt)
		return nil
	}
	fmt.Fprintf(a.stdout, "Created CA %s (%s, valid until %s); its certificate is %s\n", name, ca.KeyType, caDay(ca.Cert.NotAfter), crt)
	return nil
}

func newCASignCmd(a *app) *cobra.Command {
	var o caSignOptions
	cmd := &cobra.Command{
		Use:   "sign <csr-basename> --ca NAME",
		Short: "Sign <csr-basename>.csr with a local CA and record it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.basename = args[0]
			return runCASign(cmd.Context(), a, o)
		},
	}
	cmd.Flags().StringVar(&o.ca, "ca", "", "the local CA called `NAME` signs (required)")
	o.sign.add(cmd)
	_ = cmd.MarkFlagRequired("ca")
	return cmd
}

type caSignOptions struct {
	basename, ca string
	sign         signFlags
}

func runCASign(ctx context.Context, a *app, o caSignOptions) error {
	req, err := checkSign(a, o.sign, o.basename)
	if err != nil {
		return err
	}
	csr, err := readSignCSR(a, o.basename)
	if err != nil {
		return err
	}
	s, home, err := openCAStore(ctx, a, false)
	if err != nil {
		return err
	}
	if s == nil {
		return unknownCA(o.ca, home)
	}
	defer s.Close()
	ca, err := localca.Load(ctx, s, o.ca)
	if errors.Is(err, castore.ErrNotFound) {
		return unknownCA(o.ca, home)
	} else if err != nil {
		return storeError(err, home)
	}
	if err := dedicatedCA(ctx, s, o.ca, csr, o.basename); err != nil {
		return err
	}
	cert, err := ca.Sign(ctx, csr, req.opts)
	if refusal := csrRefusal(err, o.basename); refusal != nil {
		return refusal
	} else if errors.Is(err, certgen.ErrCAExpired) {
		return badInput(err, "make a new local CA: the certificates an expired CA signs are never valid")
	} else if err != nil {
		return storeError(err, home)
	}
	// Rename without replace: another process may have written the file
	// since checkSign looked (the certificate stays recorded either way).
	req.out.Data = certio.CertificatesPEM(cert)
	req.out.NoReplace = !o.sign.force
	if err := fileout.Write(req.out); err != nil {
		return badInput(err, "the certificate is recorded ('confcert ca issued' shows it); give --force to replace the file")
	}
	fmt.Fprintf(a.stdout, "Signed %s with local CA %s (serial %s, valid until %s)\n",
		filepath.Base(req.out.Path), o.ca, castore.SerialHex(cert.SerialNumber), caDay(cert.NotAfter))
	return nil
}

// dedicatedCA refuses to sign, with the dedicated CA of a database cluster,
// a CSR for anything but that cluster's dbserver (a node FQDN) or dbclient
// (CN postgres): its nodes accept every client certificate that CA signs
// (Cisco Meeting Server Certificate Guidelines 2.9, §4.8 caution), as plan
// refuses it.
func dedicatedCA(ctx context.Context, s castore.Store, name string, csr *x509.CertificateRequest, basename string) error {
	recs, ok := s.(castore.Clusters)
	if !ok {
		return nil
	}
	cluster, err := recs.CACluster(ctx, name)
	if errors.Is(err, castore.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	for _, n := range append([]string{csr.Subject.CommonName}, csr.DNSNames...) {
		if !plan.InCluster(n, cluster) {
			return badInput(fmt.Errorf("%s.csr asks for %s, and local CA %s is the dedicated CA of the database cluster %s: it signs only that cluster's dbserver and dbclient certificates, or the cluster's nodes accept every client certificate it signs (Cisco Meeting Server Certificate Guidelines 2.9, §4.8 caution)",
				basename, termsafe.String(n), name, cluster),
				"sign it with another local CA (confcert ca list shows them)")
		}
	}
	return nil
}

// caDay formats a time as a UTC date for tables.
func caDay(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// caStamp formats a time as RFC 3339 UTC for JSON.
func caStamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// writeJSON prints v as indented JSON: the --json output of ca, check, probe
// and expiry.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
