package castore

import (
	"context"
	"errors"
	"math/big"
	"sync"
	"testing"

	"github.com/confcert/confcert/internal/pgtest"
)

// TestConcurrentBatchesTwoInstancesPostgres: two stores (two instances of
// the service) on one PostgreSQL database commit batches at once that
// claim a serial in common, listed in opposite orders. Each round, exactly
// one batch wins and the other answers ErrSerialTaken and stores nothing
// of itself: never a serial twice, never a deadlock (40P01), which the
// committer could not tell from a failure of the store.
func TestConcurrentBatchesTwoInstancesPostgres(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	var stores [2]Service
	for i := range stores {
		s, err := OpenPostgres(ctx, url, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores[i] = s.(Service)
	}
	mustCreateCA(t, stores[0], "podca")
	batch := func(serials ...int64) Batch {
		var b Batch
		for _, n := range serials {
			b.Reserve = append(b.Reserve, Reservation{CA: "podca", Serial: big.NewInt(n), At: t0})
		}
		return b
	}
	const rounds = 20
	for round := range int64(rounds) {
		a, b := 10*round+100, 10*round+101 // the serials both batches claim
		batches := [2]Batch{batch(a, b, 10*round+102), batch(b, a, 10*round+103)}
		var errs [2]error
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = stores[i].CommitBatch(ctx, batches[i]) }()
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, ErrSerialTaken):
				t.Errorf("round %d, instance %d: %v, want nil or ErrSerialTaken", round, i, err)
			}
		}
		if won != 1 {
			t.Errorf("round %d: %d batches committed (%v), want exactly 1", round, won, errs)
		}
	}
	cas, err := stores[1].CAs(ctx)
	if err != nil || len(cas) != 1 || cas[0].Reserved != 3*rounds {
		t.Errorf("CAs = %+v, %v; want %d serials reserved (3 a round)", cas, err, 3*rounds)
	}
}
