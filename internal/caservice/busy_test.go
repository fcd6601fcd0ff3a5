package caservice

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/pgtest"
)

// holdStore holds every CommitBatch with a record until open is closed
// (saying so on held), and counts the serials reserved.
type holdStore struct {
	castore.Service
	held chan struct{}
	open chan struct{}

	mu       sync.Mutex
	reserved int
}

func (h *holdStore) CommitBatch(ctx context.Context, b castore.Batch) error {
	if len(b.Record) > 0 {
		select {
		case h.held <- struct{}{}:
		default:
		}
		<-h.open
	}
	err := h.Service.CommitBatch(ctx, b)
	if err == nil {
		h.mu.Lock()
		h.reserved += len(b.Reserve)
		h.mu.Unlock()
	}
	return err
}

func (h *holdStore) reservations() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.reserved
}

// busyObserver counts what the bounds report.
type busyObserver struct {
	mu      sync.Mutex
	issuing int
	refused map[string]int
}

func (o *busyObserver) Issued(string, time.Duration) {}
func (o *busyObserver) RequestStatus(string)         {}
func (o *busyObserver) Issuing(d int)                { o.mu.Lock(); o.issuing += d; o.mu.Unlock() }
func (o *busyObserver) Refused(b string)             { o.mu.Lock(); o.refused[b]++; o.mu.Unlock() }

// TestIssuingBound: with the bound at 2 and two automatic requests held
// while their records commit, a third submission and an approval are
// refused at once with ErrBusy: no serial reserved, nothing stored, the
// pending request still pending, the refusals counted. Once the two are
// answered a new request is issued, no slot stays taken and no goroutine
// is left behind. On SQLite and on PostgreSQL.
func TestIssuingBound(t *testing.T) {
	stores := map[string]func(t *testing.T) string{
		"sqlite":     func(*testing.T) string { return "" },
		"postgresql": func(t *testing.T) string { return pgtest.URL(t) },
	}
	for name, url := range stores {
		t.Run(name, func(t *testing.T) {
			_, store := newStoreService(t, url(t)) // the store's own goroutines are not the bound's
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			testIssuingBound(t, store)
		})
	}
}

func testIssuingBound(t *testing.T, store castore.Service) {
	ctx := context.Background()
	h := &holdStore{Service: store, held: make(chan struct{}, 1), open: make(chan struct{})}
	obs := &busyObserver{refused: map[string]int{}}
	s := New(Config{Store: h, BaseURL: "https://ca.test:8443", DefaultCA: "testca", CAKeyType: keys.ECDSAP256, MaxIssuing: 2, Observer: obs})
	if _, err := s.EnsureCA(ctx); err != nil {
		t.Fatal(err)
	}
	csr := func(cn string) string { return makeCSR(t, csrSpec{cn: cn, sans: []string{cn}}) }
	pending, err := s.Submit(ctx, alice, SubmitInput{CSRPEM: csr("pending.example.com"), Profile: "manual"})
	if err != nil {
		t.Fatal(err)
	}
	type answer struct {
		r   Request
		err error
	}
	answers := make(chan answer, 2)
	for i := range 2 {
		go func() {
			r, err := s.Submit(ctx, alice, SubmitInput{CSRPEM: csr(fmt.Sprintf("cb%d.example.com", i)), Profile: "auto"})
			answers <- answer{r, err}
		}()
	}
	<-h.held // a record is held: the committer waits, and so does every write behind it
	for len(s.slots) < 2 {
		time.Sleep(time.Millisecond)
	}
	if issuing, _ := obs.counts(); issuing != 2 {
		t.Errorf("issuing %d, want 2", issuing)
	}
	reservedBefore := h.reservations()
	// Refused at once; were they let in, they would wait for the held batch
	// and end with this context instead.
	full, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	third, err := s.Submit(full, alice, SubmitInput{CSRPEM: csr("cb3.example.com"), Profile: "auto"})
	if !errors.Is(err, ErrBusy) || third.ID != "" {
		t.Errorf("the third Submit = %+v, %v; want ErrBusy", third, err)
	}
	if r, err := s.Approve(full, boss, pending.ID, ""); !errors.Is(err, ErrBusy) {
		t.Errorf("an approval while full = %+v, %v; want ErrBusy", r, err)
	}
	if n := h.reservations(); n != reservedBefore {
		t.Errorf("%d serials reserved while full, want %d: nothing for the refused ones", n, reservedBefore)
	}
	if rs, err := store.Requests(ctx, castore.RequestFilter{}); err != nil || len(rs) != 1 || rs[0].Status != StatusPending {
		t.Errorf("requests stored while full: %+v, %v; want the pending one alone, still pending", rs, err)
	}
	if _, refused := obs.counts(); refused[BoundIssuing] != 2 {
		t.Errorf("refusals %v, want issuing:2", refused)
	}
	close(h.open)
	for range 2 {
		if a := <-answers; a.err != nil || a.r.Status != StatusIssued {
			t.Errorf("a held request: %+v, %v; want issued", a.r, a.err)
		}
	}
	if n := h.reservations(); n != 2 {
		t.Errorf("%d serials reserved, want the 2 held requests' only", n)
	}
	if r, err := s.Submit(ctx, alice, SubmitInput{CSRPEM: csr("cb4.example.com"), Profile: "auto"}); err != nil || r.Status != StatusIssued {
		t.Errorf("a request after the held ones: %+v, %v; want issued", r, err)
	}
	if r, err := s.Approve(ctx, boss, pending.ID, ""); err != nil || r.Status != StatusIssued {
		t.Errorf("the approval again: %+v, %v; want issued", r, err)
	}
	if issuing, _ := obs.counts(); issuing != 0 || len(s.slots) != 0 {
		t.Errorf("issuing %d, %d slots taken after every answer; want 0", issuing, len(s.slots))
	}
	for s.commits.busy() {
		time.Sleep(time.Millisecond)
	}
}

