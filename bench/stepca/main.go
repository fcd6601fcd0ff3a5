// Command stepcabench measures, on the same work, step-ca's /1.0/sign and
// confcert serve's POST /api/v1/requests with automatic approval: the same
// ECDSA P-256 CSRs, the same CA key type, the same number of concurrent
// HTTPS clients on loopback, one service after the other in one run.
// bench/stepca.sh builds it and both services and runs it; the numbers go to
// docs/performance.md ("serve (the CA service)").
//
// It lives in its own module so that confcert's go.mod does not change.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

type options struct {
	stepca, confcert, work string
	ktys                   []string
	n, clients             int
	max                    time.Duration
}

func main() {
	// The services are started from this goroutine and get SIGTERM when the
	// thread that started them ends (Pdeathsig): keep it on the main thread,
	// which lives as long as the process.
	runtime.LockOSThread()
	var o options
	var ktys string
	flag.StringVar(&o.stepca, "stepca", "", "the step-ca binary (empty: measure confcert alone)")
	flag.StringVar(&o.confcert, "confcert", "", "the confcert binary")
	flag.StringVar(&o.work, "work", "", "work directory (default: a new temporary one, removed at the end)")
	flag.StringVar(&ktys, "kty", "ecdsa-p256,rsa2048", "CA key types, comma-separated: ecdsa-p256, rsa2048")
	flag.IntVar(&o.n, "n", 2000, "certificates to ask each service for, per key type")
	flag.IntVar(&o.clients, "clients", 8, "concurrent HTTPS clients")
	flag.DurationVar(&o.max, "max", 30*time.Second, "time limit of each measured run (certificates/s counts those answered by then)")
	flag.Parse()
	o.ktys = strings.Split(ktys, ",")
	if o.confcert == "" || o.n < 1 || o.clients < 1 {
		fmt.Fprintln(os.Stderr, "stepcabench: error: -confcert is required, -n and -clients at least 1")
		os.Exit(2)
	}
	if err := benchmark(o); err != nil {
		fmt.Fprintln(os.Stderr, "stepcabench: error:", err)
		os.Exit(1)
	}
}

