package probe

import (
	"context"
	"crypto/tls"
	"net"
	"testing"
	"time"
)

// BenchmarkProbeOne measures one probe of a loopback TLS server.
func BenchmarkProbeOne(b *testing.B) {
	p := testPKI()
	target := serveTLS(b, tlsCert(p.leaf.key, p.leaf.cert, p.inter.cert))
	o := trusting(p)
	for b.Loop() {
		if r := Probe(context.Background(), target, o); !r.OK() {
			b.Fatalf("probe failed: %+v", r.Findings)
		}
	}
}

// BenchmarkProbe200 measures probing 200 loopback endpoints (200 listeners)
// with the default concurrency of 32; spec goal: at most 10x one probe.
func BenchmarkProbe200(b *testing.B) {
	p := testPKI()
	cert := tlsCert(p.leaf.key, p.leaf.cert, p.inter.cert)
	targets := make([]Target, 200)
	for i := range targets {
		targets[i] = serveTLS(b, cert)
	}
	o := trusting(p)
	for b.Loop() {
		for _, r := range All(context.Background(), targets, o, DefaultConcurrency, nil) {
			if !r.OK() {
				b.Fatalf("probe of %s failed: %+v", r.Target, r.Findings)
			}
		}
	}
}

// rtt is the delay the "remote" benchmark servers wait before answering, a
// stand-in for the network round trips of a real probe.
const rtt = 20 * time.Millisecond

func serveSlowTLS(b *testing.B, cert tls.Certificate) Target {
	h := handshake(&tls.Config{Certificates: []tls.Certificate{cert}})
	return serve(b, func(c net.Conn) { time.Sleep(rtt); h(c) })
}

// BenchmarkProbeOneRemote is one probe of a server 20 ms away.
func BenchmarkProbeOneRemote(b *testing.B) {
	p := testPKI()
	target := serveSlowTLS(b, tlsCert(p.leaf.key, p.leaf.cert, p.inter.cert))
	o := trusting(p)
	for b.Loop() {
		if r := Probe(context.Background(), target, o); !r.OK() {
			b.Fatalf("probe failed: %+v", r.Findings)
		}
	}
}

// BenchmarkProbe200Remote probes 200 endpoints 20 ms away at concurrency 32.
func BenchmarkProbe200Remote(b *testing.B) {
	p := testPKI()
	cert := tlsCert(p.leaf.key, p.leaf.cert, p.inter.cert)
	targets := make([]Target, 200)
	for i := range targets {
		targets[i] = serveSlowTLS(b, cert)
	}
	o := trusting(p)
	for b.Loop() {
		for _, r := range All(context.Background(), targets, o, DefaultConcurrency, nil) {
			if !r.OK() {
				b.Fatalf("probe of %s failed: %+v", r.Target, r.Findings)
			}
		}
	}
}
