package cli

import (
	"github.com/confcert/confcert/internal/validity"

	"crypto/x509"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/confcert/confcert/internal/certgen"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/fileout"
	"github.com/confcert/confcert/internal/pkiattr"
)

// signFlags are the flags of sign and ca sign.
type signFlags struct {
	days    int
	profile string
	force   bool
}

// defaultSignDays is the validity of a signed certificate when --days is
// not given (spec cli.md, sign).
const defaultSignDays = validity.DefaultDays

// add registers the flags on cmd.
func (f *signFlags) add(cmd *cobra.Command) {
	cmd.Flags().IntVar(&f.days, "days", defaultSignDays, "validity in days (never past the CA's notAfter)")
	cmd.Flags().StringVar(&f.profile, "profile", string(certgen.ProfileServerClient),
		"extended key usage: server, client or server+client")
	cmd.Flags().BoolVar(&f.force, "force", false, "replace an existing <csr-basename>.crt")
}

// signRequest is what sign and ca sign have checked before anything slow or
// lasting happens (reading the CA key, reserving a serial): the options of
// the signature and the output file.
type signRequest struct {
	opts certgen.SignOptions
	out  fileout.File
}

// checkSign is the one validator of sign and ca sign: every basename
// follows the Meeting Server's rule (seed 002 §3.1), the profile is known,
// the validity lies between 1 day and maxDays, and <csr-basename>.crt may be
// written (absent, or --force).
func checkSign(a *app, f signFlags, csrBase string, caBases ...string) (signRequest, error) {
	for _, base := range append([]string{csrBase}, caBases...) {
		if err := pkiattr.CheckBasename(base); err != nil {
			return signRequest{}, badInput(err, "give basenames without an extension: confcert sign dbserver dbca")
		}
	}
	profile, err := certgen.ParseProfile(f.profile)
	if err != nil {
		return signRequest{}, badInput(err, "")
	}
	if err := checkDays(f.days); err != nil {
		return signRequest{}, err
	}
	out := fileout.File{Path: a.path(csrBase + ".crt")}
	if err := checkAbsent([]fileout.File{out}, f.force); err != nil {
		return signRequest{}, err
	}
	return signRequest{opts: certgen.SignOptions{Profile: profile, Days: f.days, Now: a.now()}, out: out}, nil
}

// readSignCSR reads <csr-basename>.csr, which must hold exactly one CSR;
// read errors get the hints of readError.
func readSignCSR(a *app, csrBase string) (*x509.CertificateRequest, error) {
	path := a.path(csrBase + ".csr")
	file, err := certio.ReadFile(path, certio.Options{})
	if err != nil {
		return nil, readError(err)
	}
	switch csrs := file.CSRs(); len(csrs) {
	case 0:
		return nil, badInput(fmt.Errorf("%s: no certificate signing request in the file", path),
			"make one with: confcert csr <basename> CN:<name>")
	case 1:
		return csrs[0], nil
	default:
		return nil, badInput(fmt.Errorf("%s: holds %d certificate signing requests, want exactly one", path, len(csrs)),
			"keep one CSR per <basename>.csr")
	}
}

// csrRefusal explains a CSR that certgen.Sign refused, or returns nil.
func csrRefusal(err error, csrBase string) error {
	if errors.Is(err, certgen.ErrBadCSRSignature) {
		return badInput(fmt.Errorf("%s.csr: %w", csrBase, err),
			"the CSR is damaged or was altered; make a new one with confcert csr")
	}
	return nil
}
