package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/castore"
)

// serveProc is one `confcert serve` process.
type serveProc struct {
	cmd    *exec.Cmd
	base   string
	stderr *bytes.Buffer
	mu     *sync.Mutex
}

// serveEnv is what the processes of one test share: the binary, the
// store, the KEK and the environment.
type serveEnv struct {
	t      *testing.T
	bin    string
	dir    string
	store  string
	kek    string
	client *http.Client
	token  string
}

func newServeEnv(t *testing.T, store string) *serveEnv {
	t.Helper()
	bin, err := exec.LookPath("confcert")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if store == "" {
		store = "sqlite:" + filepath.Join(dir, "ca.db")
	}
	e := &serveEnv{t: t, bin: bin, dir: dir, store: store, kek: filepath.Join(dir, "kek")}
	profiles := filepath.Join(dir, "profiles.yaml")
	if err := os.WriteFile(profiles, []byte("profiles:\n- {name: auto-cb, role: cms-callbridge, approval: auto, max_days: 90}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.run("a", "serve", "profile", "apply", profiles)
	e.token = strings.TrimSpace(e.run("a", "serve", "token", "create", "--name", "burst", "--role", "requester"))
	return e
}

func (e *serveEnv) env(home string) []string {
	return append(os.Environ(), "CONFCERT_HOME="+filepath.Join(e.dir, home), "CONFCERT_STORE="+e.store, "CONFCERT_KEK_FILE="+e.kek)
}

// run runs a short confcert command and returns its stdout.
func (e *serveEnv) run(home string, args ...string) string {
	e.t.Helper()
	cmd := exec.Command(e.bin, args...)
	cmd.Env = e.env(home)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		e.t.Fatalf("confcert %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String()
}

var servingLine = regexp.MustCompile(`confcert: serving (https://127\.0\.0\.1:\d+) `)

// start runs `confcert serve` with its own home and waits until it serves.
func (e *serveEnv) start(home string) *serveProc {
	e.t.Helper()
	cmd := exec.Command(e.bin, "serve", "--listen", "127.0.0.1:0", "--ca", "procca")
	cmd.Env = e.env(home)
	pipe, err := cmd.StderrPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	p := &serveProc{cmd: cmd, stderr: &bytes.Buffer{}, mu: &sync.Mutex{}}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			p.mu.Lock()
			p.stderr.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			if m := servingLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		close(found)
	}()
	select {
	case base, ok := <-found:
		if !ok {
			e.t.Fatalf("serve exited before serving:\n%s", p.log())
		}
		p.base = base
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		e.t.Fatalf("serve did not start:\n%s", p.log())
	}
	e.t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	if e.client == nil {
		e.trust(home)
	}
	return p
}

func (p *serveProc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// trust makes a client trusting the CA that issued the HTTPS certificate
// (the last certificate of serve-tls.crt).
func (e *serveEnv) trust(home string) {
	data, err := os.ReadFile(filepath.Join(e.dir, home, "serve-tls.crt"))
	if err != nil {
		e.t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		e.t.Fatal("no certificate in serve-tls.crt")
	}
	e.client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool}, MaxIdleConnsPerHost: 16}}
}

// submit sends one auto-approved request; it returns the serial handed out,
// or "" when the call failed (the process may have been killed).
func (e *serveEnv) submit(base, csr string) (string, error) {
	body, _ := json.Marshal(map[string]any{"csr": csr, "profile": "auto-cb", "days": 30})
	req, err := http.NewRequest("POST", base+"/api/v1/requests", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := e.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	var r struct {
		Status, Serial string
	}
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(data, &r) != nil || r.Status != "issued" {
		return "", fmt.Errorf("submit: %d %s", resp.StatusCode, data)
	}
	return r.Serial, nil
}

// csrs makes n CSRs for distinct names under example.com.
func csrs(t *testing.T, n int) []string {
	t.Helper()
	out := make([]string, n)
	for i := range out {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("cb%d.example.com", i)
		der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
			Subject: pkix.Name{CommonName: name}, DNSNames: []string{name}}, key)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
	}
	return out
}

// recorded opens the store and returns every recorded certificate by serial.
func (e *serveEnv) recorded() map[string]castore.Record {
	e.t.Helper()
	o, err := castore.OpenConfig(context.Background(), castore.Config{URL: e.store, Home: filepath.Join(e.dir, "check"), KEKFile: e.kek})
	if err != nil {
		e.t.Fatal(err)
	}
	defer o.Store.Close()
	recs, err := o.Store.Certificates(context.Background(), castore.CertFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]castore.Record{}
	for _, r := range recs {
		s := castore.SerialHex(r.Serial)
		if _, dup := out[s]; dup {
			e.t.Errorf("serial %s recorded twice", s)
		}
		out[s] = r
	}
	return out
}

// burst submits the CSRs over workers goroutines, spreading them over the
// bases, and returns the serials handed out by each base.
func (e *serveEnv) burst(bases []string, csrs []string, workers int, stopOnError bool) map[string][]string {
	var mu sync.Mutex
	out := map[string][]string{}
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				base := bases[i%len(bases)]
				serial, err := e.submit(base, csrs[i])
				if err != nil {
					if !stopOnError {
						e.t.Errorf("%s: %v", base, err)
					}
					continue
				}
				mu.Lock()
				out[base] = append(out[base], serial)
				mu.Unlock()
			}
		}()
	}
	for i := range csrs {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}
