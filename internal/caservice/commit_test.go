package caservice

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/keys"
)

var errDiskGone = errors.New("the disk went away")

// flakyStore is a store whose CommitBatch fails the batches fail picks,
// storing nothing of them, and keeps the batches it committed.
type flakyStore struct {
	castore.Service
	fail func(castore.Batch) bool

	mu        sync.Mutex
	committed []castore.Batch
}

func (f *flakyStore) CommitBatch(ctx context.Context, b castore.Batch) error {
	if f.fail(b) {
		return errDiskGone
	}
	if err := f.Service.CommitBatch(ctx, b); err != nil {
		return err
	}
	f.mu.Lock()
	f.committed = append(f.committed, b)
	f.mu.Unlock()
	return nil
}

// TestBatchFailureHandsOutNoCertificate: requests issued at once whose
// record batches fail get an error and no certificate, and the store holds
// no certificate (their serials stay reserved and unused); when only batches
// of several records fail, each record is committed alone and every
// certificate handed out is recorded.
func TestBatchFailureHandsOutNoCertificate(t *testing.T) {
	tests := []struct {
		name     string
		fail     func(castore.Batch) bool
		wantOK   int
		wantRecs int
	}{
		{"every record batch fails", func(b castore.Batch) bool { return len(b.Record) > 0 }, 0, 0},
		{"batches of several records fail", func(b castore.Batch) bool { return len(b.Record) > 1 }, 8, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			o, err := castore.OpenConfig(ctx, castore.Config{Home: t.TempDir(), Seal: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { o.Store.Close() })
			fs := &flakyStore{Service: o.Store, fail: tt.fail}
			s := New(Config{Store: fs, BaseURL: "https://ca.test:8443", DefaultCA: "testca", CAKeyType: keys.ECDSAP256})
			if _, err := s.EnsureCA(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := s.ApplyProfiles(ctx, admin, []byte("profiles:\n- {name: auto, role: cms-callbridge, approval: auto}\n")); err != nil {
				t.Fatal(err)
			}
			const n = 8
			type answer struct {
				r   Request
				err error
			}
			answers := make(chan answer, n)
			for i := range n {
				go func() {
					cn := fmt.Sprintf("cb%d.example.com", i)
					r, err := s.Submit(ctx, alice, SubmitInput{CSRPEM: makeCSR(t, csrSpec{cn: cn, sans: []string{cn}}), Profile: "auto"})
					answers <- answer{r, err}
				}()
			}
			ok := 0
			for range n {
				a := <-answers
				if a.err != nil {
					if a.r.Serial != "" || !errors.Is(a.err, errDiskGone) {
						t.Errorf("failed request: %+v, %v; want no serial and the commit's error", a.r, a.err)
					}
					continue
				}
				ok++
				serial, err := castore.ParseSerialHex(a.r.Serial)
				if err != nil {
					t.Fatal(err)
				}
				if rec, err := o.Store.Certificate(ctx, "testca", serial); err != nil || len(rec.CertDER) == 0 {
					t.Errorf("certificate %s handed out without its record: %v", a.r.Serial, err)
				}
			}
			issued, err := o.Store.Issued(ctx, castore.Filter{CA: "testca"})
			if err != nil {
				t.Fatal(err)
			}
			if ok != tt.wantOK || len(issued) != tt.wantRecs {
				t.Errorf("%d requests answered with a certificate, %d recorded; want %d and %d", ok, len(issued), tt.wantOK, tt.wantRecs)
			}
		})
	}
}

// TestCommitterGathersWaitingWrites: writes queued while a batch commits
// go together in the next transaction; when it fails, each is tried alone
// and each writer hears its own answer.
func TestCommitterGathersWaitingWrites(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var sizes []int
	c := &committer{commit: func(_ context.Context, b castore.Batch) error {
		mu.Lock()
		sizes = append(sizes, len(b.Reserve))
		first := len(sizes) == 1
		mu.Unlock()
		if first {
			<-release
			return nil
		}
		if len(b.Reserve) > 1 || b.Reserve[0].Serial.Int64() == 3 {
			return errDiskGone
		}
		return nil
	}}
	write := func(serial int64) *write {
		return &write{reserve: &castore.Reservation{CA: "testca", Serial: big.NewInt(serial), At: time.Unix(0, 0)}}
	}
	ctx := context.Background()
	errs := make(chan error, 5)
	go func() { errs <- c.do(ctx, write(0)) }()
	for !c.waiting(0) { // the first batch is running
		time.Sleep(time.Millisecond)
	}
	results := make([]error, 5)
	var wg sync.WaitGroup
	for i := int64(1); i <= 4; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); results[i] = c.do(ctx, write(i)) }()
	}
	for !c.waiting(4) {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	if err := <-errs; err != nil {
		t.Errorf("first write: %v", err)
	}
	for i := 1; i <= 4; i++ {
		want := error(nil)
		if i == 3 {
			want = errDiskGone
		}
		if !errors.Is(results[i], want) {
			t.Errorf("write %d: %v, want %v", i, results[i], want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(sizes) != "[1 4 1 1 1 1]" {
		t.Errorf("batch sizes %v, want [1 4 1 1 1 1]: the first, the four that waited, then each alone", sizes)
	}
}
