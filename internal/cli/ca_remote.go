package cli

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/confcert/confcert/internal/caclient"
	"github.com/confcert/confcert/internal/fileout"
	"github.com/confcert/confcert/internal/ui"
)

// remoteFlags say which CA service to call (spec serve.md, "From plan and
// the CLI"): --server or CONFCERT_SERVER, the token from --token-file or
// CONFCERT_TOKEN_FILE, and --server-ca or CONFCERT_SERVER_CA to trust the
// service's own CA for its HTTPS certificate.
type remoteFlags struct {
	server, tokenFile, serverCA string
}

func (f *remoteFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.server, "server", "", "the CA service, e.g. https://ca.example.com:8443 (also CONFCERT_SERVER)")
	cmd.Flags().StringVar(&f.tokenFile, "token-file", "", "read the API token from `FILE` (also CONFCERT_TOKEN_FILE)")
	cmd.Flags().StringVar(&f.serverCA, "server-ca", "", "trust this CA `FILE` for the service's HTTPS (also CONFCERT_SERVER_CA; default: the system's roots)")
}

func (f *remoteFlags) client() (*caclient.Client, error) {
	o := caclient.Options{Server: firstSet(f.server, os.Getenv("CONFCERT_SERVER")), CAFile: firstSet(f.serverCA, os.Getenv("CONFCERT_SERVER_CA"))}
	if o.Server == "" {
		return nil, badInput(errors.New("no CA service: give --server URL"), "or set CONFCERT_SERVER=https://ca.example.com:8443")
	}
	tokenFile := firstSet(f.tokenFile, os.Getenv("CONFCERT_TOKEN_FILE"))
	if tokenFile == "" {
		return nil, badInput(errors.New("no API token: give --token-file FILE"), "or set CONFCERT_TOKEN_FILE; an admin makes tokens with confcert serve token create")
	}
	tok, err := os.ReadFile(tokenFile)
	if err != nil {
		return nil, badInput(err, "CONFCERT_TOKEN_FILE names the file holding the token")
	}
	o.Token = strings.TrimSpace(string(tok))
	c, err := caclient.New(o)
	if err != nil {
		return nil, badInput(err, "")
	}
	return c, nil
}

func firstSet(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// remoteError turns an API error into the CLI's exit codes: a refused CSR
// is the check saying no (1); the rest is bad input or access (2). A call
// sent again while the service was busy says how many times, before the
// last answer's error and hint.
func remoteError(a *app, err error) error {
	var tried *caclient.Error
	if errors.As(err, &tried) && tried.Tries > 1 {
		fmt.Fprintf(a.stderr, "confcert: tried %d times: the CA service was busy and asked to wait (Retry-After) before each try; its last answer:\n", tried.Tries)
	}
	if e, ok := caclient.Refused(err); ok {
		p := a.printer(a.stderr)
		for _, f := range e.Findings {
			line := fmt.Sprintf("  %s  %s: %s", f.Rule, f.Severity, f.Message)
			if f.Fix != "" {
				line += "; fix: " + f.Fix
			}
			fmt.Fprintln(a.stderr, p.Color(severityStyle(string(f.Severity)), line))
		}
		return failed(errors.New(e.Message), e.Hint)
	}
	var e *caclient.Error
	if errors.As(err, &e) {
		hint := e.Hint
		if e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden {
			hint = firstSet(hint, "check the token in CONFCERT_TOKEN_FILE and its role (confcert serve token list)")
		}
		return badInput(e, hint)
	}
	return badInput(err, "check --server and that the service runs (GET /healthz)")
}

func severityStyle(s string) ui.Style {
	switch s {
	case "FAILURE":
		return ui.Red
	case "WARNING":
		return ui.Yellow
	}
	return ui.Green
}

// busyHelp says what the verbs that call the CA service do when it is busy.
const busyHelp = "A busy service (503 with Retry-After: it did nothing) is waited for (what it asks, up to twice\n" +
	"that, at most 30 s) and the call sent again, up to 5 tries in 60 s; Ctrl-C stops the wait."

func newCASubmitCmd(a *app) *cobra.Command {
	var rf remoteFlags
	var profile, comment string
	var days int
	var force bool
	cmd := &cobra.Command{
		Use:   "submit FILE.csr --server URL --profile P",
		Short: "Send a CSR to the CA service; writes FILE.crt when it is issued at once",
		Long: "Send a CSR to the CA service for a profile; prints the request's ID and status, and writes\n" +
			"FILE.crt when the profile issues at once. Exit 1 when the profile's rules refuse the CSR\n" +
			"(check's findings are printed), 2 when access is refused or the service cannot be reached.\n" + busyHelp,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := rf.client()
			if err != nil {
				return err
			}
			csr, err := os.ReadFile(a.path(args[0]))
			if err != nil {
				return badInput(err, "")
			}
			r, err := c.Submit(cmd.Context(), csr, profile, days, comment)
			if err != nil {
				return remoteError(a, err)
			}
			fmt.Fprintf(a.stdout, "%s %s\n", r.ID, r.Status)
			if r.Status != "issued" {
				fmt.Fprintf(a.stderr, "confcert: request %s awaits approval: confcert ca approve %s (as another approver)\n", r.ID, r.ID)
				return nil
			}
			return a.saveIssued(cmd, c, args[0], r.IssuedSerial(), force)
		},
	}
	rf.add(cmd)
	cmd.Flags().StringVar(&profile, "profile", "", "the profile (template), e.g. cms-callbridge")
	cmd.Flags().IntVar(&days, "days", 0, "validity in days (default and cap: the profile's)")
	cmd.Flags().StringVar(&comment, "comment", "", "a note for the approver")
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing FILE.crt")
	_ = cmd.MarkFlagRequired("profile")
	return cmd
}

