package cli

import (
	"bufio"
	"encoding/json"
	"github.com/confcert/confcert/internal/validity"

	"fmt"
	"github.com/confcert/confcert/internal/termsafe"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/confcert/confcert/internal/expiry"
	"github.com/confcert/confcert/internal/fileout"
	"github.com/confcert/confcert/internal/probe"
	"github.com/confcert/confcert/internal/ui"
)

// expiryFlags are the flags of expiry (spec probe.md).
type expiryFlags struct {
	within, concurrency int
	asJSON              bool
	prometheus          string
	starttls            string
	timeout             time.Duration
	at                  string
}

func newExpiryCmd(a *app) *cobra.Command {
	var f expiryFlags
	cmd := &cobra.Command{
		Use:   "expiry <path-or-target>... [flags]",
		Short: "List every certificate in files, directories and live services, soonest expiry first",
		Long: "expiry walks files and directories (every format inspect reads; PKCS#12 only with a\n" +
			"password) and probes host:port targets, then lists every certificate with its source,\n" +
			"position, subject CN and days left, soonest first. Files that cannot be read while walking\n" +
			"are listed as skipped. Exit 1 when anything is expired or within --within days (or a\n" +
			"target cannot be reached); exit 2, after the report, when a file named on the command\n" +
			"line cannot be read.\n\n" +
			"--json: {\"items\": [{\"source\", \"index\", \"subject_cn\", \"not_after\", \"days_left\",\n" +
			"\"status\" (expired, expiring, ok)}], \"skipped\": [{\"source\", \"reason\"}]}.\n" +
			"--prometheus: one gauge confcert_certificate_not_after_seconds{source,subject_cn,serial}\n" +
			"per certificate, in the node_exporter textfile format.",
		Example: "  confcert expiry /etc/cms/certs\n" +
			"  confcert expiry certs/ cms1.example.com:443 --within 60\n" +
			"  confcert expiry /srv/pki --prometheus /var/lib/node_exporter/textfile/confcert.prom",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExpiry(cmd, a, f, args)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&f.within, "within", validity.WarnDays, "expiring when fewer than `DAYS` are left")
	fl.BoolVar(&f.asJSON, "json", false, "print one JSON document (fields as in confcert help expiry)")
	fl.StringVar(&f.prometheus, "prometheus", "", "also write the node_exporter textfile `FILE`, atomically")
	fl.StringVar(&f.starttls, "starttls", "", "negotiate TLS inside `PROTO` first for targets: xmpp, xmpp-server, smtp, ldap, postgres")
	fl.DurationVar(&f.timeout, "timeout", probe.DefaultTimeout, "per-target limit for connect, STARTTLS and handshake")
	fl.IntVar(&f.concurrency, "concurrency", probe.DefaultConcurrency, "targets probed at once")
	addAtFlag(fl, &f.at)
	return cmd
}

func runExpiry(cmd *cobra.Command, a *app, f expiryFlags, args []string) error {
	if len(args) == 0 {
		return badInput(fmt.Errorf("no file, directory or target given"), "usage: confcert expiry <path-or-target>...")
	}
	proto, err := probe.ParseProtocol(f.starttls)
	if err != nil {
		return badInput(err, "")
	}
	if err := a.setClock(f.at); err != nil {
		return err
	}
	if f.within < 0 || f.timeout <= 0 || f.concurrency < 1 {
		return badInput(fmt.Errorf("--within must not be negative, --timeout and --concurrency positive"), "")
	}
	r, err := expiry.Scan(cmd.Context(), args, expiry.Options{
		Password:    a.passwords().Func("PKCS#12 files"),
		Now:         a.now(),
		WithinDays:  f.within,
		Probe:       probe.Options{StartTLS: proto, Timeout: f.timeout, WithinDays: f.within, Now: a.now},
		Concurrency: f.concurrency,
	})
	if err != nil {
		return err
	}
	if err := writeExpiryReport(a, r, f.asJSON); err != nil {
		return err
	}
	if f.prometheus != "" {
		if err := fileout.Write(fileout.File{Path: f.prometheus, Data: expiry.Prometheus(r.Items)}); err != nil {
			return err
		}
	}
	return expiryStatus(a, r)
}

