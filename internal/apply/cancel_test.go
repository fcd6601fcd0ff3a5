package apply

import (
	"context"
	"errors"
	"github.com/confcert/confcert/internal/dirlock"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// cancellingCAs cancels the run's context when the first CA is asked for,
// as Ctrl-C would while the keys are being made (CAs are created then).
type cancellingCAs struct {
	Authorities
	cancel context.CancelFunc
}

func (c cancellingCAs) Ensure(ctx context.Context, name, keyType string) (Authority, bool, error) {
	c.cancel()
	return c.Authorities.Ensure(ctx, name, keyType)
}

// TestCancelledRunWritesNothing: a run whose context ends before it starts,
// or while its keys and CAs are being made, stops with an error that wraps
// context.Canceled, writes no file (no key made after Ctrl-C is kept), and
// leaves no goroutine of the key pool behind. The next run completes.
func TestCancelledRunWritesNothing(t *testing.T) {
	for _, name := range []string{"before the start", "during key generation"} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t) // its store's goroutines end when the test does
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			o := e.options(e.now)
			if name == "before the start" {
				cancel()
			} else {
				o.CAs = cancellingCAs{Authorities: o.CAs, cancel: cancel}
			}
			_, err := Run(ctx, testPlan(), o)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Run = %v, want an error wrapping context.Canceled", err)
			}
			entries, _ := os.ReadDir(e.dir)
			for _, f := range entries {
				if !f.IsDir() && f.Name() != dirlock.FileName { // the lock file is no output
					t.Errorf("%s written by a cancelled run", f.Name())
				}
			}
			e.run(testPlan())
			if probs := probsExcept(e.check(testPlan(), e.now), "webbridge"); len(probs) != 0 {
				t.Errorf("after the next run: %v", probs)
			}
		})
	}
}
