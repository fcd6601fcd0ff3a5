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

// DrainTimeout is how long shutdown waits for Drain: a little over one
// batch's commitTimeout, so that the batch running when shutdown starts
// can finish, and a store that hangs cannot hang the shutdown.
const DrainTimeout = commitTimeout + 5*time.Second

// ErrStopping: the service is shutting down (Drain was called) and takes
// no more writes; nothing was reserved or stored for the request (503).
var ErrStopping = errors.New("the service is shutting down")

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
	// stopped: drain was called; do refuses new writes with ErrStopping.
	stopped bool
	// idle, made by drain, is closed once nothing runs or waits.
	idle chan struct{}
}

// do queues w and waits until the batch holding it is committed (nil) or
// failed, or until ctx ends (the write may still be committed later).
func (c *committer) do(ctx context.Context, w *write) error {
	w.done = make(chan error, 1)
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return ErrStopping
	}
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

// drain stops taking writes and waits until the running batch and every
// write queued are committed or failed, or until ctx ends. A write whose
// caller stopped waiting is still committed here: without drain, closing
// the store under the committer would fail it, losing a certificate
// signed and recordable, or leaving an approved request for the next
// start's resume.
func (c *committer) drain(ctx context.Context) error {
	c.mu.Lock()
	c.stopped = true
	if c.idle == nil {
		c.idle = make(chan struct{})
		if !c.running {
			close(c.idle)
		}
	}
	idle := c.idle
	c.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		n := len(c.pending)
		c.mu.Unlock()
		return fmt.Errorf("draining the commit queue: a batch still commits and %d writes wait: %w", n, ctx.Err())
	}
}

// Drain stops the service's writes for shutdown: every submission,
// approval or issuance that would reserve a serial or record a
// certificate from now on fails with ErrStopping, and Drain waits until
// the writes already queued (those of requests whose callers went away
// too) are committed or failed, or until ctx ends (an error saying what
// is left). Call it after the HTTP server and the background refresh
// (Run) have stopped and before the store is closed; bound ctx by
// DrainTimeout.
func (s *Service) Drain(ctx context.Context) error {
	return s.commits.drain(ctx)
}

func (c *committer) loop() {
	for {
		c.mu.Lock()
		n := min(len(c.pending), maxBatch)
		if n == 0 {
			c.running = false
			if c.idle != nil {
				close(c.idle) // stopped: the loop never starts again
			}
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
