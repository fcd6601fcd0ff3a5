package caapi

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/confcert/confcert/internal/caservice"
)

// TestBusyRetryAfterOnlyWhenNothingDone: Retry-After, which clients take
// as leave to send the call again (caclient), goes with a busy refusal
// before anything was done, never with an approval recorded whose issuance
// waits, nor with the other 503 (a call that took too long).
func TestBusyRetryAfterOnlyWhenNothingDone(t *testing.T) {
	busy := fmt.Errorf("%w: it is issuing as many requests as it takes at once (2)", caservice.ErrBusy)
	for _, tt := range []struct {
		name       string
		err        error
		retryAfter string
	}{
		{"refused before anything", busy, "2"},
		{"approved, issued later", &caservice.ApprovedError{ID: "r1", Err: busy}, ""},
		{"took too long", fmt.Errorf("recording: %w", context.DeadlineExceeded), ""},
		{"shutting down", fmt.Errorf("reserving: %w", caservice.ErrStopping), ""},
		{"approved, shutting down", &caservice.ApprovedError{ID: "r1", Err: caservice.ErrStopping}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := &API{log: slog.New(slog.DiscardHandler)}
			w := httptest.NewRecorder()
			a.fail(w, httptest.NewRequest("POST", "/api/v1/requests/r1/approve", nil), tt.err)
			var eb errorBody
			if err := json.Unmarshal(w.Body.Bytes(), &eb); err != nil || eb.Error == "" || eb.Hint == "" {
				t.Fatalf("body %s: %v; want the error and a hint", w.Body, err)
			}
			if got := w.Header().Get("Retry-After"); w.Code != http.StatusServiceUnavailable || got != tt.retryAfter {
				t.Errorf("Retry-After %q, want 503 with %q (%d %s)", got, tt.retryAfter, w.Code, w.Body)
			}
		})
	}
}
