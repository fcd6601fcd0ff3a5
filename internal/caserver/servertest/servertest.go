// Package servertest starts the CA service for tests: a store, its CA, the
// HTTPS certificate that CA issues for 127.0.0.1, the API (and whatever a
// test mounts beside it) on a loopback port, and a token per person. The
// API tests (caserver) and the web page tests (webui) start it the same way.
package servertest

import (
	"context"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/caapi"
	"github.com/confcert/confcert/internal/caserver"
	"github.com/confcert/confcert/internal/caservice"
	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/keys"
)

// Person is a token holder and the role of the token.
type Person struct {
	Name string
	Role caservice.Role
}

// People are the token holders of every test: two requesters, two
// approvers (nobody approves their own request), an auditor and an admin.
var People = []Person{{"alice", caservice.RoleRequester}, {"mallory", caservice.RoleRequester},
	{"bob", caservice.RoleApprover}, {"carol", caservice.RoleApprover}, {"eve", caservice.RoleAuditor},
	{"root", caservice.RoleAdmin}}

// Options says how to start the service.
type Options struct {
	// StoreURL is the store; empty: SQLite in the test's directory.
	StoreURL string
	// DefaultCA names the CA the built-in profiles sign with.
	DefaultCA string
	// Revocation starts the plain-HTTP revocation listener too.
	Revocation bool
	// Observe counts the service's events in the API's metrics.
	Observe bool
	// Mount adds handlers beside the API's (the web pages).
	Mount func(t testing.TB, svc *caservice.Service, mux *http.ServeMux, log *slog.Logger)
	// MaxIssuing bounds the requests issued at once (0: the default).
	MaxIssuing int
	// Wrap, when set, wraps the store the service works on (a store that
	// holds a commit); Server.Store stays the store itself.
	Wrap func(castore.Service) castore.Service
}

// Server is a running service.
type Server struct {
	Dir     string
	Base    string // https://127.0.0.1:PORT
	RevBase string // http://127.0.0.1:PORT of the revocation listener, when started
	Svc     *caservice.Service
	Store   castore.Service
	CAFile  string         // the CA certificate, PEM
	Pool    *x509.CertPool // that CA alone
	Listen  *x509.Certificate
	Tokens  map[string]string // by person
}

// Start starts the service in dir; it stops gracefully when the test ends
// (an error from that shutdown fails the test).
func Start(t testing.TB, dir string, o Options) *Server {
	t.Helper()
	ctx := context.Background()
	if o.StoreURL == "" {
		o.StoreURL = "sqlite:" + filepath.Join(dir, "ca.db")
	}
	opened, err := castore.OpenConfig(ctx, castore.Config{URL: o.StoreURL, Home: filepath.Join(dir, "home"), Seal: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { opened.Store.Close() })
	ln := listen(t)
	s := &Server{Dir: dir, Base: "https://" + ln.Addr().String(), Store: opened.Store, Tokens: map[string]string{}}
	var rev net.Listener
	if o.Revocation {
		rev = listen(t)
		s.RevBase = "http://" + rev.Addr().String()
	}
	store := opened.Store
	if o.Wrap != nil {
		store = o.Wrap(store)
	}
	s.Svc = caservice.New(caservice.Config{Store: store, BaseURL: s.Base, RevocationURL: s.RevBase, DefaultCA: o.DefaultCA,
		CAKeyType: keys.ECDSAP256, MaxIssuing: o.MaxIssuing})
	if _, err := s.Svc.EnsureCA(ctx); err != nil {
		t.Fatal(err)
	}
	cert, issued, err := caserver.ListenCertificate(ctx, s.Svc, filepath.Join(dir, "home"), []string{"127.0.0.1"}, time.Now())
	if err != nil || !issued {
		t.Fatalf("ListenCertificate: issued %v, %v", issued, err)
	}
	s.Listen = cert.Leaf
	s.trustCA(t, ctx)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	metrics := caapi.NewMetrics(opened.Store)
	if o.Observe {
		s.Svc.Observe(metrics)
	}
	api := caapi.New(s.Svc, metrics, log)
	if o.Mount != nil {
		o.Mount(t, s.Svc, api.Mux(), log)
	}
	serve(t, s.Svc, api, caserver.Options{Listener: ln, TLS: cert, Log: log, Revocation: rev})
	s.makeTokens(t, ctx)
	return s
}

func listen(t testing.TB) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// serve runs the server until the test ends, then shuts it down.
func serve(t testing.TB, svc *caservice.Service, api *caapi.API, o caserver.Options) {
	sctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- caserver.Serve(sctx, svc, api, o) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("graceful shutdown: %v", err)
		}
	})
}

// trustCA writes the CA certificate to a file and a pool that trusts only
// it: the HTTPS certificate must chain to the service's CA.
func (s *Server) trustCA(t testing.TB, ctx context.Context) {
	ca, err := s.Svc.CACertificate(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	s.CAFile = filepath.Join(s.Dir, "ca.pem")
	if err := os.WriteFile(s.CAFile, caservice.PEM(ca), 0o644); err != nil {
		t.Fatal(err)
	}
	s.Pool = x509.NewCertPool()
	s.Pool.AddCert(ca)
}

func (s *Server) makeTokens(t testing.TB, ctx context.Context) {
	for _, p := range People {
		secret, err := s.Svc.CreateToken(ctx, caservice.Principal{Name: "test"}, p.Name, p.Role)
		if err != nil {
			t.Fatal(err)
		}
		s.Tokens[p.Name] = secret
	}
}
