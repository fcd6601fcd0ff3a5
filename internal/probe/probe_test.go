package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/loopback"
	"github.com/confcert/confcert/internal/testpki"
)

// codes lists the finding codes of a result, sorted.
func codes(r Result) []Code {
	var out []Code
	for _, f := range r.Findings {
		out = append(out, f.Code)
	}
	slices.Sort(out)
	return out
}

func trusting(p *pki) Options {
	return Options{ServerName: testName, Roots: []*x509.Certificate{p.root.Cert}, Timeout: 5 * time.Second, WithinDays: 30}
}

func TestProbeServedChains(t *testing.T) {
	p := testPKI()
	tests := []struct {
		name    string
		served  tls.Certificate
		opts    func(Options) Options
		want    []Code
		message string // a finding message must contain this
	}{
		{name: "complete chain", served: testpki.TLSCertificate(p.leaf.Key, p.leaf.Cert, p.inter.Cert)},
		{name: "missing intermediate", served: testpki.TLSCertificate(p.leaf.Key, p.leaf.Cert),
			want: []Code{IncompleteChain}, message: `"CN = Test Intermediate"`},
		{name: "misordered chain", served: testpki.TLSCertificate(p.leafB.Key, p.leafB.Cert, p.interA.Cert, p.interB.Cert),
			want: []Code{WrongOrder}, message: `"Test Intermediate B", "Test Intermediate A"`},
		{name: "extra certificate", served: testpki.TLSCertificate(p.leaf.Key, p.leaf.Cert, p.inter.Cert, p.other.Cert),
			want: []Code{ExtraCerts}, message: `"Unrelated CA" (unrelated)`},
		{name: "root sent", served: testpki.TLSCertificate(p.leaf.Key, p.leaf.Cert, p.inter.Cert, p.root.Cert),
			want: []Code{RootSent}, message: "expected from a Meeting Server"},
		{name: "expired leaf", served: testpki.TLSCertificate(p.expired.Key, p.expired.Cert, p.inter.Cert),
			want: []Code{Expired}, message: "expired on"},
		{name: "expiring leaf", served: testpki.TLSCertificate(p.expiring.Key, p.expiring.Cert, p.inter.Cert),
			want: []Code{Expiring}, message: "in 9 days"},
		{name: "wrong name", served: testpki.TLSCertificate(p.leaf.Key, p.leaf.Cert, p.inter.Cert),
			opts: func(o Options) Options { o.ServerName = "other.example.test"; return o },
			want: []Code{HostnameMismatch}, message: "DNS:svc.example.test"},
		{name: "IP address as the name", served: testpki.TLSCertificate(p.leaf.Key, p.leaf.Cert, p.inter.Cert),
			opts: func(o Options) Options { o.ServerName = ""; return o }},
		{name: "untrusted root", served: testpki.TLSCertificate(p.leaf.Key, p.leaf.Cert, p.inter.Cert, p.root.Cert),
			opts: func(o Options) Options { o.Roots = nil; return o },
			want: []Code{RootSent, Untrusted}, message: `"Test Root"`},
		{name: "trusted intermediate anchors the chain", served: testpki.TLSCertificate(p.leaf.Key, p.leaf.Cert),
			opts: func(o Options) Options { o.Roots = []*x509.Certificate{p.inter.Cert}; return o }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := trusting(p)
			if tt.opts != nil {
				o = tt.opts(o)
			}
			r := Probe(context.Background(), serveTLS(t, tt.served), o)
			checkResult(t, r, tt.want, tt.message)
			if r.TLSVersion != "TLS 1.3" || r.Cipher == "" || len(r.Chain) != len(tt.served.Certificate) {
				t.Errorf("version %q cipher %q chain %d: want TLS 1.3, a cipher, %d certificates",
					r.TLSVersion, r.Cipher, len(r.Chain), len(tt.served.Certificate))
			}
		})
	}
}

// specSeverity is the severity spec probe.md fixes for each code
// (WEAK_SIGNATURE depends on the algorithm: judge_test.go).
var specSeverity = map[Code]Severity{
	IncompleteChain: Failure, WrongOrder: Warning, ExtraCerts: Warning, RootSent: Info,
	HostnameMismatch: Failure, Expired: Failure, Expiring: Warning, Untrusted: Failure,
	WeakKey: Warning, Connect: Failure,
}

func checkResult(t *testing.T, r Result, want []Code, message string) {
	t.Helper()
	slices.Sort(want)
	if got := codes(r); !slices.Equal(got, want) {
		t.Fatalf("codes %v, want %v; findings %+v", got, want, r.Findings)
	}
	for _, f := range r.Findings {
		if s, ok := specSeverity[f.Code]; ok && f.Severity != s {
			t.Errorf("%s is %s, spec probe.md says %s", f.Code, f.Severity, s)
		}
	}
	if r.OK() == HasFailure(r.Findings) {
		t.Errorf("OK() = %v with findings %v", r.OK(), r.Findings)
	}
	if message == "" {
		return
	}
	for _, f := range r.Findings {
		if strings.Contains(f.Message, message) {
			return
		}
	}
	t.Errorf("no finding says %q: %+v", message, r.Findings)
}

