package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/confcert/confcert/internal/caapi"
	"github.com/confcert/confcert/internal/caserver"
	"github.com/confcert/confcert/internal/caservice"
	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/webui"
)

// serveFlags are the flags of `confcert serve` (spec serve.md).
type serveFlags struct {
	listen, baseURL, ca string
	tlsCert, tlsKey     string
	insecureHTTP        bool
	revListen, revURL   string
	maxIssuing          int
}

// serveAPIHelp is what the API's error hints point to (confcert help serve):
// the roles, the calls and their JSON fields.
const serveAPIHelp = `Roles (they add up): a requester submits and reads its own requests; an approver
approves, rejects and revokes, never its own request; an admin manages profiles and CAs;
an auditor reads everything.

API, under /api/v1, JSON, every call with Authorization: Bearer TOKEN:
  POST /requests {"csr": PEM, "profile": NAME, "days": N, "comment": TEXT}
      201 {"id", "status": pending|issued, "serial": hex or null, "findings"}; 422 findings
  GET  /requests?status=pending|approved|issued|rejected|failed   {"requests": [...]}
  GET  /requests/{id}
  POST /requests/{id}/approve, /requests/{id}/reject {"reason": TEXT}
  GET  /certificates?ca=NAME&status=valid|expired|revoked&expiring=DAYS
      {"certificates": [{"ca", "serial", "subject_cn", "sans", "not_after", "issued_at", "status"}]}
  GET  /certificates/{serial}?layout=chain|cms|fullchain|cwms-1x|cwms-25|meetingplace   PEM
  POST /certificates/{serial}/revoke {"reason": keyCompromise|superseded|...}
  GET  /profiles, GET /audit
Without a token: GET /ca/{ca}.crt, GET /crl/{ca}.crl, POST /ocsp/{ca}, GET /ocsp/{ca}/{base64},
GET /healthz, GET /metrics. Errors: {"error": ..., "hint": ...}. Web pages: /ui/.
More submissions and approvals at once than --max-issuing: 503 with Retry-After, nothing done;
send them again after those seconds (confcert ca and plan's ca_server do, up to 5 times).`

func newServeCmd(a *app) *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the team's private CA: requests, approval, revocation, CRL and OCSP over HTTPS",
		Long: "serve runs the CA service: a JSON API under /api/v1 for requests that wait for an approver,\n" +
			"revocation, a CRL and OCSP answers, signed by a local CA whose key is sealed in the store.\n" +
			"Make tokens with 'confcert serve token create'; add profiles with 'confcert serve profile apply'.\n\n" +
			serveAPIHelp,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, os.Interrupt)
			defer stop()
			return runServe(ctx, a, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:8443", "`ADDRESS:PORT` to listen on")
	fl.StringVar(&f.baseURL, "url", "", "the `BASE` address clients reach the service at, written into every certificate's CRL and OCSP URLs (default: the scheme and --listen address)")
	fl.StringVar(&f.ca, "ca", "", "the local CA the built-in profiles sign with, created on first start (default: the store's only CA, else serveca)")
	fl.StringVar(&f.tlsCert, "tls-cert", "", "serve HTTPS with this certificate `FILE` (with --tls-key) instead of one from the service's CA")
	fl.StringVar(&f.tlsKey, "tls-key", "", "the private key `FILE` of --tls-cert")
	fl.BoolVar(&f.insecureHTTP, "insecure-http", false, "serve plain HTTP (refused on anything but a loopback address)")
	fl.StringVar(&f.revListen, "revocation-listen", "", "also serve the CRL, OCSP and the CA certificate over plain HTTP on `ADDRESS:PORT`, and name it in every certificate")
	fl.StringVar(&f.revURL, "revocation-url", "", "the `BASE` address clients reach --revocation-listen at (default: http:// and that address)")
	fl.IntVar(&f.maxIssuing, "max-issuing", caservice.DefaultMaxIssuing, "at most `N` submissions and approvals issued at once (signing and recording); more are refused with 503 and Retry-After")
	cmd.AddCommand(newServeTokenCmd(a), newServeProfileCmd(a))
	return cmd
}

