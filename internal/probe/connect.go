package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
)

// step names the stage of a connection that failed.
type step string

const (
	stepTCP       step = "tcp"
	stepStartTLS  step = "starttls"
	stepHandshake step = "handshake"
)

// stepError is a connection failure and the step it happened in.
type stepError struct {
	step  step
	proto Protocol
	err   error
}

// Error implements error: the step, then why.
func (e *stepError) Error() string { return fmt.Sprintf("%s: %v", e.step, e.err) }

// Unwrap returns the cause.
func (e *stepError) Unwrap() error { return e.err }

// connectFinding turns a connection failure into a CONNECT finding that
// says which step failed, why, and what to try.
func connectFinding(err error, o Options, clientCertRequested bool) Finding {
	var se *stepError
	if !errors.As(err, &se) {
		return Finding{Connect, Failure, err.Error()}
	}
	step := string(se.step)
	if se.proto != "" {
		step = fmt.Sprintf("starttls (%s)", se.proto)
	}
	why, fix := explain(se, o, clientCertRequested)
	return Finding{Connect, Failure, fmt.Sprintf("%s failed: %s; %s", step, why, fix)}
}

// cancelledMessage says which step a cancelled probe was in.
func cancelledMessage(err error) string {
	var se *stepError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s stopped: the probe was cancelled", se.step)
	}
	return "stopped: the probe was cancelled"
}

// explain returns why a step failed and what to try.
func explain(se *stepError, o Options, clientCertRequested bool) (why, fix string) {
	err := se.err
	if isTimeout(err) {
		return fmt.Sprintf("no answer within %s", o.timeout()), timeoutFix(se.step, o)
	}
	switch se.step {
	case stepTCP:
		return tcpWhy(err), "check the host, the port and that the service is running and reachable"
	case stepStartTLS:
		return err.Error(), "check that this port speaks " + string(se.proto) + " and offers STARTTLS"
	}
	if clientCertRequested {
		return err.Error(), clientCertFix(o)
	}
	return handshakeWhy(err, o)
}

func timeoutFix(s step, o Options) string {
	switch {
	case s == stepTCP:
		return "a firewall may be dropping the connection, or the host is down"
	case s == stepHandshake && o.StartTLS == "":
		return "the port may speak a protocol that starts in clear text: try --starttls xmpp|xmpp-server|smtp|ldap|postgres"
	}
	return "the service accepted the connection but never answered; raise --timeout if it is just slow"
}

// tcpWhy shortens a dial error to its cause.
func tcpWhy(err error) string {
	var dns *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused (nothing listens on that port)"
	case errors.As(err, &dns):
		return fmt.Sprintf("cannot resolve %q: %s", dns.Name, dns.Err)
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return op.Err.Error()
	}
	return err.Error()
}

// handshakeWhy explains the usual handshake failures.
func handshakeWhy(err error, o Options) (why, fix string) {
	msg := err.Error()
	var rec tls.RecordHeaderError
	switch {
	case errors.As(err, &rec) && o.StartTLS == "":
		return "the server does not speak TLS on this port", "if the protocol starts in clear text, use --starttls xmpp|xmpp-server|smtp|ldap|postgres"
	case strings.Contains(msg, "certificate required"):
		return msg, clientCertFix(o)
	case strings.Contains(msg, "handshake failure") || strings.Contains(msg, "protocol version"):
		return msg, "the server accepts none of the TLS versions or ciphers offered (TLS 1.0 to 1.3); it is badly outdated or misconfigured"
	}
	return msg, "check the service's TLS configuration"
}

// clientCertFix is the advice when a server that asked for a client
// certificate ended the handshake.
func clientCertFix(o Options) string {
	if o.ClientCert == nil {
		return "the server asked for a client certificate (mutual TLS) and none was given: give --client-cert and --client-key"
	}
	return "the server asked for a client certificate and refused the one given: check that its CA is in the server's trust store and that it allows client authentication"
}

// isTimeout reports a deadline that ran out.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout())
}