// saveIssued writes the issued certificate beside the CSR, as ca sign does.
func (a *app) saveIssued(cmd *cobra.Command, c *caclient.Client, csrName, serial string, force bool) error {
	pemCert, err := c.Certificate(cmd.Context(), serial, "")
	if err != nil {
		return remoteError(a, err)
	}
	out := strings.TrimSuffix(a.path(csrName), filepath.Ext(csrName)) + ".crt"
	if err := fileout.WriteAll([]fileout.File{{Path: out, Data: pemCert}}, force); err != nil {
		return badInput(err, "give --force to replace it")
	}
	fmt.Fprintf(a.stderr, "confcert: wrote %s (serial %s)\n", out, serial)
	return nil
}

func newCARequestsCmd(a *app) *cobra.Command {
	var rf remoteFlags
	var status string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "requests [--status pending|approved|issued|rejected|failed]",
		Short: "List the requests of the CA service (an approver or auditor sees all, a requester their own)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := rf.client()
			if err != nil {
				return err
			}
			rs, err := c.Requests(cmd.Context(), status)
			if err != nil {
				return remoteError(a, err)
			}
			if asJSON {
				return writeJSON(a.stdout, map[string]any{"requests": rs})
			}
			t := ui.NewTable("ID", "STATUS", "PROFILE", "SUBJECT CN", "REQUESTED BY", "REQUESTED AT", "SERIAL")
			for _, r := range rs {
				t.Row(r.ID, r.Status, r.Profile, r.SubjectCN, r.RequestedBy, r.RequestedAt, firstSet(r.IssuedSerial(), "-"))
			}
			return t.Render(a.stdout)
		},
	}
	rf.add(cmd)
	cmd.Flags().StringVar(&status, "status", "", "only requests in this status")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the API's JSON")
	return cmd
}

func newCAApproveCmd(a *app) *cobra.Command {
	var rf remoteFlags
	var reason string
	cmd := &cobra.Command{
		Use:   "approve ID",
		Short: "Approve a pending request of the CA service, which then issues it (not your own request)",
		Long: "Approve a pending request of the CA service, which then issues it; nobody approves their own\n" +
			"request. Exit 2 when access is refused, the request is not pending or the service cannot be reached.\n" + busyHelp,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := rf.client()
			if err != nil {
				return err
			}
			r, err := c.Approve(cmd.Context(), args[0], reason)
			if err != nil {
				return remoteError(a, err)
			}
			fmt.Fprintf(a.stdout, "%s %s %s\n", r.ID, r.Status, r.IssuedSerial())
			return nil
		},
	}
	rf.add(cmd)
	cmd.Flags().StringVar(&reason, "reason", "", "why (kept in the audit log)")
	return cmd
}
