package caserver_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/castore"
)

// TestApproveWhatTheLintGateStops: a request stored before Submit refused
// what Boulder's lint gate stops (here a common name over 64 characters)
// cannot be issued; approving it answers 422 with the lint and a hint, not
// a 500, and leaves the request failed.
func TestApproveWhatTheLintGateStops(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		cn := strings.Repeat("a", 60) + ".example.com"
		id := strings.Repeat("ab", 16)
		r := castore.Request{ID: id, Profile: "cms-callbridge", CA: "e2eca", Status: "pending",
			CSRPEM: makeCSR(t, csrSpec{cn: cn, sans: []string{"cb1.example.com"}}), SubjectCN: cn,
			SANs: []string{"cb1.example.com"}, Days: 90, Findings: "[]", RequestedBy: "alice", RequestedAt: time.Now()}
		if err := e.store.CreateRequest(context.Background(), r); err != nil {
			t.Fatal(err)
		}
		code, body := e.call("POST", "/api/v1/requests/"+id+"/approve", "bob", map[string]string{"reason": "lab"})
		var answer struct{ Error, Hint string }
		if err := json.Unmarshal(body, &answer); err != nil || code != 422 ||
			!strings.Contains(answer.Error, "e_subject_common_name_max_length") || answer.Hint == "" {
			t.Fatalf("approve: %d %s, want 422 naming the lint, with a hint", code, body)
		}
		got, err := e.store.Request(context.Background(), id)
		if err != nil || got.Status != "failed" {
			t.Errorf("request after the refusal: %q, %v; want failed", got.Status, err)
		}
	})
}
