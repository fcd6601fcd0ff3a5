package cli

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/confcert/confcert/internal/apply"
	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/rolecheck"
)

// checkFlags are the flags of `confcert check` (spec roles.md).
type checkFlags struct {
	req  rolecheck.Request
	plan string
	json bool
	at   string
}

func newCheckCmd(a *app) *cobra.Command {
	var f checkFlags
	cmd := &cobra.Command{
		Use:   "check --role ROLE --cert FILE [flags] | check --plan DEPLOYMENT.yaml --dir DIR",
		Short: "Tell what the server will say about a certificate before it is uploaded",
		Long: "check runs the rules of a product role on a certificate: the Meeting Server's own\n" +
			"SUCCESS:/FAILURE: lines and the rules the guides give, each WARNING and FAILURE with\n" +
			"its fix, then generic lints. Exit 1 on any FAILURE.\n\nRoles: " + strings.Join(catalog.Roles().Names(), ", "),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runCheck(a, cmd, &f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.req.Role, "role", "", "product role to check for (see the list above)")
	fl.StringVar(&f.req.Cert, "cert", "", "certificate `FILE` as it will be uploaded")
	fl.StringVar(&f.req.Key, "key", "", "private key `FILE` to match")
	fl.StringVar(&f.req.Bundle, "bundle", "", "certificate bundle `FILE` (intermediates, root last)")
	fl.StringVar(&f.req.Trust, "trust", "", "trusted CA certificate(s) `FILE`")
	fl.BoolVar(&f.req.SystemRoots, "system-roots", false, "verify the chain against the system's public roots")
	fl.StringArrayVar(&f.req.Names, "name", nil, "a `NAME` the certificate must cover (repeatable)")
	fl.StringVar(&f.req.Domain, "domain", "", "the deployment or XMPP `DOMAIN`")
	fl.BoolVar(&f.req.CUCM, "cucm", false, "the Call Bridge trunks to Unified CM")
	fl.StringVar(&f.req.LyncFQDN, "lync-fqdn", "", "trusted-application `FQDN` on the Lync/Skype front end")
	fl.StringVar(&f.req.PeerCert, "peer-cert", "", "the peer's certificate `FILE` (Web Bridge for TURN, other end of a trunk, other data centre)")
	fl.StringVar(&f.req.Version, "version", "", "product version, e.g. 2.0, 2.5MR5 (CWMS) or 6.0MR5 (MeetingPlace)")
	fl.StringArrayVar(&f.req.IRP, "irp", nil, "an Internet Reverse Proxy `FQDN` that must not appear (repeatable)")
	fl.BoolVar(&f.req.SecureAudio, "secure-audio", false, "CWMS secure audio with Unified CM")
	fl.StringVar(&f.plan, "plan", "", "check every certificate of `DEPLOYMENT.yaml` in --dir")
	fl.BoolVar(&f.json, "json", false, "print the result as JSON")
	addAtFlag(fl, &f.at)
	return cmd
}

func runCheck(a *app, cmd *cobra.Command, f *checkFlags) error {
	if err := a.setClock(f.at); err != nil {
		return err
	}
	o := rolecheck.Options{Now: a.now(), Password: a.passwords().Func("private key")}
	rep, err := checkReport(a, cmd, f, o)
	if err != nil {
		return err
	}
	if err := printCheck(a, f, rep); err != nil {
		return err
	}
	if !rep.OK {
		return errSilentFail
	}
	return nil
}

func checkReport(a *app, cmd *cobra.Command, f *checkFlags, o rolecheck.Options) (*rolecheck.Report, error) {
	if f.plan != "" {
		if cmd.Flags().Changed("role") || cmd.Flags().Changed("cert") {
			return nil, badInput(errors.New("--plan checks every certificate of the plan: give either --plan or --role/--cert"), "")
		}
		p, err := catalog.Load(f.plan, catalog.Options{At: o.Now})
		if err != nil {
			return nil, badInput(err, "")
		}
		return checkPlanDir(cmd.Context(), a, p, a.dir, apply.DefaultWithin)
	}
	if f.req.Role == "" || f.req.Cert == "" {
		return nil, badInput(errors.New("check needs --role ROLE and --cert FILE, or --plan DEPLOYMENT.yaml"),
			"roles: "+strings.Join(catalog.Roles().Names(), ", "))
	}
	req := f.req
	for _, p := range []*string{&req.Cert, &req.Key, &req.Bundle, &req.Trust, &req.PeerCert} {
		if *p != "" {
			*p = a.path(*p)
		}
	}
	c, err := catalog.Roles().Run(req, o)
	if err != nil {
		return nil, badInput(err, "")
	}
	return rolecheck.NewReport(c), nil
}

func printCheck(a *app, f *checkFlags, rep *rolecheck.Report) error {
	if !f.json {
		return rolecheck.Write(a.stdout, a.printer(a.stdout), rep)
	}
	if f.plan == "" {
		return writeJSON(a.stdout, rep.Checks[0])
	}
	return writeJSON(a.stdout, rep)
}
