package servertest

import (
	"context"

	"github.com/confcert/confcert/internal/castore"
)

// HoldingStore lets a test hold the service's record commits: once Hold is
// closed, every CommitBatch that carries a record says so on Held (without
// waiting when nobody listens) and waits until Open is closed. Pass its
// Wrap as Options.Wrap.
type HoldingStore struct {
	castore.Service
	Hold, Held, Open chan struct{}
}

// NewHoldingStore returns a HoldingStore that holds nothing yet.
func NewHoldingStore() *HoldingStore {
	return &HoldingStore{Hold: make(chan struct{}), Held: make(chan struct{}, 1), Open: make(chan struct{})}
}

// Wrap makes h wrap the store the service works on.
func (h *HoldingStore) Wrap(s castore.Service) castore.Service {
	h.Service = s
	return h
}

// CommitBatch commits b, first waiting for Open when Hold is closed and b
// carries a record.
func (h *HoldingStore) CommitBatch(ctx context.Context, b castore.Batch) error {
	select {
	case <-h.Hold:
		if len(b.Record) > 0 {
			select {
			case h.Held <- struct{}{}:
			default:
			}
			<-h.Open
		}
	default:
	}
	return h.Service.CommitBatch(ctx, b)
}
