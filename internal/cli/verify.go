package cli

import (
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/confcert/confcert/internal/chain"
)

// verifyFlags are the options of verify.
type verifyFlags struct {
	at      string
	purpose string
	host    string
}

func newVerifyCmd(a *app) *cobra.Command {
	var fl verifyFlags
	cmd := &cobra.Command{
		Use:   "verify <cert> <bundle-or-CA> [<CA>]",
		Short: "Check that a certificate chains to a trusted CA (pki verify)",
		Long: "verify checks that <cert> is signed by a trusted CA through the intermediates given, like\n" +
			"the MMP's pki verify (Cisco Meeting Server Certificate Guidelines 2.9, §4.3, Appendix C). With three files the second holds the\n" +
			"intermediates (it may hold the root too) and the third the trusted CA. With two, the\n" +
			"self-signed certificates of the second file are trusted and the rest are intermediates.\n" +
			"Prints Success (exit 0), or the depth, subject, issuer and reason of the failing\n" +
			"certificate in openssl's words, as the Meeting Server shows them (Cisco Meeting Server Certificate Guidelines 2.9, §4.4), exit 1.",
		Example: "  confcert verify callbridge.crt callbridgebundle.crt\n" +
			"  confcert verify server.pem bundle.pem rootca.pem --purpose server --host meet.example.com",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) < 2 || len(args) > 3 {
				return badInput(fmt.Errorf("expected 2 or 3 files, got %d", len(args)),
					"usage: confcert verify <cert> <bundle-or-CA> [<CA>]")
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error { return runVerify(a, args, fl) },
	}
	cmd.Flags().StringVar(&fl.at, "at", "", "verify as of `RFC3339-TIME` instead of now")
	cmd.Flags().StringVar(&fl.purpose, "purpose", "any", "required purpose: server, client or any")
	cmd.Flags().StringVar(&fl.host, "host", "", "host `NAME` the certificate must be valid for")
	return cmd
}

func runVerify(a *app, args []string, fl verifyFlags) error {
	opts, err := verifyOptions(a, fl)
	if err != nil {
		return err
	}
	leaf, intermediates, roots, err := verifyInputs(a, args)
	if err != nil {
		return err
	}
	err = chain.Verify(leaf, intermediates, roots, opts)
	var ve *chain.VerifyError
	if errors.As(err, &ve) {
		fmt.Fprintf(a.stdout, "depth=%d subject= %s\ndepth=%d issuer= %s\nVerification error: %s\n",
			ve.Depth, ve.Subject, ve.Depth, ve.Issuer, ve.Reason)
		return failed(fmt.Errorf("%s: verification failed: %s", args[0], ve.Reason), verifyHint(ve, len(args)))
	}
	if err != nil {
		return failed(fmt.Errorf("%s: verification failed: %w", args[0], err), "")
	}
	fmt.Fprintln(a.stdout, "Success")
	return nil
}

func verifyOptions(a *app, fl verifyFlags) (chain.VerifyOptions, error) {
	o := chain.VerifyOptions{At: a.now(), Host: fl.host}
	switch fl.purpose {
	case "server", "client", "any":
		o.Purpose = fl.purpose
	default:
		return o, badInput(fmt.Errorf("unknown --purpose %q", fl.purpose), "use --purpose server, client or any")
	}
	if fl.at != "" {
		t, err := parseAt(fl.at)
		if err != nil {
			return o, badInput(err, "write it like 2027-01-31 or 2027-01-31T12:00:00Z")
		}
		o.At = t
	}
	return o, nil
}

// verifyInputs reads the files: the first certificate of args[0] is the leaf
// (any others join the intermediates); with three files the third holds the
// trusted CAs, with two the self-signed certificates of the second do.
func verifyInputs(a *app, args []string) (leaf *x509.Certificate, inter, roots []*x509.Certificate, err error) {
	sets := make([][]*x509.Certificate, len(args))
	for i, name := range args {
		if sets[i], err = readCertificates(a, name); err != nil {
			return nil, nil, nil, err
		}
	}
	leaf, inter = sets[0][0], sets[0][1:]
	if len(args) == 3 {
		return leaf, append(inter, sets[1]...), sets[2], nil
	}
	for _, c := range sets[1] {
		if chain.SelfSigned(c) {
			roots = append(roots, c)
		} else {
			inter = append(inter, c)
		}
	}
	return leaf, inter, roots, nil
}

// verifyHint says what to do about a failed verification.
func verifyHint(ve *chain.VerifyError, files int) string {
	switch ve.Reason {
	case chain.ReasonNoIssuer:
		missing := "\"" + ve.Issuer + "\", the issuer of \"" + ve.Subject + "\", is missing: "
		if files == 2 {
			return missing + "add it to the bundle, or give the trusted CA as a third file"
		}
		return missing + "add it to the bundle, or check that the CA file is the right one"
	case chain.ReasonBrokenSignature:
		return "\"" + ve.Subject + "\" is signed with MD5, which no current client accepts: have it re-issued with SHA-256"
	case chain.ReasonSelfSigned, chain.ReasonSelfSignedChain:
		return "the chain ends at \"" + ve.Subject + "\", which is not the trusted CA given"
	case chain.ReasonExpired:
		return "renew the certificate at depth " + fmt.Sprint(ve.Depth) + ", or use --at to check another time"
	case chain.ReasonPurpose:
		return "the certificate does not allow this use; sign it with a profile that does (confcert sign --profile)"
	case chain.ReasonHostname:
		return "the host name is not among the certificate's subject alternative names"
	}
	return ""
}