func runServe(ctx context.Context, a *app, f serveFlags) error {
	host, err := f.check()
	if err != nil {
		return err
	}
	opened, err := a.openSealed(ctx)
	if err != nil {
		return err
	}
	defer opened.Store.Close()
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return badInput(fmt.Errorf("listening on %s: %w", f.listen, err), "choose another --listen address or stop what uses it")
	}
	defer ln.Close()
	base := f.base(ln.Addr())
	rev, revBase, err := f.revocation()
	if err != nil {
		return err
	}
	if rev != nil {
		defer rev.Close()
	}
	svc, err := a.startService(ctx, opened, f.ca, base, revBase, f.maxIssuing)
	if err != nil {
		return err
	}
	cert, err := a.serveTLS(ctx, svc, f, host)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(a.stderr, nil))
	metrics := caapi.NewMetrics(opened.Store)
	svc.Observe(metrics)
	api := caapi.New(svc, metrics, log)
	ui, err := webui.New(svc, webui.Options{Log: log})
	if err != nil {
		return failed(err, "")
	}
	ui.Register(api.Mux())
	fmt.Fprintf(a.stderr, "confcert: serving %s (CA %s, store %s)\n", base, svc.DefaultCA(), opened.Where)
	if revBase != "" {
		fmt.Fprintf(a.stderr, "confcert: CRL and OCSP also at %s\n", revBase)
	}
	err = caserver.Serve(ctx, svc, api, caserver.Options{Listener: ln, TLS: cert, Log: log, Revocation: rev})
	a.drain(svc)
	if err != nil {
		return failed(err, "")
	}
	fmt.Fprintf(a.stderr, "confcert: stopped\n")
	return nil
}

// drain lets the service commit the writes still queued (those of
// requests whose clients went away) before the deferred Close of the
// store, at most caservice.DrainTimeout, and says so when some are left.
func (a *app) drain(svc *caservice.Service) {
	ctx, cancel := context.WithTimeout(context.Background(), caservice.DrainTimeout)
	defer cancel()
	if err := svc.Drain(ctx); err != nil {
		fmt.Fprintf(a.stderr, "confcert: warning: closing the store with writes not committed (their requests get no certificate; an approved one is issued at the next start): %v\n", err)
	}
}

// check refuses flag combinations that cannot work and returns the host
// of --listen.
func (f serveFlags) check() (string, error) {
	host, _, err := net.SplitHostPort(f.listen)
	if err != nil {
		return "", badInput(fmt.Errorf("--listen %s: %w", f.listen, err), "give ADDRESS:PORT, e.g. --listen 127.0.0.1:8443")
	}
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return "", badInput(errors.New("--tls-cert and --tls-key go together"), "give both, or neither to have the service's CA issue one")
	}
	if f.maxIssuing < 1 {
		return "", badInput(fmt.Errorf("--max-issuing %d: want at least 1", f.maxIssuing),
			fmt.Sprintf("the default is %d; raise it for a larger machine, lower it to bound memory", caservice.DefaultMaxIssuing))
	}
	if f.insecureHTTP && !isLoopback(host) {
		return "", badInput(fmt.Errorf("--insecure-http on %s: plain HTTP is only allowed on a loopback address", host),
			"drop --insecure-http (HTTPS is the default), or listen on 127.0.0.1")
	}
	if f.baseURL != "" {
		if u, err := url.Parse(f.baseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return "", badInput(fmt.Errorf("--url %q is not an http(s) address", f.baseURL), "e.g. --url https://ca.example.com:8443")
		}
	}
	return host, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// revocation opens the plain-HTTP revocation listener when asked for and
// returns it with the base URL certificates name.
func (f serveFlags) revocation() (net.Listener, string, error) {
	if f.revListen == "" {
		if f.revURL != "" {
			return nil, "", badInput(errors.New("--revocation-url without --revocation-listen"), "give --revocation-listen ADDRESS:PORT too")
		}
		return nil, "", nil
	}
	ln, err := net.Listen("tcp", f.revListen)
	if err != nil {
		return nil, "", badInput(fmt.Errorf("--revocation-listen %s: %w", f.revListen, err), "choose another address")
	}
	if f.revURL != "" {
		return ln, strings.TrimSuffix(f.revURL, "/"), nil
	}
	return ln, "http://" + ln.Addr().String(), nil
}

// base is --url, else the scheme and the address actually listened on.
func (f serveFlags) base(addr net.Addr) string {
	if f.baseURL != "" {
		return strings.TrimSuffix(f.baseURL, "/")
	}
	scheme := "https"
	if f.insecureHTTP {
		scheme = "http"
	}
	return scheme + "://" + addr.String()
}

