package caclient

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// answer is one scripted answer of the test service.
type answer struct {
	status     int
	retryAfter string
}

// service is an HTTPS server that gives its answers in order (the last
// one again once they run out), and counts the calls, their bodies and
// the connections they came on.
type service struct {
	srv     *httptest.Server
	answers []answer
	// called receives once per call, when set.
	called chan struct{}

	mu     sync.Mutex
	bodies []string
	conns  int
}

func (s *service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.bodies = append(s.bodies, string(body))
	n := len(s.bodies)
	s.mu.Unlock()
	a := s.answers[min(n, len(s.answers))-1]
	if a.retryAfter != "" {
		w.Header().Set("Retry-After", a.retryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.status)
	if a.status == http.StatusCreated {
		fmt.Fprintf(w, `{"id": "r1", "status": "issued", "serial": "0a", "findings": []}`)
	} else {
		fmt.Fprintf(w, `{"error": "answer %d", "hint": "hint %d"}`, n, n)
	}
	if s.called != nil {
		s.called <- struct{}{}
	}
}

func (s *service) calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.bodies)
}

// start serves answers over HTTPS on loopback and returns a client of it
// (through New, trusting the server's certificate as --server-ca would)
// whose waits are recorded and instant, and not spread (jitter).
func start(t *testing.T, answers ...answer) (*service, *Client, *[]time.Duration) {
	t.Helper()
	s := &service{answers: answers}
	s.srv = httptest.NewUnstartedServer(s)
	s.srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.mu.Lock()
			s.conns++
			s.mu.Unlock()
		}
	}
	s.srv.StartTLS()
	t.Cleanup(s.srv.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{Server: s.srv.URL, Token: "tok", CAFile: caFile})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.http.CloseIdleConnections)
	c.spread = func(d time.Duration) time.Duration { return d }
	var waits []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		return ctx.Err()
	}
	return s, c, &waits
}

var (
	busy2   = answer{http.StatusServiceUnavailable, "2"}
	created = answer{http.StatusCreated, ""}
)

// TestBusyThenIssued: two 503s with Retry-After, then 201: the request is
// sent three times, the same body each time, on one connection (each
// refused answer's body was read and closed), after two waits of 2 s.
func TestBusyThenIssued(t *testing.T) {
	s, c, waits := start(t, busy2, busy2, created)
	r, err := c.Submit(t.Context(), []byte("CSR"), "cms-callbridge", 0, "")
	if err != nil || r.ID != "r1" {
		t.Fatalf("Submit: %+v, %v", r, err)
	}
	if s.calls() != 3 || s.bodies[0] != s.bodies[1] || s.bodies[1] != s.bodies[2] {
		t.Errorf("calls %d, bodies %q; want 3 of the same", s.calls(), s.bodies)
	}
	if fmt.Sprint(*waits) != "[2s 2s]" {
		t.Errorf("waits %v, want [2s 2s]", *waits)
	}
	if s.conns != 1 {
		t.Errorf("%d connections; want 1 (a refused answer's body left unread keeps its connection)", s.conns)
	}
}

// TestNotSentAgain: only a 503 with a valid Retry-After is sent again.
func TestNotSentAgain(t *testing.T) {
	for _, tt := range []struct {
		name string
		a    answer
	}{
		{"503 without Retry-After (the handler timeout)", answer{503, ""}},
		{"503 with a malformed Retry-After", answer{503, "soon"}},
		{"503 with a negative Retry-After", answer{503, "-1"}},
		{"500 with Retry-After", answer{500, "1"}},
		{"502 with Retry-After", answer{502, "1"}},
		{"429 with Retry-After", answer{429, "1"}},
		{"409", answer{409, ""}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, c, waits := start(t, tt.a, created)
			_, err := c.Approve(t.Context(), "r1", "")
			var e *Error
			if !errors.As(err, &e) || e.Status != tt.a.status || e.Tries != 1 || e.Message != "answer 1" {
				t.Fatalf("Approve: %v (%+v); want the answer %d, tried once", err, e, tt.a.status)
			}
			if s.calls() != 1 || len(*waits) != 0 {
				t.Errorf("calls %d, waits %v; want 1 call and no wait", s.calls(), *waits)
			}
		})
	}
}

// TestTriesCapped: a service busy every time is asked MaxTries times; the
// error is its last answer, with the number of tries.
func TestTriesCapped(t *testing.T) {
	s, c, waits := start(t, busy2)
	_, err := c.Submit(t.Context(), []byte("CSR"), "p", 0, "")
	var e *Error
	if !errors.As(err, &e) || e.Status != 503 || e.Tries != MaxTries || e.Message != "answer 5" || e.Hint != "hint 5" {
		t.Fatalf("Submit: %v (%+v); want the fifth answer, tried %d times", err, e, MaxTries)
	}
	if s.calls() != MaxTries || len(*waits) != MaxTries-1 {
		t.Errorf("calls %d, waits %v; want %d calls, %d waits", s.calls(), *waits, MaxTries, MaxTries-1)
	}
}

