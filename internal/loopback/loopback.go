// Package loopback runs throwaway servers on 127.0.0.1 for tests: a
// listener that hands every connection to a handler until the test ends, a
// TLS handler, and an address nothing listens on.
package loopback

import (
	"crypto/tls"
	"io"
	"net"
	"testing"
	"time"
)

// connDeadline bounds every connection a test server handles, so a handler
// waiting on a client that went away cannot outlive the test by much.
const connDeadline = 10 * time.Second

// Serve listens on a loopback port and runs handle, in its own goroutine,
// for every connection until the test ends; it closes each connection after
// handle returns. It returns the listener's "127.0.0.1:port".
func Serve(t testing.TB, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				_ = conn.SetDeadline(time.Now().Add(connDeadline))
				handle(conn)
			}()
		}
	}()
	return ln.Addr().String()
}

// TLS is a handler that runs the server side of a TLS handshake with cfg
// and then reads until the client closes.
func TLS(cfg *tls.Config) func(net.Conn) {
	return func(conn net.Conn) {
		tc := tls.Server(conn, cfg)
		if tc.Handshake() == nil {
			_, _ = io.Copy(io.Discard, tc)
		}
	}
}

// Silent is a handler that reads and never answers.
func Silent(conn net.Conn) { _, _ = io.Copy(io.Discard, conn) }

// ClosedAddr returns a loopback "127.0.0.1:port" nothing listens on: the
// port was just bound and released.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