func (o *busyObserver) counts() (int, map[string]int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := map[string]int{}
	for k, v := range o.refused {
		out[k] = v
	}
	return o.issuing, out
}

// TestCommitterQueueBound: writes left by callers that went away fill the
// committer's queue while a batch is held; a reservation is then refused
// at once with ErrBusy (and the service refuses a request before it
// starts), a record is still queued, and every write queued is committed
// once the batch is let go.
func TestCommitterQueueBound(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	started, release := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex
	var committed []int64
	c := &committer{max: 2, commit: func(_ context.Context, b castore.Batch) error {
		mu.Lock()
		first := len(committed) == 0
		for _, r := range b.Reserve {
			committed = append(committed, r.Serial.Int64())
		}
		for range b.Record {
			committed = append(committed, -1)
		}
		mu.Unlock()
		if first {
			close(started)
			<-release
		}
		return nil
	}}
	reserve := func(serial int64) *write {
		return &write{reserve: &castore.Reservation{CA: "testca", Serial: big.NewInt(serial), At: time.Unix(0, 0)}}
	}
	bg := context.Background()
	first := make(chan error, 1)
	go func() { first <- c.do(bg, reserve(0)) }()
	<-started
	for i := int64(1); i <= 2; i++ { // two callers that go away, leaving their writes
		ctx, cancel := context.WithCancel(bg)
		done := make(chan error, 1)
		go func() { done <- c.do(ctx, reserve(i)) }()
		for !c.waiting(int(i)) {
			time.Sleep(time.Millisecond)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("a caller that went away: %v", err)
		}
	}
	if err := c.do(bg, reserve(3)); !errors.Is(err, ErrBusy) {
		t.Errorf("a reservation with the queue full: %v, want ErrBusy", err)
	}
	if err := c.room(); !errors.Is(err, ErrBusy) {
		t.Errorf("room with the queue full: %v, want ErrBusy", err)
	}
	s := &Service{slots: make(chan struct{}, 4), commits: c}
	if _, err := s.enter(); !errors.Is(err, ErrBusy) || len(s.slots) != 0 {
		t.Errorf("enter with the queue full: %v, %d slots taken; want ErrBusy and none", err, len(s.slots))
	}
	record := make(chan error, 1)
	go func() { record <- c.do(bg, &write{record: &castore.Issuance{CA: "testca"}}) }()
	for !c.waiting(3) {
		time.Sleep(time.Millisecond)
	}
	close(release)
	if err := <-first; err != nil {
		t.Errorf("the first write: %v", err)
	}
	if err := <-record; err != nil {
		t.Errorf("the record queued past the bound: %v", err)
	}
	for c.busy() {
		time.Sleep(time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(committed) != "[0 1 2 -1]" {
		t.Errorf("committed %v, want [0 1 2 -1]: the held write, the two left behind and the record, not the refused 3", committed)
	}
	if err := c.room(); err != nil {
		t.Errorf("room once the queue drained: %v", err)
	}
}
