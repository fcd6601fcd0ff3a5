package caservice

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/pgtest"
)

// trapStore is a store whose batches can be held or failed and whose
// decisions can conflict, counting the serials reserved.
type trapStore struct {
	castore.Service

	mu       sync.Mutex
	hold     func(castore.Batch) bool // a batch it picks waits for open
	open     chan struct{}
	held     chan struct{} // told of each batch held, when it has room
	fail     func(castore.Batch) bool
	conflict bool   // DecideRequest answers ErrConflict
	onDecide func() // called before each decision is stored
	reserved int
}

func newTrapStore(s castore.Service) *trapStore {
	return &trapStore{Service: s, held: make(chan struct{}, 1), open: make(chan struct{})}
}

func (s *trapStore) CommitBatch(ctx context.Context, b castore.Batch) error {
	s.mu.Lock()
	hold, fail, open := s.hold, s.fail, s.open
	s.mu.Unlock()
	if hold != nil && hold(b) {
		select {
		case s.held <- struct{}{}:
		default:
		}
		<-open
	}
	if fail != nil && fail(b) {
		return errDiskGone
	}
	err := s.Service.CommitBatch(ctx, b)
	if err == nil {
		s.mu.Lock()
		s.reserved += len(b.Reserve)
		s.mu.Unlock()
	}
	return err
}

func (s *trapStore) DecideRequest(ctx context.Context, id, from string, d castore.Decision, audit ...castore.AuditEntry) error {
	s.mu.Lock()
	conflict, hook := s.conflict, s.onDecide
	s.mu.Unlock()
	if hook != nil {
		hook()
	}
	if conflict {
		return castore.ErrConflict
	}
	return s.Service.DecideRequest(ctx, id, from, d, audit...)
}

func (s *trapStore) set(f func(*trapStore)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func (s *trapStore) reservations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reserved
}

// release lets every batch held go, and holds no more.
func (s *trapStore) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.open)
	s.open, s.hold = make(chan struct{}), nil
}

// countObserver counts the slots taken (entered) besides busyObserver.
type countObserver struct {
	busyObserver
	entered int
}

func (o *countObserver) Issuing(d int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.issuing += d
	if d > 0 {
		o.entered++
	}
}

func (o *countObserver) state() (issuing, entered int, refused map[string]int) {
	issuing, refused = o.counts()
	o.mu.Lock()
	defer o.mu.Unlock()
	return issuing, o.entered, refused
}

