package castore

import (
	"context"
	"crypto/x509"
	"errors"
	"math/big"
	"testing"
)

// TestBatchIsAllOrNothing: ReserveSerials and RecordIssuedAll store a whole
// batch in one transaction, or nothing of it.
func TestBatchIsAllOrNothing(t *testing.T) {
	forEach(t, func(t *testing.T, s Store, _ string) {
		ctx := context.Background()
		bs, ok := s.(BatchStore)
		if !ok {
			t.Fatal("the store cannot batch")
		}
		mustCreateCA(t, s, "podca")
		if err := s.ReserveSerial(ctx, "podca", big.NewInt(3), t0); err != nil {
			t.Fatal(err)
		}
		err := bs.ReserveSerials(ctx, "podca", []*big.Int{big.NewInt(1), big.NewInt(2), big.NewInt(3)}, t0)
		if !errors.Is(err, ErrSerialTaken) {
			t.Fatalf("a batch with a taken serial: %v, want ErrSerialTaken", err)
		}
		assertCounts(t, s, 0, 1)
		if err := bs.ReserveSerials(ctx, "podca", []*big.Int{big.NewInt(1), big.NewInt(2)}, t0); err != nil {
			t.Fatal(err)
		}
		assertCounts(t, s, 0, 3)
		certs := []*x509.Certificate{testCert(t, "a.example.com", 1, t0.AddDate(1, 0, 0)), testCert(t, "b.example.com", 4, t0.AddDate(1, 0, 0))}
		if err := bs.RecordIssuedAll(ctx, "podca", certs, t0); !errors.Is(err, ErrNotReserved) {
			t.Fatalf("a batch with an unreserved serial: %v, want ErrNotReserved", err)
		}
		assertCounts(t, s, 0, 3)
		certs[1] = testCert(t, "b.example.com", 2, t0.AddDate(1, 0, 0))
		if err := bs.RecordIssuedAll(ctx, "podca", certs, t0); err != nil {
			t.Fatal(err)
		}
		assertCounts(t, s, 2, 1)
		issued, err := s.Issued(ctx, Filter{CA: "podca"})
		if err != nil || len(issued) != 2 || issued[0].SubjectCN != "a.example.com" || issued[1].SubjectCN != "b.example.com" {
			t.Errorf("Issued = %+v, %v", issued, err)
		}
	})
}

// assertCounts checks podca's issued and reserved counts.
func assertCounts(t *testing.T, s Store, issued, reserved int) {
	t.Helper()
	cas, err := s.CAs(context.Background())
	if err != nil || len(cas) != 1 || cas[0].Issued != issued || cas[0].Reserved != reserved {
		t.Fatalf("CAs = %+v, %v; want %d issued, %d reserved", cas, err, issued, reserved)
	}
}
