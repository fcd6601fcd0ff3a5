package localca

import (
	"context"
	"math/big"
	"time"
)

// ReserveSerial claims a fresh serial in the store for a certificate the
// caller will sign itself (the CA service lints a copy before signing, in
// Boulder's order). A crash after it leaves a reserved serial and nothing
// else.
func (c *CA) ReserveSerial(ctx context.Context, at time.Time) (*big.Int, error) {
	return c.reserveSerial(ctx, at)
}
