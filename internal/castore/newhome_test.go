package castore

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
)

// Processes opening a new home at once (three plans racing on a fresh
// machine) all get a working store: the first to take the home's lock makes
// the schema, the others wait for it instead of meeting SQLite's busy answers
// on the new file. Many rounds, eight openers each.
func TestOpenNewHomeConcurrently(t *testing.T) {
	for round := range 5 {
		dir := filepath.Join(t.TempDir(), "home")
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, err := Open(context.Background(), dir)
				if err == nil {
					_, err = s.CAs(context.Background())
					s.Close()
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, opener %d: %v", round, i, err)
			}
		}
	}
}