func benchmark(o options) error {
	if o.work == "" {
		dir, err := os.MkdirTemp("", "stepcabench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		o.work = dir
	}
	fmt.Printf("making %d ECDSA P-256 CSRs (CN %s, SANs %s)\n", o.n+o.clients, csrCN, strings.Join(csrSANs, " "))
	csrs, err := makeCSRs(o.n + o.clients)
	if err != nil {
		return err
	}
	var results []result
	for _, kty := range o.ktys {
		if o.stepca != "" {
			r, err := measureStepCA(o, kty, csrs)
			if err != nil {
				return fmt.Errorf("step-ca, %s: %w", kty, err)
			}
			results = append(results, r)
		}
		r, err := measureConfcert(o, kty, csrs)
		if err != nil {
			return fmt.Errorf("confcert serve, %s: %w", kty, err)
		}
		results = append(results, r)
	}
	printTable(o, results)
	for _, r := range results {
		if r.errors > 0 {
			return fmt.Errorf("%s (%s): %d requests failed, the first: %s", r.service, r.kty, r.errors, r.firstError)
		}
	}
	return nil
}

// signResponse is the part of step-ca's /1.0/sign answer that is checked.
type signResponse struct {
	Crt string `json:"crt"`
	CA  string `json:"ca"`
}

func measureStepCA(o options, kty string, csrs []string) (result, error) {
	dir := filepath.Join(o.work, "stepca-"+kty)
	addr, err := freeAddr()
	if err != nil {
		return result{}, err
	}
	ca, err := initStepCA(dir, kty, addr)
	if err != nil {
		return result{}, err
	}
	fmt.Printf("step-ca, %s CA: starting on %s (%s)\n", kty, addr, dir)
	srv, err := startServer("step-ca", filepath.Join(dir, "step-ca.log"), nil, o.stepca, ca.config)
	if err != nil {
		return result{}, err
	}
	defer srv.stop()
	base := "https://" + addr
	if err := srv.waitHealthy(base + "/health"); err != nil {
		return result{}, err
	}
	tokens, err := ca.mintTokens(o.n+o.clients, base+"/1.0/sign")
	if err != nil {
		return result{}, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.root)
	var last signResponse
	w := workload{
		url: base + "/1.0/sign", want: http.StatusCreated,
		body: func(i int) []byte {
			b, _ := json.Marshal(map[string]string{"csr": csrs[i], "ott": tokens[i]})
			return b
		},
		check: func(body []byte) error {
			var r signResponse
			if err := json.Unmarshal(body, &r); err != nil || r.Crt == "" {
				return fmt.Errorf("no certificate in the answer: %.200s", body)
			}
			last = r
			return nil
		},
	}
	r, err := measure(o, srv, httpsClient(pool, o.clients), w)
	if err != nil {
		return r, err
	}
	r.service, r.kty = "step-ca /1.0/sign", kty
	if r.done > 0 {
		if err := verifyLeaf([]byte(last.Crt), []byte(last.CA), pool); err != nil {
			return r, fmt.Errorf("a certificate step-ca issued: %w", err)
		}
	}
	return r, nil
}

// issueResponse is the part of confcert's POST /api/v1/requests answer that
// is checked.
type issueResponse struct {
	Status string `json:"status"`
	Serial string `json:"serial"`
}

func measureConfcert(o options, kty string, csrs []string) (result, error) {
	dir := filepath.Join(o.work, "confcert-"+kty)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return result{}, err
	}
	env := []string{"CONFCERT_HOME=" + filepath.Join(dir, "home"), "CONFCERT_STORE=", "CONFCERT_KEK_FILE="}
	profile := filepath.Join(dir, "profile.yaml")
	if err := os.WriteFile(profile, []byte("profiles:\n- {name: auto-cb, role: cms-callbridge, approval: auto, max_days: 397}\n"), 0o600); err != nil {
		return result{}, err
	}
	if _, err := runCmd(env, o.confcert, "ca", "create", "benchca", "--key-type", kty); err != nil {
		return result{}, err
	}
	if _, err := runCmd(env, o.confcert, "serve", "profile", "apply", profile); err != nil {
		return result{}, err
	}
	out, err := runCmd(env, o.confcert, "serve", "token", "create", "--name", "bench", "--role", "requester")
	if err != nil {
		return result{}, err
	}
	token := strings.TrimSpace(out)
	addr, err := freeAddr()
	if err != nil {
		return result{}, err
	}
	fmt.Printf("confcert serve, %s CA: starting on %s (%s)\n", kty, addr, dir)
	srv, err := startServer("confcert serve", filepath.Join(dir, "serve.log"), env, o.confcert, "serve", "--listen", addr, "--ca", "benchca")
	if err != nil {
		return result{}, err
	}
	defer srv.stop()
	base := "https://" + addr
	if err := srv.waitHealthy(base + "/healthz"); err != nil {
		return result{}, err
	}
	pool, err := fetchCA(base + "/api/v1/ca/benchca.crt")
	if err != nil {
		return result{}, err
	}
	var last issueResponse
	w := workload{
		url: base + "/api/v1/requests", want: http.StatusCreated,
		header: http.Header{"Authorization": {"Bearer " + token}},
		body: func(i int) []byte {
			b, _ := json.Marshal(map[string]any{"csr": csrs[i], "profile": "auto-cb", "days": 90})
			return b
		},
		check: func(body []byte) error {
			var r issueResponse
			if err := json.Unmarshal(body, &r); err != nil || r.Status != "issued" {
				return fmt.Errorf("not issued: %.200s", body)
			}
			last = r
			return nil
		},
	}
	c := httpsClient(pool, o.clients)
	r, err := measure(o, srv, c, w)
	if err != nil {
		return r, err
	}
	r.service, r.kty = "confcert serve (auto)", kty
	if r.done > 0 {
		leaf, err := get(c, base+"/api/v1/certificates/"+last.Serial, token)
		if err != nil {
			return r, err
		}
		if err := verifyLeaf(leaf, nil, pool); err != nil {
			return r, fmt.Errorf("a certificate confcert issued: %w", err)
		}
	}
	return r, nil
}

