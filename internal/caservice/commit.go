package caservice

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/confcert/confcert/internal/castore"
)

// Group commit. Every issuance makes two durable writes: the serial's
// reservation before the copy is signed, and the record (certificate,
// request, audit entries) before the answer. Each is a commit the disk must
// make durable (an fsync of the SQLite journal, a PostgreSQL commit), and
// SQLite has one writer. The committer therefore gathers the writes of every
// request in flight into one transaction: while one commit runs, the next
// requests queue, and the next commit takes them all. A request goes on only
// once the batch holding its write is committed, so the order of Boulder is
// kept for each: nothing is signed before its serial is reserved, nothing is
// answered before its record is durable.
//
// A batch that fails is tried again one write at a time, so that one
// request's conflict (a serial drawn twice, a request decided meanwhile)
// fails that request only; when those fail too, each request gets its own
// error and no certificate. A failed transaction stored nothing (castore
// rolls it back whole), so trying its writes again is safe. A batch that
// runs out of time is not tried again write by write (run).

// maxBatch bounds the writes of one transaction.
const maxBatch = 256

// commitTimeout bounds one batch's transaction, whatever the requests'
// own deadlines: a request that stops waiting leaves its write to finish.
const commitTimeout = 30 * time.Second

// write is one durable write waiting for its batch.
type write struct {
	reserve *castore.Reservation
	record  *castore.Issuance
	done    chan error
}

// committer runs batches one after another on a goroutine that lives while
// writes are waiting.
type committer struct {
	commit func(context.Context, castore.Batch) error
	// max bounds the writes waiting (busy.go): a reservation finding max
	// waiting is refused with ErrBusy; a record is always queued. 0: no
	// bound.
	max int

	mu      sync.Mutex
	pending []*write
	running bool
}

// do queues w and waits until the batch holding it is committed (nil) or
// failed, or until ctx ends (the write may still be committed later).
func (c *committer) do(ctx context.Context, w *write) error {
	w.done = make(chan error, 1)
	c.mu.Lock()
	if w.reserve != nil {
		if err := c.full(); err != nil {
			c.mu.Unlock()
			return err
		}
	}
	c.pending = append(c.pending, w)
	if !c.running {
		c.running = true
		go c.loop()
	}
	c.mu.Unlock()
	select {
	case err := <-w.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// room says ErrBusy when the queue is full.
func (c *committer) room() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.full()
}

// full is room with c.mu held.
func (c *committer) full() error {
	if c.max > 0 && len(c.pending) >= c.max {
		return fmt.Errorf("%w: %d writes already wait for the store", ErrBusy, len(c.pending))
	}
	return nil
}

// waiting reports whether n writes wait for the next batch while one runs.
func (c *committer) waiting(n int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.running && len(c.pending) == n
}

func (c *committer) loop() {
	for {
		c.mu.Lock()
		n := min(len(c.pending), maxBatch)
		if n == 0 {
			c.running = false
			c.mu.Unlock()
			return
		}
		ws := c.pending[:n:n]
		c.pending = append([]*write(nil), c.pending[n:]...)
		c.mu.Unlock()
		c.run(ws)
	}
}

// run commits ws in one transaction; when that fails, each write alone,
// unless the transaction ran out of time: the store is slow or gone, not
// one write wrong, and trying each of up to maxBatch writes alone for up to
// commitTimeout would stall every request behind them for hours. Each then
// hears the timeout (the service took too long, 503).
func (c *committer) run(ws []*write) {
	err := c.commitOnce(ws)
	if err == nil || len(ws) == 1 || errors.Is(err, context.DeadlineExceeded) {
		for _, w := range ws {
			w.done <- err
		}
		return
	}
	for _, w := range ws {
		w.done <- c.commitOnce([]*write{w})
	}
}

func (c *committer) commitOnce(ws []*write) error {
	var b castore.Batch
	for _, w := range ws {
		if w.reserve != nil {
			b.Reserve = append(b.Reserve, *w.reserve)
		}
		if w.record != nil {
			b.Record = append(b.Record, *w.record)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	defer cancel()
	return c.commit(ctx, b)
}

// reserveSerial draws a serial for the CA and reserves it in the next
// batch, drawing again when the store says it is taken.
func (s *Service) reserveSerial(ctx context.Context, iss *issuer, at time.Time) (*big.Int, error) {
	return iss.ca.ReserveSerialVia(ctx, func(ctx context.Context, serial *big.Int) error {
		err := s.commits.do(ctx, &write{reserve: &castore.Reservation{CA: iss.ca.Name, Serial: serial, At: at}})
		if errors.Is(err, ErrBusy) {
			s.observeRefused(BoundCommitQueue)
		}
		return err
	})
}

// record makes an issuance durable in the next batch; the certificate may
// be handed out only when it returns nil.
func (s *Service) record(ctx context.Context, is castore.Issuance) error {
	return s.commits.do(ctx, &write{record: &is})
}