// expiryStatus is exit 2 for named inputs that could not be read (after the
// report), else 1 when anything needs attention.
func expiryStatus(a *app, r expiry.Report) error {
	for i, err := range r.Errors {
		if i == len(r.Errors)-1 {
			return badInput(err, "name files that exist and hold certificates, or targets as host:port")
		}
		fmt.Fprintf(a.stderr, "confcert: error: %s\n", err)
	}
	if r.Attention() || r.Unreachable > 0 {
		return errSilentFail
	}
	return nil
}

func writeExpiryReport(a *app, r expiry.Report, asJSON bool) error {
	if asJSON {
		return writeExpiryJSON(a.stdout, r)
	}
	return writeExpiryText(a.printer(a.stdout), r)
}

func writeExpiryText(p *ui.Printer, r expiry.Report) error {
	w := p.Writer()
	if len(r.Items) > 0 {
		t := ui.NewTable("SOURCE", "#", "SUBJECT CN", "NOT AFTER", "DAYS LEFT", "STATUS")
		for _, it := range r.Items {
			t.Row(termsafe.String(it.Source), fmt.Sprint(it.Index), it.SubjectCN, it.NotAfter.UTC().Format(time.DateOnly),
				fmt.Sprint(it.DaysLeft), expiryStatusColor(p, it.Status))
		}
		if err := t.Render(w); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(w, "no certificates found")
	}
	for _, s := range r.Skipped {
		if _, err := fmt.Fprintf(w, "skipped %s: %s\n", s.Source, s.Reason); err != nil {
			return err
		}
	}
	return nil
}

func expiryStatusColor(p *ui.Printer, s expiry.Status) string {
	switch s {
	case expiry.StatusExpired:
		return p.Color(ui.Red, string(s))
	case expiry.StatusExpiring:
		return p.Color(ui.Yellow, string(s))
	}
	return string(s)
}

// expiryJSON is the --json document of spec probe.md.
type expiryJSON struct {
	Items   []expiryItemJSON    `json:"items"`
	Skipped []expirySkippedJSON `json:"skipped"`
}

type expiryItemJSON struct {
	Source    string `json:"source"`
	Index     int    `json:"index"`
	SubjectCN string `json:"subject_cn"`
	Serial    string `json:"serial"`
	NotAfter  string `json:"not_after"`
	DaysLeft  int    `json:"days_left"`
	Status    string `json:"status"`
	// Public and NextRenewalDue add the public-CA calendar (package
	// publicca): the day the renewal after the coming one is due.
	Public         bool   `json:"public"`
	NextRenewalDue string `json:"next_renewal_due,omitempty"`
}

type expirySkippedJSON struct {
	Source string `json:"source"`
	Reason string `json:"reason"`
}

// writeExpiryJSON writes the document one item at a time, as json's
// Encoder with an indent of two spaces writes the whole of it (expiryJSON),
// so that no second copy of a long report is held.
func writeExpiryJSON(w io.Writer, r expiry.Report) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString("{\n  \"items\": ")
	if err := writeJSONArray(bw, len(r.Items), func(i int) any {
		it := r.Items[i]
		return expiryItemJSON{Source: it.Source, Index: it.Index, SubjectCN: it.SubjectCN,
			Serial: it.Serial, NotAfter: it.NotAfter.UTC().Format(time.RFC3339), DaysLeft: it.DaysLeft,
			Status: string(it.Status), Public: it.Public, NextRenewalDue: dateOrEmpty(it.NextRenewalDue)}
	}); err != nil {
		return err
	}
	bw.WriteString(",\n  \"skipped\": ")
	if err := writeJSONArray(bw, len(r.Skipped), func(i int) any {
		return expirySkippedJSON{Source: r.Skipped[i].Source, Reason: r.Skipped[i].Reason}
	}); err != nil {
		return err
	}
	bw.WriteString("\n}\n")
	return bw.Flush()
}

// writeJSONArray writes an array of n values, as the value of a member of
// the top-level object, indented as writeJSON indents it.
func writeJSONArray(w *bufio.Writer, n int, value func(int) any) error {
	if n == 0 {
		_, err := w.WriteString("[]")
		return err
	}
	w.WriteString("[\n    ")
	for i := range n {
		if i > 0 {
			w.WriteString(",\n    ")
		}
		b, err := json.MarshalIndent(value(i), "    ", "  ")
		if err != nil {
			return err
		}
		w.Write(b)
	}
	_, err := w.WriteString("\n  ]")
	return err
}

func dateOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}
