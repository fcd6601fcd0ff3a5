package localca

import (
	"context"
	"crypto/x509"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/certgen"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/openssltest"
)

// unrecordableBatch is a batching store whose RecordIssuedAll always fails:
// a crash or a full disk between signing a batch and recording it.
type unrecordableBatch struct{ castore.BatchStore }

func (unrecordableBatch) RecordIssuedAll(context.Context, string, []*x509.Certificate, time.Time) error {
	return errRecord
}

func requests(t *testing.T, n int, now time.Time) []Request {
	t.Helper()
	reqs := make([]Request, n)
	for i := range reqs {
		o := signOpts()
		o.Now = now
		reqs[i] = Request{CSR: newCSR(t, "n"+string(rune('a'+i))+".example.com"), Options: o}
	}
	return reqs
}

// TestSignAllRecordsEveryCertificate: a batch gives one certificate per CSR,
// in order, each with its own serial, each recorded, each verified by openssl.
func TestSignAllRecordsEveryCertificate(t *testing.T) {
	openssltest.Need(t)
	ctx := context.Background()
	dir := t.TempDir()
	s := openStore(t, dir)
	ca := ensure(t, s, "podca")
	reqs := requests(t, 5, time.Now())
	certs, err := ca.SignAll(ctx, reqs)
	if err != nil || len(certs) != len(reqs) {
		t.Fatalf("SignAll = %d certificates, %v", len(certs), err)
	}
	serials := map[string]bool{}
	for i, c := range certs {
		if c.Subject.CommonName != reqs[i].CSR.Subject.CommonName {
			t.Errorf("certificate %d is for %q, want %q", i, c.Subject.CommonName, reqs[i].CSR.Subject.CommonName)
		}
		serials[c.SerialNumber.String()] = true
		leaf := filepath.Join(dir, "leaf.crt")
		if err := os.WriteFile(leaf, certio.CertificatesPEM(c), 0o644); err != nil {
			t.Fatal(err)
		}
		openssltest.Run(t, "", "verify", "-CAfile", filepath.Join(dir, "podca.crt"), leaf)
	}
	issued, err := s.Issued(ctx, castore.Filter{CA: "podca"})
	if err != nil || len(issued) != len(reqs) || len(serials) != len(reqs) {
		t.Fatalf("recorded %d, distinct serials %d, %v; want %d", len(issued), len(serials), err, len(reqs))
	}
	for _, is := range issued {
		if !serials[is.Serial.String()] {
			t.Errorf("recorded serial %v was not handed out", is.Serial)
		}
	}
}

// TestSignAllWithoutRecordHandsOutNothing: when the batch cannot be
// recorded, no certificate is returned and only reservations remain.
func TestSignAllWithoutRecordHandsOutNothing(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	ensure(t, s, "podca")
	ca, err := Load(ctx, unrecordableBatch{s.(castore.BatchStore)}, "podca")
	if err != nil {
		t.Fatal(err)
	}
	certs, err := ca.SignAll(ctx, requests(t, 3, t0))
	if !errors.Is(err, errRecord) || certs != nil {
		t.Fatalf("SignAll = %v, %v; want no certificate and the recording error", certs, err)
	}
	cas, err := s.CAs(ctx)
	if err != nil || len(cas) != 1 || cas[0].Reserved != 3 || cas[0].Issued != 0 {
		t.Errorf("after a failed record: %+v, %v; want 3 reserved serials and nothing issued", cas, err)
	}
}

// TestSignAllRedrawsTakenSerials: a batch holding a serial already taken,
// or one serial twice, is drawn again as a whole; nothing is reserved twice.
func TestSignAllRedrawsTakenSerials(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	ca := ensure(t, s, "podca")
	ca.NewSerial = fixedSerials(7)
	if _, err := ca.Sign(ctx, newCSR(t, "x.example.com"), signOpts()); err != nil {
		t.Fatal(err)
	}
	ca.NewSerial = fixedSerials(7, 8, 9, 9, 10, 11, 12)
	certs, err := ca.SignAll(ctx, requests(t, 2, t0))
	if err != nil {
		t.Fatal(err)
	}
	got := []*big.Int{certs[0].SerialNumber, certs[1].SerialNumber}
	if got[0].Int64() != 10 || got[1].Int64() != 11 {
		t.Errorf("serials %v, want [10 11] (7 taken, then 9 drawn twice)", got)
	}
}

// TestSignAllRefusesBadCSRWithoutReserving: one bad CSR refuses the batch
// before any serial is spent.
func TestSignAllRefusesBadCSRWithoutReserving(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	ca := ensure(t, s, "podca")
	reqs := requests(t, 3, t0)
	bad := *reqs[1].CSR
	bad.Signature = append([]byte{}, bad.Signature...)
	bad.Signature[len(bad.Signature)-1] ^= 1
	reqs[1].CSR = &bad
	if _, err := ca.SignAll(ctx, reqs); !errors.Is(err, certgen.ErrBadCSRSignature) {
		t.Fatalf("SignAll = %v, want ErrBadCSRSignature", err)
	}
	cas, _ := s.CAs(ctx)
	if len(cas) != 1 || cas[0].Reserved != 0 {
		t.Errorf("a refused batch reserved serials: %+v", cas)
	}
}