func TestProbeStartTLS(t *testing.T) {
	p := testPKI()
	cfg := &tls.Config{Certificates: []tls.Certificate{testpki.TLSCertificate(p.xmpp.Key, p.xmpp.Cert, p.inter.Cert)}}
	tests := []struct {
		proto  Protocol
		server func(to chan<- string) func(net.Conn)
	}{
		{XMPP, func(to chan<- string) func(net.Conn) { return xmppServer("jabber:client", cfg, to) }},
		{XMPPServer, func(to chan<- string) func(net.Conn) { return xmppServer("jabber:server", cfg, to) }},
		{SMTP, func(chan<- string) func(net.Conn) { return smtpServer(cfg) }},
		{LDAP, func(chan<- string) func(net.Conn) { return ldapServer(cfg) }},
		{Postgres, func(chan<- string) func(net.Conn) { return postgresServer('S', cfg) }},
	}
	for _, tt := range tests {
		t.Run(string(tt.proto), func(t *testing.T) {
			to := make(chan string, 1)
			o := trusting(p)
			o.StartTLS = tt.proto
			o.XMPPDomain = xmppDomain
			r := Probe(context.Background(), serve(t, tt.server(to)), o)
			checkResult(t, r, nil, "")
			if r.TLSVersion == "" || len(r.Chain) != 2 {
				t.Errorf("no handshake: %+v", r)
			}
			if tt.proto == XMPP || tt.proto == XMPPServer {
				if got := <-to; got != "example.test" {
					t.Errorf("stream to %q, want example.test", got)
				}
			}
		})
	}
}

// TestProbeXMPPDomain: an XMPP client checks the XMPP domain against the
// subjectAltNames as well as the server's name (seed 002 §3.1.3).
func TestProbeXMPPDomain(t *testing.T) {
	p := testPKI()
	cfg := &tls.Config{Certificates: []tls.Certificate{testpki.TLSCertificate(p.leaf.Key, p.leaf.Cert, p.inter.Cert)}}
	for _, proto := range []Protocol{XMPP, XMPPServer} {
		t.Run(string(proto), func(t *testing.T) {
			o := trusting(p)
			o.StartTLS, o.XMPPDomain = proto, "conf.example.test"
			ns := "jabber:client"
			if proto == XMPPServer {
				ns = "jabber:server"
			}
			r := Probe(context.Background(), serve(t, xmppServer(ns, cfg, make(chan string, 1))), o)
			checkResult(t, r, []Code{HostnameMismatch}, `the XMPP domain "conf.example.test"`)
		})
	}
}

func TestProbeConnectFailures(t *testing.T) {
	p := testPKI()
	cfg := &tls.Config{Certificates: []tls.Certificate{testpki.TLSCertificate(p.leaf.Key, p.leaf.Cert, p.inter.Cert)}}
	tests := []struct {
		name    string
		target  func(t *testing.T) Target
		proto   Protocol
		message string
	}{
		{"closed port", func(t *testing.T) Target { return closedPort(t) }, "", "tcp failed: connection refused"},
		{"silent server", func(t *testing.T) Target { return serve(t, loopback.Silent) }, "", "handshake failed: no answer within 300ms"},
		{"silent xmpp server", func(t *testing.T) Target { return serve(t, loopback.Silent) }, XMPP, "starttls (xmpp) failed: no answer within 300ms"},
		{"postgres without ssl", func(t *testing.T) Target { return serve(t, postgresServer('N', cfg)) }, Postgres, "refused TLS"},
		{"xmpp server without starttls", func(t *testing.T) Target { return serve(t, smtpServer(cfg)) }, XMPP, "starttls (xmpp) failed"},
		{"clear-text port", func(t *testing.T) Target { return serve(t, smtpServer(cfg)) }, "", "does not speak TLS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := trusting(p)
			o.Timeout = 300 * time.Millisecond
			o.StartTLS = tt.proto
			r := Probe(context.Background(), tt.target(t), o)
			checkResult(t, r, []Code{Connect}, tt.message)
		})
	}
}

func TestProbeClientCertificate(t *testing.T) {
	p := testPKI()
	pool := x509.NewCertPool()
	pool.AddCert(p.root.Cert)
	for _, maxVersion := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		cfg := &tls.Config{
			Certificates: []tls.Certificate{testpki.TLSCertificate(p.leaf.Key, p.leaf.Cert, p.inter.Cert)},
			ClientAuth:   tls.RequireAndVerifyClientCert,
			ClientCAs:    pool,
			MaxVersion:   maxVersion,
		}
		target := serve(t, postgresServer('S', cfg))
		name := tls.VersionName(maxVersion)
		t.Run(name+" without", func(t *testing.T) {
			o := trusting(p)
			o.StartTLS = Postgres
			r := Probe(context.Background(), target, o)
			checkResult(t, r, []Code{Connect}, "--client-cert")
			if len(r.Chain) != 2 || !r.ClientCertRequested {
				t.Errorf("chain %d, requested %v: the served chain must be captured anyway", len(r.Chain), r.ClientCertRequested)
			}
		})
		t.Run(name+" with", func(t *testing.T) {
			o := trusting(p)
			o.StartTLS = Postgres
			cc := testpki.TLSCertificate(p.client.Key, p.client.Cert, p.inter.Cert)
			o.ClientCert = &cc
			checkResult(t, Probe(context.Background(), target, o), nil, "")
		})
	}
}

func TestAllKeepsOrder(t *testing.T) {
	p := testPKI()
	good := serveTLS(t, testpki.TLSCertificate(p.leaf.Key, p.leaf.Cert, p.inter.Cert))
	bad := closedPort(t)
	targets := []Target{good, bad, good, bad, good}
	done := 0
	var mu sync.Mutex
	rs, err := All(context.Background(), targets, trusting(p), 2, func() { mu.Lock(); done++; mu.Unlock() })
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rs {
		if r.Target != targets[i] || r.OK() != (i%2 == 0) {
			t.Errorf("result %d: target %v ok %v", i, r.Target, r.OK())
		}
	}
	if done != len(targets) {
		t.Errorf("onDone called %d times, want %d", done, len(targets))
	}
}