// measure warms up one request a client (connections, caches; not
// counted), then runs the timed requests and takes the server's CPU time
// and the load average around them.
func measure(o options, srv *server, c *http.Client, w workload) (result, error) {
	warm := w
	warm.body = func(i int) []byte { return w.body(o.n + i) }
	if r := run(context.Background(), c, warm, o.clients, o.clients, time.Minute); r.errors > 0 {
		return r, fmt.Errorf("warm-up: %s", r.firstError)
	}
	before, cpu0 := loadavg(), srv.cpu()
	r := run(context.Background(), c, w, o.n, o.clients, o.max)
	r.serverCPU = srv.cpu() - cpu0
	r.loadBefore, r.load = before, loadavg()
	return r, nil
}

// fetchCA reads the service's CA certificate over TLS without verifying
// (the one bootstrap step); every measured request then verifies the
// service's certificate against it.
func fetchCA(url string) (*x509.CertPool, error) {
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // bootstrap of the trust anchor
	resp, err := c.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if resp.StatusCode != http.StatusOK || !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("GET %s: status %d, no certificate", url, resp.StatusCode)
	}
	return pool, nil
}

func get(c *http.Client, url, token string) ([]byte, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d %v", url, resp.StatusCode, err)
	}
	return b, nil
}

// verifyLeaf checks that leafPEM chains to roots (through intermediates)
// for serverAuth and clientAuth and carries the CSR's names.
func verifyLeaf(leafPEM, intermediatesPEM []byte, roots *x509.CertPool) error {
	block, _ := pem.Decode(leafPEM)
	if block == nil {
		return errors.New("no PEM certificate")
	}
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return err
	}
	inter := x509.NewCertPool()
	inter.AppendCertsFromPEM(intermediatesPEM)
	for _, name := range csrSANs {
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: roots, Intermediates: inter,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}); err != nil {
			return err
		}
	}
	return nil
}

func printTable(o options, rs []result) {
	fmt.Printf("\n%d ECDSA P-256 CSRs a service and key type, %d HTTPS clients on loopback (keep-alive), at most %s a run\n\n",
		o.n, o.clients, o.max)
	fmt.Printf("| %-22s | %-10s | %5s | %7s | %8s | %7s | %7s | %12s | %6s | %-17s |\n",
		"service", "CA key", "certs", "seconds", "certs/s", "p50 ms", "p99 ms", "CPU ms/cert", "errors", "load avg before")
	fmt.Printf("|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n", dash(24), dash(12), dash(7), dash(9), dash(10), dash(9), dash(9), dash(14), dash(8), dash(19))
	for _, r := range rs {
		perCert := 0.0
		if r.done > 0 {
			perCert = float64(r.serverCPU.Milliseconds()) / float64(r.done)
		}
		fmt.Printf("| %-22s | %-10s | %5d | %7.2f | %8.1f | %7.1f | %7.1f | %12.2f | %6d | %-17s |\n",
			r.service, r.kty, r.done, r.elapsed.Seconds(), r.rate(), ms(r.p50), ms(r.p99), perCert, r.errors, r.loadBefore)
	}
	fmt.Printf("\nload average after the last run: %s (the services and the clients share the machine's cores)\n", loadavg())
	fmt.Print(`
What each does per certificate (docs/performance.md, "step-ca side by side"):
  step-ca /1.0/sign: CSR signature, one-time token verified (ES256) and its ID recorded (badger transaction),
    template, 1 signature, certificate stored (badger transaction), a log line; no approval queue, no lint, no
    OCSP. badgerv2 defaults: value log O_DSYNC, concurrent transactions share one write (group commit).
  confcert serve, approval: auto: CSR judged by the Call Bridge check role, serial reserved (durable write),
    lint copy signed with a throwaway key of the CA's type and linted (zlint), 1 signature, bodies compared,
    certificate + request + audit entries recorded (durable write), OCSP answer signed in advance; SQLite
    synchronous=FULL, the durable writes of requests in flight share a transaction (group commit).
`)
}

func dash(n int) string { return strings.Repeat("-", n) }

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
