package probe

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/loopback"
	"github.com/confcert/confcert/internal/testpki"
)

// The probe benchmarks (docs/performance.md). Issue 6 asks that 200 loopback
// endpoints at concurrency 32 take at most 10x one probe. On loopback a probe
// waits for nothing, so concurrency can only share out CPU; the "remote"
// variants give every server a delay before it answers, as a network would,
// and show what concurrency buys: the waits overlap.

// rtt is the delay the "remote" benchmark servers wait before answering, a
// stand-in for the network round trips of a real probe.
const rtt = 20 * time.Millisecond

// benchConcurrency are the pool sizes the 200-endpoint benchmarks compare:
// one at a time, a small pool, the default.
var benchConcurrency = []int{1, 8, DefaultConcurrency}

func serveSlowTLS(b *testing.B, cert tls.Certificate) Target {
	h := loopback.TLS(&tls.Config{Certificates: []tls.Certificate{cert}})
	return serve(b, func(c net.Conn) { time.Sleep(rtt); h(c) })
}

// benchOne measures one probe of one server.
func benchOne(b *testing.B, serveIt func(*testing.B, tls.Certificate) Target) {
	p := testPKI()
	target := serveIt(b, testpki.TLSCertificate(p.leaf.Key, p.leaf.Cert, p.inter.Cert))
	o := trusting(p)
	for b.Loop() {
		if r := Probe(context.Background(), target, o); !r.OK() {
			b.Fatalf("probe failed: %+v", r.Findings)
		}
	}
}

// bench200 measures probing 200 endpoints (200 listeners) at each pool size.
func bench200(b *testing.B, serveIt func(*testing.B, tls.Certificate) Target) {
	p := testPKI()
	cert := testpki.TLSCertificate(p.leaf.Key, p.leaf.Cert, p.inter.Cert)
	targets := make([]Target, 200)
	for i := range targets {
		targets[i] = serveIt(b, cert)
	}
	o := trusting(p)
	for _, n := range benchConcurrency {
		b.Run(fmt.Sprintf("concurrency=%d", n), func(b *testing.B) {
			for b.Loop() {
				rs, err := All(context.Background(), targets, o, n, nil)
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range rs {
					if !r.OK() {
						b.Fatalf("probe of %s failed: %+v", r.Target, r.Findings)
					}
				}
			}
		})
	}
}

func serveFast(b *testing.B, cert tls.Certificate) Target { return serveTLS(b, cert) }

// BenchmarkProbeOne measures one probe of a loopback TLS server.
func BenchmarkProbeOne(b *testing.B) { benchOne(b, serveFast) }

// BenchmarkProbe200 probes 200 loopback endpoints; spec goal at
// concurrency 32: at most 10x BenchmarkProbeOne.
func BenchmarkProbe200(b *testing.B) { bench200(b, serveFast) }

// BenchmarkProbeOneRemote is one probe of a server 20 ms away.
func BenchmarkProbeOneRemote(b *testing.B) { benchOne(b, serveSlowTLS) }

// BenchmarkProbe200Remote probes 200 endpoints 20 ms away.
func BenchmarkProbe200Remote(b *testing.B) { bench200(b, serveSlowTLS) }
