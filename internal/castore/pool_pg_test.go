package castore

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/pgtest"
)

// TestPostgresConnectionsBounded: many callers at once (a burst of
// requests on `confcert serve`, whose --max-issuing is 1,024 by default and
// whose reads are not bounded at all) share at most pgMaxConns connections
// of one store, waiting their turn, instead of opening one each until
// PostgreSQL refuses them (max_connections, 100 by default, for every
// instance together) and the service answers 500. Every call succeeds.
func TestPostgresConnectionsBounded(t *testing.T) {
	ctx := context.Background()
	st, err := OpenPostgres(ctx, pgtest.URL(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := st.(*sqlStore)
	const callers = 48 // more than the bound, few enough to leave the shared test server room
	var peak atomic.Int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			if n := int64(s.db.Stats().OpenConnections); n > peak.Load() {
				peak.Store(n)
			}
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Microsecond):
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 5 {
				e := AuditEntry{ID: fmt.Sprintf("%032x", i*100+j), At: t0, Actor: "t", Action: "probe", Object: "o"}
				if err := s.AppendAudit(ctx, e); err != nil {
					errs <- err
					return
				}
				if _, err := s.Audit(ctx, 1); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-sampled
	close(errs)
	for err := range errs {
		t.Errorf("a caller: %v", err)
	}
	if p := peak.Load(); p > pgMaxConns {
		t.Errorf("%d connections open at once; want at most %d", p, pgMaxConns)
	}
	if entries, err := s.Audit(ctx, 0); err != nil || len(entries) != callers*5 {
		t.Errorf("audit entries: %d, %v; want %d", len(entries), err, callers*5)
	}
}
