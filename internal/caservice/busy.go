package caservice

import (
	"errors"
	"fmt"
	"time"
)

// Bounds on the work in flight (spec serve.md is silent on limits;
// docs/serve.md, "Bounds"). Every submission and approval holds its CSR,
// the certificate signed for it and its writes queued in the committer
// until it is answered: without a bound, a burst of clients (or one
// hostile client opening many connections) grows memory without limit and
// makes every request wait longer, until clients give up on certificates
// issued and recorded but never received. Two bounds keep that finite:
//
//   - the requests being issued at once (Service.enter): a submission or
//     an approval beyond Config.MaxIssuing is refused at once, before
//     anything is parsed, reserved, signed or stored;
//   - the committer's queue (committer.max, the same number): a serial's
//     reservation is refused while that many writes wait, which happens
//     only when writes whose callers went away (client gone, handler
//     timeout) pile up behind a slow store. A record is always queued: its
//     certificate is signed and must be recorded, and only a request that
//     holds a slot or the background resume makes one, so pending never
//     exceeds twice the bound (plus the resume's one write).

// DefaultMaxIssuing is the bound by default: four batches of the group
// commit (maxBatch), enough writes waiting to fill a whole batch while the
// previous one commits and the next ones are signed; more would only wait
// longer. At the slowest rate measured (about 50 RSA-2048 certificates/s
// on a loaded 2-core machine, docs/performance.md) 1,024 requests are
// answered in about 20 s, inside the 30 s a handler may take, so a request
// let in is answered rather than timed out; at a quiet machine's rates
// (300 to 700/s) in 1.5 to 3.5 s.
const DefaultMaxIssuing = 4 * maxBatch

// RetryBusy is how long a caller refused with ErrBusy is told to wait
// (Retry-After): about what the requests in flight take to be answered at
// the default bound on a quiet machine.
const RetryBusy = 2 * time.Second

// ErrBusy: the service already issues as many requests as it takes at
// once, or its store is behind (503 with Retry-After). Nothing was
// reserved, signed or stored for the request refused.
var ErrBusy = errors.New("the service is busy")

// ApprovedError is an approval refused with ErrBusy after it was
// recorded: the committer's queue filled after the approval was let in
// (or ErrStopping: the service began shutting down meanwhile).
// The request stays approved and the background resume issues it
// (ResumeApproved), so the approval is not to be sent again: unlike a
// bare ErrBusy, something was done.
type ApprovedError struct {
	ID  string
	Err error
}

// Error implements error.
func (e *ApprovedError) Error() string {
	when := "within a few minutes"
	if errors.Is(e.Err, ErrStopping) {
		when = "when it starts again"
	}
	return fmt.Sprintf("request %s is approved; the service issues it %s: %v", e.ID, when, e.Err)
}

// Unwrap returns the refusal (ErrBusy or ErrStopping).
func (e *ApprovedError) Unwrap() error { return e.Err }

// The bounds, as the metrics name them (Observer.Refused).
const (
	BoundIssuing     = "issuing"
	BoundCommitQueue = "commit_queue"
)

// enter takes a slot for a submission or an approval, or refuses it at
// once with ErrBusy when every slot is taken or the committer's queue is
// full. The caller calls release when answered.
func (s *Service) enter() (release func(), err error) {
	select {
	case s.slots <- struct{}{}:
	default:
		s.observeRefused(BoundIssuing)
		return nil, fmt.Errorf("%w: it is issuing as many requests as it takes at once (%d)", ErrBusy, cap(s.slots))
	}
	if err := s.commits.room(); err != nil {
		<-s.slots
		s.observeRefused(BoundCommitQueue)
		return nil, err
	}
	s.observeIssuing(1)
	return func() {
		s.observeIssuing(-1)
		<-s.slots
	}, nil
}

func (s *Service) observeIssuing(delta int) {
	if s.cfg.Observer != nil {
		s.cfg.Observer.Issuing(delta)
	}
}

func (s *Service) observeRefused(bound string) {
	if s.cfg.Observer != nil {
		s.cfg.Observer.Refused(bound)
	}
}
