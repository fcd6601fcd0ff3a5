package localca

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/keys"
)

// benchBatch is the number of CSRs each benchmark signs per operation.
const benchBatch = 100

// BenchmarkSign signs 100 CSRs one at a time with an RSA-2048 CA (two
// transactions each), BenchmarkSignAll the same 100 in one batch (two
// transactions in all, signatures on every core): the per-certificate cost
// of `plan` on a large deployment whose certificates are missing.
func BenchmarkSign(b *testing.B) {
	benchSign(b, func(ctx context.Context, ca *CA, reqs []Request) error {
		for _, r := range reqs {
			if _, err := ca.Sign(ctx, r.CSR, r.Options); err != nil {
				return err
			}
		}
		return nil
	})
}

// BenchmarkSignAll: see BenchmarkSign.
func BenchmarkSignAll(b *testing.B) {
	benchSign(b, func(ctx context.Context, ca *CA, reqs []Request) error {
		_, err := ca.SignAll(ctx, reqs)
		return err
	})
}

func benchSign(b *testing.B, sign func(context.Context, *CA, []Request) error) {
	ctx := context.Background()
	s := openStore(b, b.TempDir())
	ca, _, err := EnsureCA(ctx, s, "benchca", keys.RSA2048, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	reqs := make([]Request, benchBatch)
	for i := range reqs {
		o := signOpts()
		o.Now = time.Now()
		reqs[i] = Request{CSR: newCSR(b, fmt.Sprintf("n%03d.example.com", i)), Options: o}
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := sign(ctx, ca, reqs); err != nil {
			b.Fatal(err)
		}
	}
}
