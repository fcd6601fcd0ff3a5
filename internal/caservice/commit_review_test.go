package caservice

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/pgtest"
	"github.com/confcert/confcert/internal/rolecheck"
)

// newStoreService opens a store at url ("" for a fresh SQLite home) with
// an auto and a manual profile, and a service on it.
func newStoreService(t *testing.T, url string) (*Service, castore.Service) {
	t.Helper()
	ctx := context.Background()
	o, err := castore.OpenConfig(ctx, castore.Config{URL: url, Home: t.TempDir(), Seal: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Store.Close() })
	s := New(Config{Store: o.Store, BaseURL: "https://ca.test:8443", DefaultCA: "testca", CAKeyType: keys.ECDSAP256})
	if _, err := s.EnsureCA(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplyProfiles(ctx, admin, []byte("profiles:\n- {name: auto, role: cms-callbridge, approval: auto}\n- {name: manual, role: cms-callbridge}\n")); err != nil {
		t.Fatal(err)
	}
	return s, o.Store
}

// TestNULInTextIsBadInputOnEveryStore: a comment or a subject common name
// with a NUL character is refused as bad input (ErrInvalid, 400) before it
// reaches the store. PostgreSQL refuses NUL in text, so it used to fail the
// pending request with a 500 and, on an auto profile, the whole batch of
// the group commit it was in.
func TestNULInTextIsBadInputOnEveryStore(t *testing.T) {
	stores := map[string]func(t *testing.T) string{
		"sqlite":     func(*testing.T) string { return "" },
		"postgresql": func(t *testing.T) string { return pgtest.URL(t) },
	}
	for name, url := range stores {
		t.Run(name, func(t *testing.T) {
			s, _ := newStoreService(t, url(t))
			ctx := context.Background()
			tests := []struct {
				name, profile, cn, comment string
			}{
				{"comment, manual", "manual", "cb1.example.com", "a\x00b"},
				{"comment, auto", "auto", "cb1.example.com", "a\x00b"},
				{"common name, auto", "auto", "cb1.example.com\x00.evil.example", ""},
			}
			for _, tt := range tests {
				csr := makeCSR(t, csrSpec{cn: tt.cn, sans: []string{"cb1.example.com"}})
				r, err := s.Submit(ctx, alice, SubmitInput{CSRPEM: csr, Profile: tt.profile, Comment: tt.comment})
				if !errors.Is(err, ErrInvalid) {
					t.Errorf("%s: Submit = %+v, %v; want ErrInvalid", tt.name, r, err)
				}
			}
			pending, err := s.Submit(ctx, alice, SubmitInput{CSRPEM: makeCSR(t, csrSpec{cn: "cb3.example.com", sans: []string{"cb3.example.com"}}), Profile: "manual"})
			if err != nil {
				t.Fatal(err)
			}
			for _, reason := range []string{"a\x00b", "bad \xff utf-8"} {
				if r, err := s.Reject(ctx, boss, pending.ID, reason); !errors.Is(err, ErrInvalid) {
					t.Errorf("Reject with reason %q = %+v, %v; want ErrInvalid", reason, r, err)
				}
			}
			if _, err := s.Submit(ctx, alice, SubmitInput{CSRPEM: makeCSR(t, csrSpec{cn: "cb4.example.com", sans: []string{"cb4.example.com"}}), Profile: "manual", Comment: "\xff"}); !errors.Is(err, ErrInvalid) {
				t.Errorf("a comment of invalid UTF-8: %v, want ErrInvalid", err)
			}
			// The store still takes a clean request afterwards.
			csr := makeCSR(t, csrSpec{cn: "cb2.example.com", sans: []string{"cb2.example.com"}})
			if r, err := s.Submit(ctx, alice, SubmitInput{CSRPEM: csr, Profile: "auto", Comment: "fine"}); err != nil || r.Status != StatusIssued {
				t.Errorf("a clean request after: %+v, %v", r, err)
			}
		})
	}
}

// TestCommitterCancelledWriterLeavesItsWrite: a writer whose context ends
// while its batch commits, or while its write waits in the queue, hears
// its context's error at once; the batch's transaction runs under a
// context of its own, so it still commits, the queued write is committed
// with the next batch, and the other writers of that batch are not failed
// by it. The committer then stops.
func TestCommitterCancelledWriterLeavesItsWrite(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex
	var batches [][]int64
	var results []error
	c := &committer{commit: func(ctx context.Context, b castore.Batch) error {
		var serials []int64
		for _, r := range b.Reserve {
			serials = append(serials, r.Serial.Int64())
		}
		slices.Sort(serials)
		mu.Lock()
		batches = append(batches, serials)
		first := len(batches) == 1
		mu.Unlock()
		if first {
			close(started)
			<-release
		}
		err := ctx.Err() // what a store would answer if the callers' contexts reached it
		mu.Lock()
		results = append(results, err)
		mu.Unlock()
		return err
	}}
	write := func(serial int64) *write {
		return &write{reserve: &castore.Reservation{CA: "testca", Serial: big.NewInt(serial), At: time.Unix(0, 0)}}
	}
	do := func(ctx context.Context, serial int64) chan error {
		ch := make(chan error, 1)
		go func() { ch <- c.do(ctx, write(serial)) }()
		return ch
	}
	ctx0, cancel0 := context.WithCancel(context.Background())
	first := do(ctx0, 0)
	<-started
	cancel0()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Errorf("the writer cancelled while its batch commits: %v, want context.Canceled", err)
	}
	ctx1, cancel1 := context.WithCancel(context.Background())
	queued := do(ctx1, 1)
	other := do(context.Background(), 2)
	for !c.waiting(2) {
		time.Sleep(time.Millisecond)
	}
	cancel1()
	if err := <-queued; !errors.Is(err, context.Canceled) {
		t.Errorf("the writer cancelled in the queue: %v, want context.Canceled", err)
	}
	close(release)
	if err := <-other; err != nil {
		t.Errorf("the other writer of the batch: %v, want nil", err)
	}
	for c.busy() {
		time.Sleep(time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(batches) != "[[0] [1 2]]" || fmt.Sprint(results) != "[<nil> <nil>]" {
		t.Errorf("batches %v answered %v; want [[0] [1 2]] both committed", batches, results)
	}
}

// busy reports whether the committer's goroutine is running.
func (c *committer) busy() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.running
}

// gateStore holds every CommitBatch with a record until open is closed,
// saying on held when one arrives (when held has room).
type gateStore struct {
	castore.Service
	held chan struct{}
	open chan struct{}
}

func (g *gateStore) CommitBatch(ctx context.Context, b castore.Batch) error {
	if len(b.Record) > 0 {
		select {
		case g.held <- struct{}{}:
		default:
		}
		<-g.open
	}
	return g.Service.CommitBatch(ctx, b)
}

// gatedService is a service with an auto profile on a gateStore over a
// fresh SQLite store, which it returns too.
func gatedService(t *testing.T) (*Service, *gateStore, castore.Service) {
	t.Helper()
	_, store := newStoreService(t, "")
	g := &gateStore{Service: store, held: make(chan struct{}, 1), open: make(chan struct{})}
	s := New(Config{Store: g, BaseURL: "https://ca.test:8443", DefaultCA: "testca", CAKeyType: keys.ECDSAP256})
	if _, err := s.EnsureCA(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s, g, store
}

// TestSubmitCancelledWhileRecording: a request whose caller goes away
// (client gone, handler timeout) while its record waits for its batch
// gets no certificate; the committer still records it (the request is
// issued, its certificate stored), and the next request is served.
func TestSubmitCancelledWhileRecording(t *testing.T) {
	s, g, store := gatedService(t)
	ctx, cancel := context.WithCancel(context.Background())
	type answer struct {
		r   Request
		err error
	}
	done := make(chan answer, 1)
	go func() {
		csr := makeCSR(t, csrSpec{cn: "cb1.example.com", sans: []string{"cb1.example.com"}})
		r, err := s.Submit(ctx, alice, SubmitInput{CSRPEM: csr, Profile: "auto"})
		done <- answer{r, err}
	}()
	<-g.held
	cancel()
	a := <-done
	if !errors.Is(a.err, context.Canceled) || a.r.Serial != "" {
		t.Fatalf("cancelled Submit = %+v, %v; want no certificate and context.Canceled", a.r, a.err)
	}
	close(g.open)
	for s.commits.busy() {
		time.Sleep(time.Millisecond)
	}
	rs, err := store.Requests(context.Background(), castore.RequestFilter{})
	if err != nil || len(rs) != 1 || rs[0].Status != StatusIssued {
		t.Fatalf("requests after the commit: %+v, %v; want one, issued", rs, err)
	}
	serial, err := castore.ParseSerialHex(rs[0].Serial)
	if err != nil {
		t.Fatal(err)
	}
	if rec, err := store.Certificate(context.Background(), "testca", serial); err != nil || len(rec.CertDER) == 0 {
		t.Errorf("the certificate of the issued request is not stored: %+v, %v", rec, err)
	}
	csr := makeCSR(t, csrSpec{cn: "cb2.example.com", sans: []string{"cb2.example.com"}})
	if r, err := s.Submit(context.Background(), alice, SubmitInput{CSRPEM: csr, Profile: "auto"}); err != nil || r.Status != StatusIssued {
		t.Errorf("the next Submit = %+v, %v", r, err)
	}
}

// TestWriteAfterStoreClosed: the store closing (graceful shutdown closes
// it last) while a record waits for its batch fails that request with the
// store's error and no certificate, and so does a reservation queued
// after; nothing hangs and the committer stops.
func TestWriteAfterStoreClosed(t *testing.T) {
	s, g, store := gatedService(t)
	ctx := context.Background()
	done := make(chan error, 1)
	go func() {
		csr := makeCSR(t, csrSpec{cn: "cb1.example.com", sans: []string{"cb1.example.com"}})
		r, err := s.Submit(ctx, alice, SubmitInput{CSRPEM: csr, Profile: "auto"})
		if err == nil || r.Serial != "" {
			err = fmt.Errorf("Submit = %+v, %v; want an error and no certificate", r, err)
		} else {
			err = nil
		}
		done <- err
	}()
	<-g.held
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	close(g.open)
	if err := <-done; err != nil {
		t.Errorf("a record queued when the store closed: %v", err)
	}
	w := &write{reserve: &castore.Reservation{CA: "testca", Serial: big.NewInt(7), At: time.Unix(0, 0)}}
	if err := s.commits.do(ctx, w); err == nil || errors.Is(err, castore.ErrSerialTaken) {
		t.Errorf("a reservation queued after the store closed: %v, want the store's error", err)
	}
	for s.commits.busy() {
		time.Sleep(time.Millisecond)
	}
}

// TestCommitterTimedOutBatchNotRetriedAlone: a batch whose transaction
// runs out of time (commitTimeout: the store is slow or unreachable) is
// not tried again write by write, which would hold every request behind
// it for up to maxBatch times commitTimeout: each of its writers hears the
// timeout at once.
func TestCommitterTimedOutBatchNotRetriedAlone(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	calls := 0
	c := &committer{commit: func(context.Context, castore.Batch) error {
		mu.Lock()
		calls++
		first := calls == 1
		mu.Unlock()
		if first {
			<-release
			return nil
		}
		return fmt.Errorf("committing: %w", context.DeadlineExceeded)
	}}
	write := func(serial int64) *write {
		return &write{reserve: &castore.Reservation{CA: "testca", Serial: big.NewInt(serial), At: time.Unix(0, 0)}}
	}
	ctx := context.Background()
	first := make(chan error, 1)
	go func() { first <- c.do(ctx, write(0)) }()
	for !c.waiting(0) {
		time.Sleep(time.Millisecond)
	}
	errs := make(chan error, 3)
	for i := range int64(3) {
		go func() { errs <- c.do(ctx, write(i+1)) }()
	}
	for !c.waiting(3) {
		time.Sleep(time.Millisecond)
	}
	close(release)
	if err := <-first; err != nil {
		t.Errorf("first batch: %v", err)
	}
	for range 3 {
		if err := <-errs; !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("a write of the timed-out batch: %v, want context.DeadlineExceeded", err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if calls != 2 {
		t.Errorf("%d transactions, want 2: the first batch and the one that timed out, none alone", calls)
	}
}

// TestBatchConflictFailsOnlyItsRequest: three approvals whose records share
// one batch, one of them no longer approved when the batch commits (decided
// meanwhile: another instance, a resume). The batch's transaction fails and
// stores nothing; each record is tried alone: the conflicting approval
// hears ErrConflict (409, not an internal error), the other two are issued,
// each with exactly one "issue" audit entry (nothing of the failed batch
// was left behind to be written twice).
func TestBatchConflictFailsOnlyItsRequest(t *testing.T) {
	s, g, store := gatedService(t)
	ctx := context.Background()
	if _, err := s.ApplyProfiles(ctx, admin, []byte("profiles:\n- {name: manual, role: cms-callbridge}\n")); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 4)
	for i := range ids {
		cn := fmt.Sprintf("cb%d.example.com", i)
		r, err := s.Submit(ctx, alice, SubmitInput{CSRPEM: makeCSR(t, csrSpec{cn: cn, sans: []string{cn}}), Profile: "manual"})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = r.ID
	}
	errs := make([]chan error, 4)
	approve := func(i int) {
		errs[i] = make(chan error, 1)
		go func() {
			_, err := s.Approve(ctx, boss, ids[i], "")
			errs[i] <- err
		}()
	}
	approve(0)
	<-g.held // the first batch commits (held) while the next three queue
	for i := 1; i <= 3; i++ {
		approve(i)
	}
	for !s.commits.waiting(3) {
		time.Sleep(time.Millisecond)
	}
	d := castore.Decision{Status: StatusFailed, By: "other", At: time.Now().UTC(), Reason: "decided meanwhile"}
	if err := store.DecideRequest(ctx, ids[2], StatusApproved, d); err != nil {
		t.Fatal(err)
	}
	close(g.open)
	for i, ch := range errs {
		err := <-ch
		if i == 2 {
			if !errors.Is(err, ErrConflict) {
				t.Errorf("the approval decided meanwhile: %v, want ErrConflict", err)
			}
			continue
		}
		if err != nil {
			t.Errorf("approval %d: %v, want issued", i, err)
		}
	}
	log, err := store.Audit(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	issues := map[string]int{}
	for _, e := range log {
		if e.Action == "issue" {
			issues[e.Detail[len("request "):len("request ")+32]]++
		}
	}
	for i, id := range ids {
		want := 1
		if i == 2 {
			want = 0
		}
		if issues[id] != want {
			t.Errorf("request %d: %d issue entries in the audit log, want %d", i, issues[id], want)
		}
		r, err := store.Request(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if (i == 2) != (r.Status == StatusFailed) || (i != 2) != (r.Status == StatusIssued) {
			t.Errorf("request %d is %s", i, r.Status)
		}
	}
	issued, err := store.Issued(ctx, castore.Filter{CA: "testca"})
	if err != nil || len(issued) != 3 {
		t.Errorf("%d certificates recorded (%v), want 3", len(issued), err)
	}
}

// TestSubmitRefusesWhatTheLintGateWouldStop: a CSR whose certificate fails
// a zlint error (here a common name over 64 characters, a control
// character in it) would be stopped by Boulder's lint gate at issuance
// whatever anyone decides. Submit refuses it at once with the lint as a
// FAILURE (422), on a manual profile (instead of a pending request that
// fails with an internal error when approved) and on an auto one (instead
// of an internal error after its serial was reserved).
func TestSubmitRefusesWhatTheLintGateWouldStop(t *testing.T) {
	s, _ := newStoreService(t, "")
	long := strings.Repeat("a", 60) + ".example.com"
	tests := []struct{ name, cn, lint string }{
		{"common name over 64 characters", long, "e_subject_common_name_max_length"},
		{"control character", "cb1.example.com\x01", "e_subject_dn_not_printable_characters"},
	}
	for _, tt := range tests {
		for _, profile := range []string{"manual", "auto"} {
			csr := makeCSR(t, csrSpec{cn: tt.cn, sans: []string{"cb1.example.com"}})
			r, err := s.Submit(context.Background(), alice, SubmitInput{CSRPEM: csr, Profile: profile})
			var refused *RefusedError
			if !errors.As(err, &refused) {
				t.Errorf("%s, %s: Submit = %+v, %v; want a RefusedError", tt.name, profile, r.Request.Status, err)
				continue
			}
			if !slices.ContainsFunc(refused.Findings, func(f Finding) bool { return f.Rule == tt.lint && f.Severity == rolecheck.Failure }) {
				t.Errorf("%s, %s: findings %+v, want %s as a FAILURE", tt.name, profile, refused.Findings, tt.lint)
			}
		}
	}
}
