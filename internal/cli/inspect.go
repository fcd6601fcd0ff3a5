package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/confcert/confcert/internal/certfacts"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/inputfile"
	"github.com/confcert/confcert/internal/password"
)

// inspectPasswordHint tells the user how to give a password without typing it on
// the command line (spec cli.md, "Conventions for every verb").
const inspectPasswordHint = "give the password with --password-file FILE or CONFCERT_PASSWORD, or type it at the prompt"

func newInspectCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "inspect <file>",
		Short: "Say what a file holds: certificates, keys, CSRs, bundles (pki inspect)",
		Long: "inspect says whether a file holds certificates, a private key (encrypted or not), a CSR,\n" +
			"a public key, a PKCS#7 or PKCS#12 bundle, or is unknown (exit 2), like the MMP's pki inspect\n" +
			"(Cisco Meeting Server Certificate Guidelines 2.9, §4.3, Appendix C). Every element of a bundle is shown in file order, with which\n" +
			"element issued which. PKCS#12 files and encrypted keys need their password.\n\n" +
			"--json: {\"file\", \"encoding\" (PEM, DER, PKCS7, PKCS12), \"objects\": [{\"index\", \"type\" (certificate,\n" +
			"private-key, csr, public-key), ...}]}. Certificates: subject, subject_cn, issuer, issuer_cn,\n" +
			"serial (hex), not_before, not_after (RFC 3339, UTC), days_left, expired, self_signed, is_ca,\n" +
			"dns_names, ip_addresses, emails, key_algorithm (RSA, ECDSA, Ed25519), key_bits,\n" +
			"signature_algorithm, key_usage, ext_key_usage, sha256, issued_by_index (or null). Private\n" +
			"keys: key_algorithm, key_bits, encrypted. CSRs: subject, subject_cn, dns_names,\n" +
			"ip_addresses, emails, key_algorithm, key_bits, signature_algorithm, signature_valid.",
		Example: "  confcert inspect callbridge.crt\n  confcert inspect bundle.p7b --json",
		Args:    inspectOneFile("inspect <file> [--json]"),
		RunE: func(_ *cobra.Command, args []string) error {
			return runInspect(a, args[0], asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document (fields as in confcert help inspect)")
	return cmd
}

// inspectOneFile accepts exactly one argument, naming the usage otherwise.
func inspectOneFile(usage string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != 1 {
			return badInput(fmt.Errorf("expected one file, got %d arguments", len(args)), "usage: confcert "+usage)
		}
		return nil
	}
}

func runInspect(a *app, name string, asJSON bool) error {
	path := a.path(name)
	if err := streamInspect(a, path, asJSON); !errors.Is(err, certfacts.ErrNotStreamable) {
		return err
	}
	f, err := readForInspect(a, path)
	if errors.Is(err, certio.ErrUnknownFormat) {
		return inspectUnknown(a, path, err, asJSON)
	}
	if err != nil {
		return badInput(err, inspectReadHint(err))
	}
	r := certfacts.File(f, a.now())
	if asJSON {
		err = certfacts.WriteJSON(a.stdout, r)
	} else {
		err = certfacts.WriteText(a.printer(a.stdout), r)
	}
	if err == nil && r.Locked {
		a.stderr.Write([]byte("confcert: hint: " + name + " is encrypted; " + inspectPasswordHint + " to see all of it\n"))
	}
	return err
}

// streamInspect describes a PEM file of certificates only a batch at a time,
// with memory that stays flat however large the file (certfacts.Stream). It
// gives certfacts.ErrNotStreamable, having written nothing, for anything
// else: standard input, a file it cannot open, or one holding anything but
// certificates, which runInspect then reads whole.
func streamInspect(a *app, path string, asJSON bool) error {
	if path == certio.Stdin {
		return certfacts.ErrNotStreamable
	}
	first, err := inputfile.Open(path, inputfile.MaxStreamFile)
	if err != nil {
		return certfacts.ErrNotStreamable // read whole, which names the problem
	}
	fi, err := first.Stat()
	if err != nil {
		first.Close()
		return certfacts.ErrNotStreamable
	}
	// Every pass reads the file as long as it was when opened, so that a
	// file appended to meanwhile (a log, a copy in progress) cannot keep the
	// stream reading, as certio.NewFileStream bounds bundle, expiry and list.
	size := fi.Size()
	open := func() (io.ReadCloser, error) {
		f := first
		first = nil
		if f == nil {
			var err error
			if f, err = inputfile.Open(path, inputfile.MaxStreamFile); err != nil {
				return nil, err
			}
		}
		return struct {
			*io.SectionReader
			io.Closer
		}{io.NewSectionReader(f, 0, size), f}, nil
	}
	defer func() {
		if first != nil {
			first.Close()
		}
	}()
	if asJSON {
		// A file the whole read would take is walked first, so that it is
		// refused, when it is, before anything is written.
		walkFirst := size <= inputfile.MaxCertFile
		err = certfacts.StreamJSON(a.stdout, path, open, a.now(), walkFirst)
	} else {
		err = certfacts.StreamText(a.printer(a.stdout), path, open, a.now())
	}
	if err != nil && !errors.Is(err, certfacts.ErrNotStreamable) {
		return badInput(&certio.FileError{Name: path, Err: err}, "")
	}
	return err
}

// readForInspect reads path with the password source; when no password can be
// had, the file is read again without one so its type is still reported.
func readForInspect(a *app, path string) (*certio.File, error) {
	f, err := certio.ReadFile(path, certio.Options{Password: a.passwords().Func(path)})
	if errors.Is(err, password.ErrNoPassword) {
		return certio.ReadFile(path, certio.Options{})
	}
	return f, err
}

// inspectUnknown reports a file that holds nothing confcert recognises: the
// word `unknown` on stdout (spec cli.md), the reason on stderr, exit 2.
func inspectUnknown(a *app, path string, err error, asJSON bool) error {
	if asJSON {
		certfacts.WriteJSON(a.stdout, &certfacts.Report{File: path, Encoding: "unknown"})
	} else {
		a.stdout.Write([]byte(path + ": unknown\n"))
	}
	return badInput(err, "confcert reads PEM, DER, PKCS#7 and PKCS#12 certificates, keys and CSRs")
}

// inspectReadHint gives the advice for an error from certio.ReadFile.
func inspectReadHint(err error) string {
	switch {
	case errors.Is(err, certio.ErrWrongPassword):
		return "check the password; " + inspectPasswordHint
	case errors.Is(err, certio.ErrNeedsPassword):
		return inspectPasswordHint
	}
	return ""
}
