package keys

import (
	"context"
	"crypto"
	"fmt"
	"sync"

	"github.com/confcert/confcert/internal/parallel"
)

// GenerateAll makes one key per entry of types on every core (the
// pool of internal/parallel) and returns them in the order of types. onDone,
// when not nil, is called once per finished key, never concurrently, so it
// may drive a progress bar. The first error stops the handing out of new
// keys and is returned.
//
// When ctx ends (Ctrl-C) no new key is started and the error wraps ctx's:
// a key already being made cannot be interrupted (crypto/rsa takes no
// context), so GenerateAll returns once those few, at most one per
// core, are done; it leaves no goroutine behind.
func GenerateAll(ctx context.Context, types []Type, onDone func()) ([]crypto.Signer, error) {
	out := make([]crypto.Signer, len(types))
	err := GenerateEach(ctx, types, func(i int, k crypto.Signer) {
		out[i] = k
		if onDone != nil {
			onDone()
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GenerateEach is GenerateAll handing each key to onKey as soon as it
// exists, so that the caller can use it while the others are being made
// (plan signs and writes each certificate as soon as its key exists).
// onKey is never called concurrently, nor after ctx has ended.
func GenerateEach(ctx context.Context, types []Type, onKey func(i int, k crypto.Signer)) error {
	var mu sync.Mutex // onKey is never called concurrently
	err := parallel.Do(ctx, len(types), 0, func(ctx context.Context, i int) error {
		k, err := Generate(types[i])
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		if ctx.Err() == nil {
			onKey(i, k)
		}
		return nil
	})
	if err == nil && ctx.Err() != nil {
		err = ctx.Err() // stopped after the last key: the caller must stop too
	}
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("key generation stopped: %w", err)
		}
		return err
	}
	return nil
}

// GenerateContext is Generate that refuses to start once ctx has ended and
// reports an end of ctx during the generation, so that nothing is written
// with a key made after Ctrl-C.
func GenerateContext(ctx context.Context, t Type) (crypto.Signer, error) {
	keys, err := GenerateAll(ctx, []Type{t}, nil)
	if err != nil {
		return nil, err
	}
	return keys[0], nil
}
