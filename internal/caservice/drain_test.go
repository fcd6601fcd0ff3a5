package caservice

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/pgtest"
)

// recordGate holds every CommitBatch with a record until open is closed,
// and, while reserveOpen is not nil, every one with a reservation until
// reserveOpen is closed, counting the writes that reached it.
type recordGate struct {
	castore.Service
	reserves, records atomic.Int64
	reserveOpen, open chan struct{}
}

func (h *recordGate) CommitBatch(ctx context.Context, b castore.Batch) error {
	h.reserves.Add(int64(len(b.Reserve)))
	if h.reserveOpen != nil && len(b.Reserve) > 0 {
		if err := wait(ctx, h.reserveOpen); err != nil {
			return err
		}
	}
	if len(b.Record) > 0 {
		h.records.Add(int64(len(b.Record)))
		if err := wait(ctx, h.open); err != nil {
			return err
		}
	}
	return h.Service.CommitBatch(ctx, b)
}

// wait waits until open is closed or ctx ends (commitTimeout: a store
// that never answers).
func wait(ctx context.Context, open chan struct{}) error {
	select {
	case <-open:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// heldService is a service with an auto profile on a recordGate over a
// fresh store at url ("" for SQLite), which it returns too.
func heldService(t *testing.T, url string) (*Service, *recordGate, castore.Service) {
	t.Helper()
	_, store := newStoreService(t, url)
	h := &recordGate{Service: store, open: make(chan struct{})}
	s := New(Config{Store: h, BaseURL: "https://ca.test:8443", DefaultCA: "testca", CAKeyType: keys.ECDSAP256})
	if _, err := s.EnsureCA(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s, h, store
}

// queued counts the reservations and the records waiting for the next
// batch.
func (c *committer) queued() (reserves, records int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, w := range c.pending {
		if w.reserve != nil {
			reserves++
		}
		if w.record != nil {
			records++
		}
	}
	return reserves, records
}

// draining reports whether drain was called.
func (c *committer) draining() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stopped
}

// TestDrainCommitsWritesOfCallersWhoLeft: requests whose callers went away
// (client gone at shutdown) while their records were committing or queued
// are all recorded by the time Drain returns, so the store may be closed
// then: each request is issued, its certificate stored. A write or a
// submission after Drain began is refused at once with ErrStopping and
// leaves nothing; Drain waits for the batch held in the store. On SQLite
// and PostgreSQL.
func TestDrainCommitsWritesOfCallersWhoLeft(t *testing.T) {
	stores := map[string]func(t *testing.T) string{
		"sqlite":     func(*testing.T) string { return "" },
		"postgresql": func(t *testing.T) string { return pgtest.URL(t) },
	}
	for name, url := range stores {
		t.Run(name, func(t *testing.T) {
			s, h, store := heldService(t, url(t))
			h.reserveOpen = make(chan struct{})
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			drainCallersWhoLeft(t, s, h, store)
		})
	}
}

func drainCallersWhoLeft(t *testing.T, s *Service, h *recordGate, store castore.Service) {
	const n = 4
	ctx, cancel := context.WithCancel(context.Background())
	errs := make(chan error, n)
	for i := range n {
		csr := makeCSR(t, csrSpec{cn: fmt.Sprintf("cb%d.example.com", i), sans: []string{fmt.Sprintf("cb%d.example.com", i)}})
		go func() {
			r, err := s.Submit(ctx, alice, SubmitInput{CSRPEM: csr, Profile: "auto"})
			if r.Serial != "" {
				err = fmt.Errorf("Submit = %+v, %v: a certificate handed out to a caller who left", r, err)
			}
			errs <- err
		}()
	}
	// Every serial is reserved before the first record is committed (the
	// committer is serial: a reservation queued behind a held record would
	// never come), then one batch of records is held in the store and the
	// others wait behind it.
	for {
		reserves, _ := s.commits.queued()
		if int(h.reserves.Load())+reserves == n {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(h.reserveOpen)
	for {
		_, records := s.commits.queued()
		if int(h.records.Load())+records == n {
			break
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	for range n {
		if err := <-errs; !errors.Is(err, context.Canceled) {
			t.Fatalf("a caller who left: %v, want context.Canceled", err)
		}
	}
	drained := make(chan error, 1)
	go func() { drained <- s.Drain(context.Background()) }()
	for !s.commits.draining() {
		select {
		case err := <-drained:
			t.Fatalf("Drain returned %v while a batch is held in the store, writes still taken", err)
		case <-time.After(time.Millisecond):
		}
	}
	w := &write{reserve: &castore.Reservation{CA: "testca", Serial: big.NewInt(7), At: time.Unix(0, 0)}}
	if err := s.commits.do(context.Background(), w); !errors.Is(err, ErrStopping) {
		t.Errorf("a reservation after Drain: %v, want ErrStopping", err)
	}
	csr := makeCSR(t, csrSpec{cn: "late.example.com", sans: []string{"late.example.com"}})
	if r, err := s.Submit(context.Background(), alice, SubmitInput{CSRPEM: csr, Profile: "auto"}); !errors.Is(err, ErrStopping) || r.Serial != "" {
		t.Errorf("a submission after Drain = %+v, %v; want ErrStopping and no certificate", r, err)
	}
	select {
	case err := <-drained:
		t.Fatalf("Drain returned %v while a batch is held in the store", err)
	default:
	}
	close(h.open)
	if err := <-drained; err != nil {
		t.Fatalf("Drain: %v", err)
	}
	// The store may be closed now: everything queued is in it.
	rs, err := store.Requests(context.Background(), castore.RequestFilter{Status: StatusIssued})
	if err != nil {
		t.Fatal(err)
	}
	issued, err := store.Issued(context.Background(), castore.Filter{CA: "testca"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != n || len(issued) != n {
		t.Errorf("after Drain: %d requests issued, %d certificates stored; want %d of each", len(rs), len(issued), n)
	}
	for _, r := range rs {
		if r.Serial == "" || r.SubjectCN == "late.example.com" {
			t.Errorf("request %+v: want one of the callers who left, with its serial", r)
		}
	}
}

// TestDrainOnABlockedStoreEndsAtItsDeadline: a store that does not answer
// cannot hang the shutdown: Drain returns at its context's deadline with
// an error saying so, writes are still refused after it, and a later
// Drain waits for what was left once the store answers.
func TestDrainOnABlockedStoreEndsAtItsDeadline(t *testing.T) {
	s, h, _ := heldService(t, "")
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		csr := makeCSR(t, csrSpec{cn: "cb1.example.com", sans: []string{"cb1.example.com"}})
		_, err := s.Submit(ctx, alice, SubmitInput{CSRPEM: csr, Profile: "auto"})
		done <- err
	}()
	for h.records.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("the caller who left: %v, want context.Canceled", err)
	}
	dctx, dcancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer dcancel()
	if err := s.Drain(dctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Drain on a blocked store: %v, want context.DeadlineExceeded", err)
	}
	w := &write{reserve: &castore.Reservation{CA: "testca", Serial: big.NewInt(7), At: time.Unix(0, 0)}}
	if err := s.commits.do(context.Background(), w); !errors.Is(err, ErrStopping) {
		t.Errorf("a reservation after a Drain that timed out: %v, want ErrStopping", err)
	}
	close(h.open)
	if err := s.Drain(context.Background()); err != nil {
		t.Errorf("Drain once the store answers: %v", err)
	}
}

// TestDrainIdleService: Drain of a service that never wrote returns at
// once, and a write after it is refused, not queued for ever.
func TestDrainIdleService(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	c := &committer{commit: func(context.Context, castore.Batch) error {
		return errors.New("no write may reach the store after drain")
	}}
	if err := c.drain(context.Background()); err != nil {
		t.Fatalf("drain of an idle committer: %v", err)
	}
	w := &write{record: &castore.Issuance{CA: "testca"}}
	if err := c.do(context.Background(), w); !errors.Is(err, ErrStopping) {
		t.Errorf("a record after drain: %v, want ErrStopping", err)
	}
	if err := c.drain(context.Background()); err != nil || c.busy() {
		t.Errorf("a second drain: %v, committer running %v", err, c.busy())
	}
}
