package cli

import (
	"github.com/confcert/confcert/internal/validity"

	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"github.com/confcert/confcert/internal/inputfile"
	"github.com/confcert/confcert/internal/termsafe"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/dname"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/probe"
	"github.com/confcert/confcert/internal/ui"
)

// probeFlags are the flags of probe (spec probe.md).
type probeFlags struct {
	file, starttls, serverName, xmppDomain string
	trust                                  []string
	systemRoots                            bool
	clientCert, clientKey                  string
	timeout                                time.Duration
	concurrency, within                    int
	asJSON                                 bool
}

func newProbeCmd(a *app) *cobra.Command {
	var f probeFlags
	cmd := &cobra.Command{
		Use:   "probe <target>... [flags]",
		Short: "Judge the certificate chain live servers present, as the pickiest client would",
		Long: "probe connects to TLS services (host, host:port or https://host/...; --starttls for XMPP,\n" +
			"SMTP, LDAP and PostgreSQL) and judges the chain they serve: missing intermediates, order,\n" +
			"extra certificates, names, expiry, trust and weak crypto. A desktop browser fills in a\n" +
			"missing intermediate; a phone does not (the Cisco Community article on the CWMS SSL certificate bundle). Exit 1 when any finding is a FAILURE.\n\n" +
			"Findings: INCOMPLETE_CHAIN, HOSTNAME_MISMATCH, EXPIRED, UNTRUSTED, CONNECT (FAILURE);\n" +
			"WRONG_ORDER, EXTRA_CERTS, EXPIRING, WEAK_SIGNATURE, WEAK_KEY (WARNING; MD5 is a FAILURE);\n" +
			"ROOT_SENT (INFO).\n\n" +
			"--json: {\"targets\": [{\"target\" (host:port), \"servername\", \"starttls\", \"tls_version\",\n" +
			"\"chain\": [{\"subject_cn\", \"issuer_cn\", \"not_after\"}], \"findings\": [{\"code\", \"severity\"\n" +
			"(FAILURE, WARNING, INFO), \"message\"}], \"ok\"}]}.",
		Example: "  confcert probe join.example.com\n" +
			"  confcert probe --starttls xmpp --xmpp-domain example.com xmpp.example.com\n" +
			"  confcert probe --starttls postgres --trust dbca.crt --client-cert dbclient.crt --client-key dbclient.key db1:5432\n" +
			"  confcert probe --file servers.txt --json",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runProbe(cmd, a, f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.file, "file", "", "read targets from `FILE`, one a line, # comments")
	fl.StringVar(&f.starttls, "starttls", "", "negotiate TLS inside `PROTO` first: xmpp, xmpp-server, smtp, ldap, postgres")
	fl.StringVar(&f.serverName, "servername", "", "SNI and the `NAME` to check (default: the target's host)")
	fl.StringVar(&f.xmppDomain, "xmpp-domain", "", "the XMPP stream's to `NAME` (default: the server name)")
	fl.StringArrayVar(&f.trust, "trust", nil, "trust anchors from `FILE` (repeatable; replaces the system roots unless --system-roots)")
	fl.BoolVar(&f.systemRoots, "system-roots", false, "trust the system roots (the default without --trust)")
	fl.StringVar(&f.clientCert, "client-cert", "", "client certificate `FILE` for mutual TLS (leaf first)")
	fl.StringVar(&f.clientKey, "client-key", "", "private key `FILE` of the client certificate")
	fl.DurationVar(&f.timeout, "timeout", probe.DefaultTimeout, "per-target limit for connect, STARTTLS and handshake")
	fl.IntVar(&f.concurrency, "concurrency", probe.DefaultConcurrency, "targets probed at once")
	fl.IntVar(&f.within, "within", validity.WarnDays, "EXPIRING when fewer than `DAYS` are left")
	fl.BoolVar(&f.asJSON, "json", false, "print one JSON document (fields as in confcert help probe)")
	return cmd
}

func runProbe(cmd *cobra.Command, a *app, f probeFlags, args []string) error {
	o, err := probeOptions(a, f)
	if err != nil {
		return err
	}
	targets, err := probeTargets(f.file, args, o.StartTLS.DefaultPort())
	if err != nil {
		return err
	}
	bar := ui.NewProgress(a.stderr, probeProgressTotal(len(targets)), "probing")
	results, err := probe.All(cmd.Context(), targets, o, f.concurrency, func() { bar.Add(1) })
	bar.Finish()
	if err != nil {
		return err
	}
	if f.asJSON {
		err = writeProbeJSON(a.stdout, results)
	} else {
		err = writeProbeText(a.printer(a.stdout), results)
	}
	if err != nil {
		return err
	}
	for _, r := range results {
		if !r.OK() {
			return errSilentFail
		}
	}
	return nil
}

// probeProgressTotal shows a bar only for more than one target (spec probe.md).
func probeProgressTotal(n int) int {
	if n < 2 {
		return 0
	}
	return n
}

// probeOptions checks the flags and loads trust anchors and the client
// certificate.
func probeOptions(a *app, f probeFlags) (probe.Options, error) {
	proto, err := probe.ParseProtocol(f.starttls)
	if err != nil {
		return probe.Options{}, badInput(err, "")
	}
	if f.timeout <= 0 || f.concurrency < 1 || f.within < 0 {
		return probe.Options{}, badInput(fmt.Errorf("--timeout and --concurrency must be positive, --within not negative"), "")
	}
	o := probe.Options{StartTLS: proto, ServerName: f.serverName, XMPPDomain: f.xmppDomain,
		Timeout: f.timeout, WithinDays: f.within, Now: a.now}
	if o.Roots, err = probeTrust(f.trust, f.systemRoots); err != nil {
		return o, err
	}
	o.ClientCert, err = probeClientCert(a, f.clientCert, f.clientKey)
	return o, err
}

// probeTrust reads the --trust files and, when asked or by default, the
// system roots.
func probeTrust(files []string, system bool) ([]*x509.Certificate, error) {
	var roots []*x509.Certificate
	for _, name := range files {
		certs, err := probeReadCerts(name)
		if err != nil {
			return nil, err
		}
		roots = append(roots, certs...)
	}
	if len(files) > 0 && !system {
		return roots, nil
	}
	sys, err := chain.SystemRoots()
	if err != nil {
		return nil, badInput(err, "give the trust anchors with --trust FILE")
	}
	return append(roots, sys...), nil
}

// probeReadCerts reads a file that must hold at least one certificate.
func probeReadCerts(name string) ([]*x509.Certificate, error) {
	file, err := certio.ReadFile(name, certio.Options{})
	if err != nil {
		return nil, badInput(err, "")
	}
	certs := file.Certificates()
	if len(certs) == 0 {
		return nil, badInput(fmt.Errorf("%s: holds no certificate", name), "")
	}
	return certs, nil
}

// probeClientCert loads --client-cert and --client-key (both or neither).
func probeClientCert(a *app, certFile, keyFile string) (*tls.Certificate, error) {
	if certFile == "" && keyFile == "" {
		return nil, nil
	}
	if certFile == "" || keyFile == "" {
		return nil, badInput(fmt.Errorf("--client-cert and --client-key go together"), "")
	}
	certs, err := probeReadCerts(certFile)
	if err != nil {
		return nil, err
	}
	kf, err := certio.ReadFile(keyFile, certio.Options{Password: a.passwords().Func(keyFile)})
	if err != nil {
		return nil, badInput(err, "")
	}
	found := kf.PrivateKeys()
	if len(found) == 0 || found[0].PrivateKey == nil {
		return nil, badInput(fmt.Errorf("%s: holds no usable private key", keyFile), "")
	}
	key := found[0].PrivateKey
	if !keys.Match(key, certs[0].PublicKey) {
		return nil, badInput(fmt.Errorf("%s does not match the certificate %s", keyFile, certFile), "")
	}
	tc := &tls.Certificate{PrivateKey: key, Leaf: certs[0]}
	for _, c := range certs {
		tc.Certificate = append(tc.Certificate, c.Raw)
	}
	return tc, nil
}

// probeTargets parses the arguments and the --file list.
func probeTargets(file string, args []string, defaultPort int) ([]probe.Target, error) {
	var out []probe.Target
	for _, arg := range args {
		t, err := probe.ParseTarget(arg, defaultPort)
		if err != nil {
			return nil, badInput(err, "a target is host, host:port or https://host[:port]/...")
		}
		out = append(out, t)
	}
	if file != "" {
		ts, err := probeReadTargetFile(file, defaultPort)
		if err != nil {
			return nil, err
		}
		out = append(out, ts...)
	}
	if len(out) == 0 {
		return nil, badInput(fmt.Errorf("no target given"), "usage: confcert probe <target>... or --file FILE")
	}
	return out, nil
}

// maxTargetFile bounds a --file target list (a million targets is ~40 MiB).
const maxTargetFile = 64 << 20

func probeReadTargetFile(name string, defaultPort int) ([]probe.Target, error) {
	data, err := inputfile.Read(name, maxTargetFile)
	if err != nil {
		return nil, badInput(fmt.Errorf("%s: %w", name, err), "")
	}
	ts, err := probe.ReadTargets(name, bytes.NewReader(data), defaultPort)
	if err != nil {
		return nil, badInput(err, "one target a line: host, host:port or https://host/...; # starts a comment")
	}
	return ts, nil
}

// writeProbeText prints, per target, the TLS version, the served chain and
// the findings.
func writeProbeText(p *ui.Printer, results []probe.Result) error {
	var b bytes.Buffer
	failures := 0
	for i, r := range results {
		if i > 0 {
			b.WriteString("\n")
		}
		writeProbeResult(&b, p, r)
		if !r.OK() {
			failures++
		}
	}
	if len(results) > 1 {
		fmt.Fprintf(&b, "\n%d targets: %d ok, %d with failures\n", len(results), len(results)-failures, failures)
	}
	_, err := p.Writer().Write(b.Bytes())
	return err
}

func writeProbeResult(b *bytes.Buffer, p *ui.Printer, r probe.Result) {
	head := r.Target.String() + " (name " + r.ServerName
	if r.StartTLS != "" {
		head += ", starttls " + string(r.StartTLS)
	}
	fmt.Fprintln(b, p.Color(ui.Bold, head+")"))
	if r.TLSVersion != "" {
		fmt.Fprintf(b, "  %s, %s\n", r.TLSVersion, r.Cipher)
	}
	if len(r.Chain) > 0 {
		t := ui.NewTable("#", "SUBJECT CN", "ISSUER CN", "NOT AFTER")
		for i, c := range r.Chain {
			t.Row(fmt.Sprint(i), chain.DisplayName(c), probeIssuerCN(c), c.NotAfter.UTC().Format(time.DateOnly))
		}
		var tb bytes.Buffer
		_ = t.Render(&tb)
		for _, line := range strings.SplitAfter(strings.TrimSuffix(tb.String(), "\n"), "\n") {
			b.WriteString("  " + line)
		}
		b.WriteString("\n")
	}
	for _, f := range r.Findings {
		fmt.Fprintf(b, "  %s %s: %s\n", probeSeverity(p, f.Severity), f.Code, termsafe.String(f.Message))
	}
	if len(r.Findings) == 0 {
		fmt.Fprintln(b, "  "+p.Color(ui.Green, "OK")+": the served chain is complete, in order, trusted and names "+r.ServerName)
	}
}

func probeSeverity(p *ui.Printer, s probe.Severity) string {
	switch s {
	case probe.Failure:
		return p.Color(ui.Red, string(s))
	case probe.Warning:
		return p.Color(ui.Yellow, string(s))
	}
	return string(s)
}

// probeIssuerCN is the issuer's common name, or its whole name without one.
func probeIssuerCN(c *x509.Certificate) string {
	if c.Issuer.CommonName != "" {
		return termsafe.String(c.Issuer.CommonName)
	}
	return dname.FormatRaw(c.RawIssuer)
}

// probeJSON is the --json document of spec probe.md.
type probeJSON struct {
	Targets []probeTargetJSON `json:"targets"`
}

type probeTargetJSON struct {
	Target     string          `json:"target"`
	ServerName string          `json:"servername"`
	StartTLS   string          `json:"starttls"`
	TLSVersion string          `json:"tls_version"`
	Cipher     string          `json:"cipher"`
	Chain      []chainCertJSON `json:"chain"`
	Findings   []probe.Finding `json:"findings"`
	OK         bool            `json:"ok"`
}

type chainCertJSON struct {
	SubjectCN string `json:"subject_cn"`
	IssuerCN  string `json:"issuer_cn"`
	NotAfter  string `json:"not_after"`
}

func writeProbeJSON(w io.Writer, results []probe.Result) error {
	doc := probeJSON{Targets: make([]probeTargetJSON, 0, len(results))}
	for _, r := range results {
		t := probeTargetJSON{Target: r.Target.String(), ServerName: r.ServerName, StartTLS: string(r.StartTLS),
			TLSVersion: r.TLSVersion, Cipher: r.Cipher, Chain: []chainCertJSON{},
			Findings: append([]probe.Finding{}, r.Findings...), OK: r.OK()}
		for _, c := range r.Chain {
			t.Chain = append(t.Chain, chainCertJSON{SubjectCN: chain.DisplayName(c), IssuerCN: probeIssuerCN(c),
				NotAfter: c.NotAfter.UTC().Format(time.RFC3339)})
		}
		doc.Targets = append(doc.Targets, t)
	}
	return writeJSON(w, doc)
}