// trapService is a service with bound max on a trapStore over a fresh
// store at url ("" for SQLite) with an auto and a manual profile.
func trapService(t *testing.T, url string, max int) (*Service, *trapStore, *countObserver) {
	t.Helper()
	_, store := newStoreService(t, url)
	ts := newTrapStore(store)
	obs := &countObserver{busyObserver: busyObserver{refused: map[string]int{}}}
	s := New(Config{Store: ts, BaseURL: "https://ca.test:8443", DefaultCA: "testca", CAKeyType: keys.ECDSAP256, MaxIssuing: max, Observer: obs})
	if _, err := s.EnsureCA(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s, ts, obs
}

func csrFor(t testing.TB, cn string) string { return makeCSR(t, csrSpec{cn: cn, sans: []string{cn}}) }

// waitDrained waits until the committer has no write left.
func waitDrained(s *Service) {
	for s.commits.busy() {
		time.Sleep(time.Millisecond)
	}
}

// heldSubmit submits an auto request on a goroutine and returns once a
// batch of it is held (the trapStore holds what hold picks); the answer
// comes on the channel.
func heldSubmit(t *testing.T, s *Service, ts *trapStore, ctx context.Context, cn string, hold func(castore.Batch) bool) chan error {
	t.Helper()
	ts.set(func(ts *trapStore) { ts.hold = hold })
	done := make(chan error, 1)
	go func() {
		_, err := s.Submit(ctx, alice, SubmitInput{CSRPEM: csrFor(t, cn), Profile: "auto"})
		done <- err
	}()
	<-ts.held
	return done
}

func records(b castore.Batch) bool      { return len(b.Record) > 0 }
func reservations(b castore.Batch) bool { return len(b.Reserve) > 0 }

// TestSlotsFreedAfterEveryFailure: a submission or an approval that fails
// in any way (bad CSR, unknown profile, lint gate, store error, decided
// meanwhile, caller gone while reserving or recording, approved but the
// queue full) frees its slot: afterwards the gauge is 0, no slot is taken,
// and as many requests as the bound are let in at once and issued.
func TestSlotsFreedAfterEveryFailure(t *testing.T) {
	const bound = 2
	s, ts, obs := trapService(t, "", bound)
	ctx := context.Background()
	submit := func(in SubmitInput) error { _, err := s.Submit(ctx, alice, in); return err }
	pending := func() string {
		r, err := s.Submit(ctx, alice, SubmitInput{CSRPEM: csrFor(t, "manual.example.com"), Profile: "manual"})
		if err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	var refused *RefusedError
	for _, tt := range []struct {
		name string
		run  func() error
		want func(error) bool
	}{
		{"bad CSR (400)", func() error { return submit(SubmitInput{CSRPEM: "junk", Profile: "auto"}) }, is(ErrInvalid)},
		{"NUL in the comment (400)", func() error {
			return submit(SubmitInput{CSRPEM: csrFor(t, "a.example.com"), Profile: "auto", Comment: "a\x00"})
		}, is(ErrInvalid)},
		{"negative days (400)", func() error {
			return submit(SubmitInput{CSRPEM: csrFor(t, "a.example.com"), Profile: "auto", Days: -1})
		}, is(ErrInvalid)},
		{"unknown profile (400)", func() error { return submit(SubmitInput{CSRPEM: csrFor(t, "a.example.com"), Profile: "nope"}) }, is(ErrInvalid)},
		{"lint gate (422)", func() error {
			return submit(SubmitInput{CSRPEM: csrFor(t, strings.Repeat("a", 60)+".example.com"), Profile: "auto"})
		}, func(err error) bool { return errors.As(err, &refused) }},
		{"store error while recording (500)", func() error {
			ts.set(func(ts *trapStore) { ts.fail = records })
			defer ts.set(func(ts *trapStore) { ts.fail = nil })
			return submit(SubmitInput{CSRPEM: csrFor(t, "b.example.com"), Profile: "auto"})
		}, is(errDiskGone)},
		{"store error while reserving (500)", func() error {
			ts.set(func(ts *trapStore) { ts.fail = reservations })
			defer ts.set(func(ts *trapStore) { ts.fail = nil })
			return submit(SubmitInput{CSRPEM: csrFor(t, "c.example.com"), Profile: "auto"})
		}, is(errDiskGone)},
		{"approval decided meanwhile (409)", func() error {
			id := pending()
			ts.set(func(ts *trapStore) { ts.conflict = true })
			defer ts.set(func(ts *trapStore) { ts.conflict = false })
			_, err := s.Approve(ctx, boss, id, "")
			return err
		}, is(ErrConflict)},
		{"caller gone while reserving", func() error {
			cctx, cancel := context.WithCancel(ctx)
			done := heldSubmit(t, s, ts, cctx, "d.example.com", reservations)
			cancel()
			err := <-done
			ts.release()
			return err
		}, is(context.Canceled)},
		{"caller gone while recording", func() error {
			cctx, cancel := context.WithCancel(ctx)
			done := heldSubmit(t, s, ts, cctx, "e.example.com", records)
			cancel()
			err := <-done
			ts.release()
			return err
		}, is(context.Canceled)},
		{"approved, the queue full meanwhile (503 without Retry-After)", func() error {
			id := pending()
			ts.set(func(ts *trapStore) { ts.onDecide = func() { fillQueue(t, s, ts) } })
			defer ts.set(func(ts *trapStore) { ts.onDecide = nil })
			_, err := s.Approve(ctx, boss, id, "")
			ts.release()
			return err
		}, func(err error) bool { var a *ApprovedError; return errors.As(err, &a) && errors.Is(err, ErrBusy) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(); !tt.want(err) {
				t.Fatalf("got %v", err)
			}
			waitDrained(s)
			if issuing, _, _ := obs.state(); issuing != 0 || len(s.slots) != 0 {
				t.Fatalf("after the failure: gauge %d, %d slots taken; want 0", issuing, len(s.slots))
			}
		})
	}
	// As many as the bound at once: all let in (held together), all issued.
	ts.set(func(ts *trapStore) { ts.hold = records })
	done := make(chan error, bound)
	for i := range bound {
		go func() {
			_, err := s.Submit(ctx, alice, SubmitInput{CSRPEM: csrFor(t, fmt.Sprintf("fresh%d.example.com", i)), Profile: "auto"})
			done <- err
		}()
	}
	for len(s.slots) < bound {
		select {
		case err := <-done:
			t.Fatalf("a fresh request answered before the batch was let go: %v", err)
		default:
			time.Sleep(time.Millisecond)
		}
	}
	ts.release()
	for range bound {
		if err := <-done; err != nil {
			t.Errorf("a fresh request within the bound: %v", err)
		}
	}
	if issuing, _, _ := obs.state(); issuing != 0 || len(s.slots) != 0 {
		t.Errorf("at the end: gauge %d, %d slots taken; want 0", issuing, len(s.slots))
	}
}

func is(target error) func(error) bool { return func(err error) bool { return errors.Is(err, target) } }

// fillQueue fills the committer's queue as callers gone away do: one
// reservation held in its batch, then as many left behind as the bound.
func fillQueue(t *testing.T, s *Service, ts *trapStore) {
	ts.set(func(ts *trapStore) { ts.hold = func(castore.Batch) bool { return true } })
	reserve := func() *write {
		serial := new(big.Int).SetUint64(rand.Uint64() | 1<<62)
		return &write{reserve: &castore.Reservation{CA: "testca", Serial: serial, At: time.Now()}}
	}
	go func() { _ = s.commits.do(context.Background(), reserve()) }()
	<-ts.held
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	for !s.commits.waiting(s.commits.max) {
		if err := s.commits.do(gone, reserve()); !errors.Is(err, context.Canceled) {
			t.Errorf("filling the queue: %v", err)
			return
		}
	}
}

// TestApprovedWhenQueueFullIsIssuedLater: an approval let in whose
// issuance then finds the committer's queue full is refused with an
// ApprovedError (no Retry-After: something was done), the request stays
// approved, no serial was reserved for it, and the background resume
// issues it once the queue drains; approving it again is a conflict.
func TestApprovedWhenQueueFullIsIssuedLater(t *testing.T) {
	s, ts, obs := trapService(t, "", 2)
	ctx := context.Background()
	r, err := s.Submit(ctx, alice, SubmitInput{CSRPEM: csrFor(t, "manual.example.com"), Profile: "manual"})
	if err != nil {
		t.Fatal(err)
	}
	ts.set(func(ts *trapStore) { ts.onDecide = func() { fillQueue(t, s, ts) } })
	_, err = s.Approve(ctx, boss, r.ID, "ok")
	ts.set(func(ts *trapStore) { ts.onDecide = nil })
	var approved *ApprovedError
	if !errors.As(err, &approved) || approved.ID != r.ID || !errors.Is(err, ErrBusy) {
		t.Fatalf("Approve with the queue filled meanwhile: %v; want an ApprovedError", err)
	}
	if _, _, refused := obs.state(); refused[BoundCommitQueue] != 1 {
		t.Errorf("refusals %v, want commit_queue:1", refused)
	}
	ts.release()
	waitDrained(s)
	reserved := ts.reservations()
	if got, err := s.Request(ctx, boss, r.ID); err != nil || got.Status != StatusApproved {
		t.Fatalf("the request after the refusal: %+v, %v; want approved", got.Status, err)
	}
	if _, err := s.Approve(ctx, boss, r.ID, "again"); !errors.Is(err, ErrConflict) {
		t.Errorf("approving it again: %v; want ErrConflict", err)
	}
	if n, err := s.ResumeApproved(ctx, 0); err != nil || n != 1 {
		t.Fatalf("ResumeApproved = %d, %v; want 1 issued", n, err)
	}
	got, err := s.Request(ctx, boss, r.ID)
	if err != nil || got.Status != StatusIssued || ts.reservations() != reserved+1 {
		t.Errorf("after the resume: %+v, %v, %d serials reserved (before %d); want issued, one more", got.Status, err, ts.reservations(), reserved)
	}
	if issuing, _, _ := obs.state(); issuing != 0 || len(s.slots) != 0 {
		t.Errorf("gauge %d, %d slots taken; want 0", issuing, len(s.slots))
	}
}

// TestFloodKeepsTheInvariants: 64 submitters at once against a bound of 4,
// half of them going away at a random moment. Afterwards: the gauge is 0
// and no slot is taken; every request refused as busy left nothing (no
// request, no certificate under its name) and took no slot; no more
// serials were reserved than requests let in; every request stored is
// issued with its certificate stored, each name at most once; every
// answer issued is recorded; no goroutine is left. On SQLite and
// PostgreSQL.
func TestFloodKeepsTheInvariants(t *testing.T) {
	stores := map[string]func(t *testing.T) string{
		"sqlite":     func(*testing.T) string { return "" },
		"postgresql": func(t *testing.T) string { return pgtest.URL(t) },
	}
	for name, url := range stores {
		t.Run(name, func(t *testing.T) {
			s, ts, obs := trapService(t, url(t), 4)
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			flood(t, s, ts, obs)
		})
	}
}

func flood(t *testing.T, s *Service, ts *trapStore, obs *countObserver) {
	const n = 64
	type answer struct {
		cn  string
		r   Request
		err error
	}
	csrs := make([]string, n)
	for i := range csrs {
		csrs[i] = csrFor(t, fmt.Sprintf("flood%d.example.com", i))
	}
	answers := make(chan answer, n)
	var busyTries atomic.Int64
	var start sync.WaitGroup
	start.Add(1)
	for i := range n {
		go func() {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if i%2 == 1 {
				go func() {
					time.Sleep(time.Duration(rand.IntN(20_000)) * time.Microsecond)
					cancel()
				}()
			}
			start.Wait()
			// Sent again while busy, as clients do, so that the
			// retries interleave with the rest.
			var r Request
			var err error
			for range 200 {
				if r, err = s.Submit(ctx, alice, SubmitInput{CSRPEM: csrs[i], Profile: "auto"}); !errors.Is(err, ErrBusy) {
					break
				}
				busyTries.Add(1)
				time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond)
			}
			answers <- answer{fmt.Sprintf("flood%d.example.com", i), r, err}
		}()
	}
	start.Done()
	issued, busy, gone := map[string]string{}, map[string]bool{}, 0
	for range n {
		a := <-answers
		switch {
		case a.err == nil && a.r.Status == StatusIssued:
			issued[a.cn] = a.r.Serial
		case errors.Is(a.err, ErrBusy):
			busy[a.cn] = true
		case errors.Is(a.err, context.Canceled):
			gone++
		default:
			t.Errorf("%s: %+v, %v", a.cn, a.r.Status, a.err)
		}
	}
	waitDrained(s)
	ctx := context.Background()
	issuing, entered, refused := obs.state()
	if issuing != 0 || len(s.slots) != 0 {
		t.Errorf("gauge %d, %d slots taken after every answer; want 0", issuing, len(s.slots))
	}
	// A refusal by the committer's queue comes before a slot is taken
	// (enter) or after, when the reservation finds the queue full.
	tries := int(busyTries.Load()) + n - len(busy) // every Submit called
	if q := refused[BoundCommitQueue]; entered+refused[BoundIssuing] > tries || entered+refused[BoundIssuing]+q < tries || int(busyTries.Load()) != refused[BoundIssuing]+q {
		t.Errorf("%d let in, refusals %v, %d tries refused; want %d tries in all", entered, refused, busyTries.Load(), tries)
	}
	rs, err := ts.Requests(ctx, castore.RequestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	certs, err := ts.Certificates(ctx, castore.CertFilter{})
	if err != nil {
		t.Fatal(err)
	}
	bySerial := map[string]castore.Record{}
	for _, c := range certs {
		bySerial[castore.SerialHex(c.Serial)] = c
	}
	names := map[string]int{}
	for _, r := range rs {
		names[r.SubjectCN]++
		if busy[r.SubjectCN] {
			t.Errorf("%s was refused as busy, yet its request is stored (%s)", r.SubjectCN, r.Status)
		}
		if c, ok := bySerial[r.Serial]; r.Status != StatusIssued || !ok || c.SubjectCN != r.SubjectCN {
			t.Errorf("request of %s: %s, serial %q, certificate stored %v", r.SubjectCN, r.Status, r.Serial, ok)
		}
	}
	for cn, k := range names {
		if k > 1 {
			t.Errorf("%s stored %d times", cn, k)
		}
	}
	for cn, serial := range issued {
		if c, ok := bySerial[serial]; !ok || c.SubjectCN != cn {
			t.Errorf("%s answered issued (%s) but its certificate is not stored", cn, serial)
		}
	}
	entries, err := ts.Audit(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		for cn := range busy {
			if strings.Contains(e.Detail, fmt.Sprintf("%q", cn)) {
				t.Errorf("%s was refused as busy, yet audited: %+v", cn, e)
			}
		}
	}
	if len(certs) != len(rs) || len(rs) < len(issued) {
		t.Errorf("%d certificates, %d requests stored, %d answered issued", len(certs), len(rs), len(issued))
	}
	if r := ts.reservations(); r > entered || r < len(certs) {
		t.Errorf("%d serials reserved for %d requests let in and %d certificates", r, entered, len(certs))
	}
	t.Logf("%d issued, %d busy, %d gone; %d stored, %d serials reserved; %d tries refused as busy", len(issued), len(busy), gone, len(rs), ts.reservations(), busyTries.Load())
}

// TestTwoInstancesEachTheirBound: two services on one PostgreSQL store,
// each with a bound of 1: each lets in one request while the other holds
// one (the bound is per process, not shared through the store), refuses a
// second at once, and both held requests are issued, once each.
func TestTwoInstancesEachTheirBound(t *testing.T) {
	url := pgtest.URL(t)
	home := t.TempDir() // one KEK for both, as two instances of one deployment
	ctx := context.Background()
	var services []*Service
	var traps []*trapStore
	for i := range 2 {
		o, err := castore.OpenConfig(ctx, castore.Config{URL: url, Home: home, Seal: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { o.Store.Close() })
		ts := newTrapStore(o.Store)
		ts.hold = records
		s := New(Config{Store: ts, BaseURL: "https://ca.test:8443", DefaultCA: "testca", CAKeyType: keys.ECDSAP256, MaxIssuing: 1})
		if _, err := s.EnsureCA(ctx); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if _, err := s.ApplyProfiles(ctx, admin, []byte("profiles:\n- {name: auto, role: cms-callbridge, approval: auto}\n")); err != nil {
				t.Fatal(err)
			}
		}
		services, traps = append(services, s), append(traps, ts)
	}
	done := make(chan error, 2)
	for i, s := range services {
		go func() {
			_, err := s.Submit(ctx, alice, SubmitInput{CSRPEM: csrFor(t, fmt.Sprintf("held%d.example.com", i)), Profile: "auto"})
			done <- err
		}()
		<-traps[i].held
	}
	for i, s := range services {
		if _, err := s.Submit(ctx, alice, SubmitInput{CSRPEM: csrFor(t, "second.example.com"), Profile: "auto"}); !errors.Is(err, ErrBusy) {
			t.Errorf("instance %d: a second request while one is held: %v; want ErrBusy", i, err)
		}
	}
	for _, ts := range traps {
		ts.release()
	}
	for range services {
		if err := <-done; err != nil {
			t.Errorf("a held request: %v", err)
		}
	}
	rs, err := traps[0].Requests(ctx, castore.RequestFilter{})
	if err != nil || len(rs) != 2 || rs[0].Status != StatusIssued || rs[1].Status != StatusIssued {
		t.Errorf("requests stored: %+v, %v; want the two held ones, issued", rs, err)
	}
}
