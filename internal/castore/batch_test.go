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

// TestCommitBatchIsAllOrNothing: CommitBatch stores the reservations and the
// records (with their new requests and audit entries) of a batch in one
// transaction; a batch with one bad write stores nothing of it.
func TestCommitBatchIsAllOrNothing(t *testing.T) {
	forEachService(t, func(t *testing.T, s Service, _ string) {
		ctx := context.Background()
		mustCreateCA(t, s, "podca")
		if err := s.ReserveSerial(ctx, "podca", big.NewInt(5), t0); err != nil {
			t.Fatal(err)
		}
		newReq := func(id string) *Request {
			return &Request{ID: id, Profile: "auto", CA: "podca", Status: "issued", CSRPEM: "PEM", SubjectCN: "a.example.com",
				SANs: []string{"a.example.com"}, Days: 30, Findings: "[]", RequestedBy: "req", RequestedAt: t0}
		}
		issuance := func(serial int64, id string) Issuance {
			return Issuance{CA: "podca", Cert: testCert(t, "a.example.com", serial, t0.AddDate(1, 0, 0)), At: t0, NewRequest: newReq(id),
				Audit: []AuditEntry{{ID: "audit-" + id, At: t0, Actor: "auto", Action: "issue", Object: id}}}
		}
		bad := Batch{Reserve: []Reservation{{CA: "podca", Serial: big.NewInt(6), At: t0}},
			Record: []Issuance{issuance(5, "r5"), issuance(7, "r7")}} // 7 was never reserved
		if err := s.CommitBatch(ctx, bad); !errors.Is(err, ErrNotReserved) {
			t.Fatalf("a batch with an unreserved serial: %v, want ErrNotReserved", err)
		}
		assertCounts(t, s, 0, 1)
		if log, _ := s.Audit(ctx, 0); len(log) != 0 {
			t.Errorf("a failed batch left audit entries: %+v", log)
		}
		good := Batch{Reserve: []Reservation{{CA: "podca", Serial: big.NewInt(6), At: t0}}, Record: []Issuance{issuance(5, "r5")}}
		if err := s.CommitBatch(ctx, good); err != nil {
			t.Fatal(err)
		}
		assertCounts(t, s, 1, 1)
		if r, err := s.Request(ctx, "r5"); err != nil || r.Status != "issued" {
			t.Errorf("request r5 = %+v, %v", r, err)
		}
		if log, _ := s.Audit(ctx, 0); len(log) != 1 {
			t.Errorf("audit after the batch: %+v", log)
		}
		if err := s.CommitBatch(ctx, Batch{Reserve: []Reservation{{CA: "podca", Serial: big.NewInt(6), At: t0}}}); !errors.Is(err, ErrSerialTaken) {
			t.Errorf("reserving a taken serial: %v, want ErrSerialTaken", err)
		}
	})
}