// openSealed opens the configured store with CA keys sealed under the KEK
// and imports any key files still outside it, saying what it did.
func (a *app) openSealed(ctx context.Context) (*castore.Opened, error) {
	c, err := a.storeConfig(true)
	if err != nil {
		return nil, err
	}
	opened, err := castore.OpenConfig(ctx, c)
	if err != nil {
		return nil, failed(err, "check --store (or CONFCERT_STORE) and --kek-file (or CONFCERT_KEK_FILE)")
	}
	if opened.KEKCreated != "" {
		fmt.Fprintf(a.stderr, "confcert: created the key-encryption key %s: keep a copy apart from the database; without it the CA keys cannot be used\n", opened.KEKCreated)
	}
	return opened, nil
}

// startService picks the CA, creates it on first start and imports key files.
func (a *app) startService(ctx context.Context, opened *castore.Opened, ca, base, revBase string, maxIssuing int) (*caservice.Service, error) {
	imported, err := opened.Store.ImportKeyFiles(ctx, a.now())
	for _, path := range imported {
		fmt.Fprintf(a.stderr, "confcert: imported the CA key %s into the store, sealed; confcert no longer reads the file\n", path)
	}
	if err != nil {
		return nil, failed(err, "check the key files in "+opened.Where)
	}
	if ca == "" {
		if ca, err = defaultCAName(ctx, opened.Store); err != nil {
			return nil, err
		}
	}
	if err := castore.CheckName(ca); err != nil {
		return nil, badInput(fmt.Errorf("--ca: %w", err), "")
	}
	svc := caservice.New(caservice.Config{Store: opened.Store, BaseURL: base, RevocationURL: revBase, DefaultCA: ca, MaxIssuing: maxIssuing})
	created, err := svc.EnsureCA(ctx)
	if err != nil {
		return nil, failed(err, "")
	}
	if created {
		fmt.Fprintf(a.stderr, "confcert: created CA %s\n", ca)
	}
	return svc, nil
}

// defaultCAName is the store's only CA, else serveca (spec serve.md).
func defaultCAName(ctx context.Context, s castore.Store) (string, error) {
	cas, err := s.CAs(ctx)
	if err != nil {
		return "", failed(err, "")
	}
	if len(cas) == 1 {
		return cas[0].Name, nil
	}
	return "serveca", nil
}

// serveTLS returns the HTTPS certificate: --tls-cert/--tls-key, else one
// the service's own CA issues on first start; nil with --insecure-http.
func (a *app) serveTLS(ctx context.Context, svc *caservice.Service, f serveFlags, host string) (*tls.Certificate, error) {
	switch {
	case f.insecureHTTP:
		return nil, nil
	case f.tlsCert != "":
		c, err := tls.LoadX509KeyPair(f.tlsCert, f.tlsKey)
		if err != nil {
			return nil, badInput(fmt.Errorf("--tls-cert %s / --tls-key %s: %w", f.tlsCert, f.tlsKey, err), "give a PEM certificate and its unencrypted PEM key")
		}
		return &c, nil
	}
	home, err := caHome()
	if err != nil {
		return nil, err
	}
	if err := castore.PrepareHome(home); err != nil {
		return nil, storeError(err, home)
	}
	hosts := listenHosts(host, f.baseURL)
	cert, issued, err := caserver.ListenCertificate(ctx, svc, home, hosts, a.now())
	if err != nil {
		return nil, failed(err, "")
	}
	if issued {
		fmt.Fprintf(a.stderr, "confcert: issued the HTTPS certificate for %s (CA %s): %s; clients trust /api/v1/ca/%s.crt\n",
			strings.Join(hosts, ", "), svc.DefaultCA(), caserver.ListenCertFile, svc.DefaultCA())
	}
	return cert, nil
}

// listenHosts are the names the HTTPS certificate must cover: the host of
// --url and of --listen (an unspecified address is left out).
func listenHosts(host, baseURL string) []string {
	var out []string
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		out = append(out, u.Hostname())
	}
	if ip := net.ParseIP(host); host != "" && (ip == nil || !ip.IsUnspecified()) && !slices.Contains(out, host) {
		out = append(out, host)
	}
	if len(out) == 0 {
		out = append(out, "localhost")
	}
	return out
}