// TestRetryAfterForms: an HTTP date is a wait from now (a past one, none);
// a huge value is capped at MaxRetryWait.
func TestRetryAfterForms(t *testing.T) {
	now := time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name, header string
		want         time.Duration
	}{
		{"seconds", "3", 3 * time.Second},
		{"zero", "0", 0},
		{"an HTTP date 7 s ahead", now.Add(7 * time.Second).Format(http.TimeFormat), 7 * time.Second},
		{"an HTTP date past", now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"an HTTP date a day ahead", now.Add(24 * time.Hour).Format(http.TimeFormat), MaxRetryWait},
		{"a day in seconds", "86400", MaxRetryWait},
		{"more seconds than an int64", "99999999999999999999999", MaxRetryWait},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, c, waits := start(t, answer{503, tt.header}, created)
			c.now = func() time.Time { return now }
			if _, err := c.Request(context.Background(), "r1"); err != nil {
				t.Fatal(err)
			}
			if s.calls() != 2 || len(*waits) != 1 || (*waits)[0] != tt.want {
				t.Errorf("calls %d, waits %v; want 2 calls after a wait of %v", s.calls(), *waits, tt.want)
			}
		})
	}
}

// TestWaitPastDeadlineNotStarted: a wait that would end after the call's
// deadline is not started: the busy answer is returned at once.
func TestWaitPastDeadlineNotStarted(t *testing.T) {
	s, c, waits := start(t, answer{503, "20"}, created)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, err := c.Submit(ctx, []byte("CSR"), "p", 0, "")
	var e *Error
	if !errors.As(err, &e) || e.Status != 503 || e.Tries != 1 {
		t.Fatalf("Submit: %v; want the 503, tried once", err)
	}
	if s.calls() != 1 || len(*waits) != 0 {
		t.Errorf("calls %d, waits %v; want 1 call, no wait", s.calls(), *waits)
	}
}

// TestCancelDuringWait: Ctrl-C (the context cancelled) while the client
// waits the 30 s a busy service asked for ends the call at once, with
// context.Canceled, and sends nothing more.
func TestCancelDuringWait(t *testing.T) {
	s, c, _ := start(t, answer{503, "30"}, created)
	c.sleep = sleepCtx
	s.called = make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := c.Submit(ctx, []byte("CSR"), "p", 0, "")
		done <- err
	}()
	<-s.called
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Submit: %v; want context.Canceled", err)
		}
	case <-time.After(20 * time.Second): // the wait is 30 s: only a wait deaf to ctx gets here
		t.Fatal("Submit did not return when cancelled")
	}
	if s.calls() != 1 {
		t.Errorf("calls %d; want 1", s.calls())
	}
}

// TestJitter: a wait is spread over [d, 2d), capped, never below what the
// service asked for, and spread indeed (100 draws are not all the same).
func TestJitter(t *testing.T) {
	for _, d := range []time.Duration{0, time.Second, 2 * time.Second, 20 * time.Second, MaxRetryWait} {
		seen := map[time.Duration]bool{}
		for range 100 {
			w := jitter(d)
			seen[w] = true
			if w < d || w > max(min(2*d, MaxRetryWait), d) {
				t.Fatalf("jitter(%v) = %v; want within [%v, 2×%v] and at most %v", d, w, d, d, MaxRetryWait)
			}
		}
		if d > 0 && d < MaxRetryWait && len(seen) < 2 {
			t.Errorf("jitter(%v): always %v", d, seen)
		}
	}
}

// TestAnswerOverTheLimitIsRefused: an answer longer than MaxAnswer is not
// cut and read as if it were whole: the call fails saying so, whatever the
// answer's status, and an answer of exactly MaxAnswer is read.
func TestAnswerOverTheLimitIsRefused(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		size   int
		ok     bool
	}{
		{"listing at the limit", http.StatusOK, MaxAnswer, true},
		{"listing over the limit", http.StatusOK, MaxAnswer + 1, false},
		{"error over the limit", http.StatusBadRequest, MaxAnswer + 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				// a JSON array of strings padded to exactly tc.size bytes
				pad := tc.size - len(`[""]`)
				io.WriteString(w, `["`+strings.Repeat("a", pad)+`"]`)
			}))
			defer srv.Close()
			c, err := New(Options{Server: srv.URL, Token: "tok"})
			if err != nil {
				t.Fatal(err)
			}
			defer c.http.CloseIdleConnections()
			var out []string
			err = c.do(t.Context(), http.MethodGet, "/api/v1/requests", nil, &out)
			switch {
			case tc.ok && (err != nil || len(out) != 1 || len(out[0]) != tc.size-4):
				t.Errorf("got %d strings, err %v; want the whole answer", len(out), err)
			case !tc.ok && (err == nil || !strings.Contains(err.Error(), "larger than 16 MiB")):
				t.Errorf("err %v; want the answer refused as too large", err)
			}
		})
	}
}
