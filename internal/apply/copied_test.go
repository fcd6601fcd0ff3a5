package apply

import (
	"context"
	"testing"

	"github.com/confcert/confcert/internal/castore"
)

// TestCheckWithoutTheStore: a directory copied to a machine whose CA store
// does not know its local CAs still checks clean, the CA bundles in the
// directory standing in for the store; a CA bundle replaced by another CA's
// makes the chains fail.
func TestCheckWithoutTheStore(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.run(testPlan())
	empty, err := castore.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { empty.Close() })
	e.store = empty
	if probs := probsExcept(e.check(testPlan(), testNow), "webbridge"); len(probs) != 0 {
		t.Fatalf("problems with the CA bundles standing in for the store: %+v", probs)
	}
	copyFile(t, e.path("dbca.crt"), e.path("podca-bundle.crt"))
	if probs := probsExcept(e.check(testPlan(), testNow), "webbridge"); len(probs) == 0 {
		t.Fatal("no problem after the internal CA bundle was replaced by the database CA")
	}
}
