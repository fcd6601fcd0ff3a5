package caservice

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/cputime"
	"github.com/confcert/confcert/internal/keys"
)

// The benchmarks of docs/performance.md (bench/serve.sh runs them): the
// raw x509.CreateCertificate rate of a leaf like the service's, issuance
// with automatic approval through the service on SQLite with every record
// durable (synchronous=FULL), and OCSP answers from the pre-signed set.

var benchKeyTypes = []keys.Type{keys.ECDSAP256, keys.RSA2048}

// benchClients is how many requesters issue at once in the concurrent
// benchmarks: a server has many clients, and the group commit (commit.go)
// gathers their writes.
const benchClients = 8

// measure runs the benchmark body and reports certificates per second and
// the process's CPU milliseconds per certificate: the second is what the
// machine's load changes least (other processes take the cores, not this
// process's CPU time).
func measure(b *testing.B, body func()) {
	start := cputime.Start(b)
	body()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "certs/s")
	cputime.ReportPerOp(b, start, "cpu-ms/cert")
}

// BenchmarkRawCreateCertificate is the raw rate: one x509.CreateCertificate
// per certificate, nothing else, on one goroutine and on every core
// (GOMAXPROCS goroutines).
func BenchmarkRawCreateCertificate(b *testing.B) {
	for _, kt := range benchKeyTypes {
		b.Run(string(kt), func(b *testing.B) {
			caKey, err := keys.Generate(kt)
			if err != nil {
				b.Fatal(err)
			}
			caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "raw"}, IsCA: true,
				BasicConstraintsValid: true, NotBefore: time.Now(), NotAfter: time.Now().AddDate(1, 0, 0), KeyUsage: x509.KeyUsageCertSign}
			der, _ := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
			ca, _ := x509.ParseCertificate(der)
			leafKey, _ := keys.Generate(keys.ECDSAP256)
			var serial atomic.Int64
			create := func(b *testing.B) {
				tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial.Add(1) + 1), Subject: pkix.Name{CommonName: "cb.example.com"},
					DNSNames: []string{"cb.example.com", "cb1.example.com", "cb2.example.com"}, NotBefore: time.Now(), NotAfter: time.Now().AddDate(0, 0, 90),
					ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
					CRLDistributionPoints: []string{"https://ca.test/api/v1/crl/raw.crl"}, OCSPServer: []string{"https://ca.test/api/v1/ocsp/raw"},
					BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature}
				if _, err := x509.CreateCertificate(rand.Reader, tmpl, ca, leafKey.Public(), caKey); err != nil {
					b.Error(err)
				}
			}
			b.Run("one-goroutine", func(b *testing.B) {
				measure(b, func() {
					for b.Loop() {
						create(b)
					}
				})
			})
			b.Run("all-cores", func(b *testing.B) {
				measure(b, func() {
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							create(b)
						}
					})
				})
			})
		})
	}
}

func benchService(b *testing.B, kt keys.Type) *Service {
	b.Helper()
	ctx := context.Background()
	o, err := castore.OpenConfig(ctx, castore.Config{Home: b.TempDir(), Seal: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { o.Store.Close() })
	s := New(Config{Store: o.Store, BaseURL: "https://ca.test:8443", DefaultCA: "bench", CAKeyType: kt})
	if _, err := s.EnsureCA(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := s.ApplyProfiles(ctx, admin, []byte("profiles:\n- {name: auto, role: cms-callbridge, approval: auto}\n")); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkIssueAuto is issuance with automatic approval through the
// service, every record durable (SQLite, synchronous=FULL): one requester,
// then benchClients requesters at once.
func BenchmarkIssueAuto(b *testing.B) {
	for _, kt := range benchKeyTypes {
		b.Run(string(kt), func(b *testing.B) {
			s := benchService(b, kt)
			csr := makeCSR(b, csrSpec{cn: "cb.example.com", sans: []string{"cb.example.com", "cb1.example.com", "cb2.example.com"}})
			ctx := context.Background()
			issue := func(b *testing.B) {
				r, err := s.Submit(ctx, alice, SubmitInput{CSRPEM: csr, Profile: "auto", Days: 90})
				if err != nil || r.Status != StatusIssued {
					b.Errorf("%+v %v", r, err)
				}
			}
			b.Run("clients-1", func(b *testing.B) {
				measure(b, func() {
					for b.Loop() {
						issue(b)
					}
				})
			})
			b.Run(fmt.Sprintf("clients-%d", benchClients), func(b *testing.B) {
				b.SetParallelism((benchClients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
				measure(b, func() {
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							issue(b)
						}
					})
				})
			})
		})
	}
}

func BenchmarkOCSPPresigned(b *testing.B) {
	for _, kt := range benchKeyTypes {
		b.Run(string(kt), func(b *testing.B) {
			s := benchService(b, kt)
			ctx := context.Background()
			r, err := s.Submit(ctx, alice, SubmitInput{CSRPEM: makeCSR(b, csrSpec{cn: "o.example.com", sans: []string{"o.example.com"}}), Profile: "auto"})
			if err != nil {
				b.Fatal(err)
			}
			rec, _ := s.Certificate(ctx, alice, "", r.Serial)
			cert, _ := x509.ParseCertificate(rec.CertDER)
			ca, _ := s.CACertificate(ctx, "")
			req, _ := ocsp.CreateRequest(cert, ca, nil)
			b.ResetTimer()
			for b.Loop() {
				if _, err := s.OCSP(ctx, "bench", req); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "answers/s")
		})
	}
}
