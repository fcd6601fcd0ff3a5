// Package probe connects to live TLS services, negotiating STARTTLS first for
// XMPP, SMTP, LDAP and PostgreSQL, captures the certificates they serve and
// judges that chain the way the pickiest client would (spec probe.md). The
// only evidence that a deployment is right is what its servers present: a
// desktop browser fills in a missing intermediate, a phone does not (seed
// 001). Every network step runs under one per-target deadline, so a probe
// never hangs.
package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/confcert/confcert/internal/parallel"
)

// DefaultTimeout bounds each target: dial, STARTTLS exchange and handshake.
const DefaultTimeout = 5 * time.Second

// DefaultConcurrency is how many targets are probed at once.
const DefaultConcurrency = 32

// Options say how to reach and judge targets.
type Options struct {
	// StartTLS is the protocol to negotiate before TLS; empty is plain TLS.
	StartTLS Protocol
	// ServerName is sent as SNI and checked against the leaf; empty means
	// the target's host.
	ServerName string
	// XMPPDomain is the XMPP stream's "to"; empty means the server name.
	XMPPDomain string
	// Roots are the trust anchors the served chain is judged against.
	Roots []*x509.Certificate
	// ClientCert is presented when the server asks for one (mutual TLS).
	ClientCert *tls.Certificate
	// Timeout bounds each target; zero means DefaultTimeout.
	Timeout time.Duration
	// WithinDays is the EXPIRING window in days.
	WithinDays int
	// Now returns the time the chain is judged at; nil means time.Now.
	Now func() time.Time
}

// Result is what one target served and what was found.
type Result struct {
	Target     Target
	ServerName string
	StartTLS   Protocol
	// TLSVersion and Cipher are empty when the handshake did not finish.
	TLSVersion string
	Cipher     string
	// Chain is what the server sent, in the order sent.
	Chain    []*x509.Certificate
	Findings []Finding
	// ClientCertRequested is true when the server asked for a client
	// certificate.
	ClientCertRequested bool
}

// OK reports whether no finding is a FAILURE.
func (r Result) OK() bool { return !HasFailure(r.Findings) }

// serverName is the name sent as SNI and checked against the leaf.
func (o Options) serverName(t Target) string {
	if o.ServerName != "" {
		return o.ServerName
	}
	return t.Host
}

func (o Options) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

func (o Options) timeout() time.Duration {
	if o.Timeout <= 0 {
		return DefaultTimeout
	}
	return o.Timeout
}

// Probe connects to one target, captures the chain it serves and judges it.
// It always returns within the timeout; failures are CONNECT findings.
func Probe(ctx context.Context, t Target, o Options) Result {
	r := Result{Target: t, ServerName: o.serverName(t), StartTLS: o.StartTLS}
	ctx, cancel := context.WithTimeout(ctx, o.timeout())
	defer cancel()
	err := r.connect(ctx, o)
	switch {
	case err != nil && errors.Is(ctx.Err(), context.Canceled):
		// Cancelled (Ctrl-C), not timed out: the reads ended by force.
		r.Findings = append(r.Findings, Finding{Connect, Failure, cancelledMessage(err)})
	case err != nil:
		r.Findings = append(r.Findings, connectFinding(err, o, r.ClientCertRequested))
	}
	if len(r.Chain) > 0 {
		jo := JudgeOptions{ServerName: r.ServerName, Roots: o.Roots, At: o.now(), WithinDays: o.WithinDays}
		if o.StartTLS == XMPP || o.StartTLS == XMPPServer {
			jo.XMPPDomain = o.xmppDomain(r.ServerName)
		}
		r.Findings = append(r.Findings, Judge(r.Chain, jo)...)
	}
	return r
}

// connect dials, negotiates STARTTLS and shakes hands, filling in r.
func (r *Result) connect(ctx context.Context, o Options) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", r.Target.String())
	if err != nil {
		return &stepError{step: stepTCP, err: err}
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return &stepError{step: stepTCP, err: err}
	}
	// A cancelled context (Ctrl-C) ends every pending read at once.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if err := negotiate(conn, o.StartTLS, o.xmppDomain(r.ServerName)); err != nil {
		return &stepError{step: stepStartTLS, proto: o.StartTLS, err: err}
	}
	tc := tls.Client(conn, r.tlsConfig(o))
	if err := tc.HandshakeContext(ctx); err != nil {
		return &stepError{step: stepHandshake, err: err}
	}
	st := tc.ConnectionState()
	r.TLSVersion = tls.VersionName(st.Version)
	r.Cipher = tls.CipherSuiteName(st.CipherSuite)
	if r.ClientCertRequested && st.Version == tls.VersionTLS13 {
		return confirmClientAuth(tc, deadline)
	}
	return nil
}

// clientAuthWait is how long to listen for a TLS 1.3 server's verdict on
// the client certificate.
const clientAuthWait = 250 * time.Millisecond

// confirmClientAuth waits briefly for a rejection of the client
// certificate: in TLS 1.3 the client's handshake is over before the server
// has judged it, so a refusal only arrives as an alert afterwards. Silence
// or a clean close means the server accepted it.
func confirmClientAuth(tc *tls.Conn, deadline time.Time) error {
	wait := time.Now().Add(clientAuthWait)
	if deadline.Before(wait) {
		wait = deadline
	}
	_ = tc.SetReadDeadline(wait) // on failure the read below ends at the earlier deadline
	var b [1]byte
	_, err := tc.Read(b[:])
	if err == nil || isTimeout(err) || errors.Is(err, io.EOF) {
		return nil
	}
	return &stepError{step: stepHandshake, err: err}
}

func (o Options) xmppDomain(serverName string) string {
	if o.XMPPDomain != "" {
		return o.XMPPDomain
	}
	return serverName
}

// tlsConfig accepts any chain so that it can be captured and judged here:
// the judgement, not the handshake, decides. The chain is captured as soon
// as it arrives, so it is judged even when the handshake fails later (for
// instance for want of a client certificate).
func (r *Result) tlsConfig(o Options) *tls.Config {
	return &tls.Config{
		ServerName:         r.ServerName,
		InsecureSkipVerify: true, // the chain is judged by Judge, not here
		MinVersion:         tls.VersionTLS10,
		// Nothing secret crosses a probe: the plain X25519 share is enough
		// and costs far less than the post-quantum hybrid.
		CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384, tls.CurveP521},
		VerifyConnection: func(cs tls.ConnectionState) error {
			r.Chain = cs.PeerCertificates
			return nil
		},
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			r.ClientCertRequested = true
			if o.ClientCert == nil {
				return &tls.Certificate{}, nil
			}
			return o.ClientCert, nil
		},
	}
}

// All probes every target with at most concurrency probes at once (the
// worker pool of internal/parallel) and returns the results in target
// order. onDone, when not nil, is called after each target (from several
// goroutines: it must be safe for that). When ctx ends first, no further
// target is started, the probes in flight end at once, and the error says
// so; the results are then incomplete and must not be reported as findings.
func All(ctx context.Context, targets []Target, o Options, concurrency int, onDone func()) ([]Result, error) {
	out := make([]Result, len(targets))
	err := parallel.Do(ctx, len(targets), max(1, concurrency), func(ctx context.Context, i int) error {
		out[i] = Probe(ctx, targets[i], o)
		if onDone != nil {
			onDone()
		}
		return nil
	})
	if err == nil {
		err = ctx.Err() // a probe cut short by the end of ctx is no finding
	}
	if err != nil {
		return out, fmt.Errorf("probing %d target(s): %w", len(targets), err)
	}
	return out, nil
}
