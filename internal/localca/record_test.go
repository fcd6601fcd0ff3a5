package localca

import (
	"context"
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/castore"
)

// errRecord stands for a crash or a full disk between signing and recording.
var errRecord = errors.New("recording failed")

// unrecordable is a store whose RecordIssued always fails.
type unrecordable struct{ castore.Store }

func (unrecordable) RecordIssued(context.Context, string, *x509.Certificate, time.Time) error {
	return errRecord
}

// TestSignWithoutRecordLeavesReservation: the serial is reserved before
// signing, and a certificate that could not be recorded is never handed out;
// what remains is a reserved serial (spec plan.md, "The local CA").
func TestSignWithoutRecordLeavesReservation(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	ensure(t, s, "podca")
	ca, err := Load(ctx, unrecordable{s}, "podca")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Sign(ctx, newCSR(t, "x.example.com"), signOpts())
	if !errors.Is(err, errRecord) || cert != nil {
		t.Fatalf("Sign() = %v, %v; want no certificate and the recording error", cert, err)
	}
	cas, err := s.CAs(ctx)
	if err != nil || len(cas) != 1 || cas[0].Reserved != 1 || cas[0].Issued != 0 {
		t.Errorf("after a failed record: %+v, %v; want one reserved serial and nothing issued", cas, err)
	}
}
