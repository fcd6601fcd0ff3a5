package caclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/caserver/servertest"
	"github.com/confcert/confcert/internal/caservice"
	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/csrtest"
)

// TestFloodOfRetryingClientsIssuesEachOnce: 32 clients submit at once to a
// real service bound to 2 requests, each sending again while busy (its
// waits shortened), a third of them giving up (Ctrl-C) at a random moment.
// Every name is stored at most once (a retry never issues twice); a client
// answered issued has its certificate stored; a client whose last answer
// was busy left nothing; the service's gauge is back to 0.
func TestFloodOfRetryingClientsIssuesEachOnce(t *testing.T) {
	dir := t.TempDir()
	s := servertest.Start(t, dir, servertest.Options{DefaultCA: "floodca", Observe: true, MaxIssuing: 2})
	ctx := context.Background()
	admin := caservice.Principal{Name: "root", Role: caservice.RoleAdmin}
	if _, err := s.Svc.ApplyProfiles(ctx, admin, []byte("profiles:\n- {name: auto-cb, role: cms-callbridge, approval: auto}\n")); err != nil {
		t.Fatal(err)
	}
	const n = 32
	type answer struct {
		cn  string
		r   Request
		err error
	}
	answers := make(chan answer, n)
	var start sync.WaitGroup
	start.Add(1)
	for i := range n {
		cn := fmt.Sprintf("cb%d.example.com", i)
		csr := csrtest.PEM(t, csrtest.CSR{CN: cn, SANs: []string{cn}})
		c, err := New(Options{Server: s.Base, Token: s.Tokens["alice"], CAFile: s.CAFile})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.http.CloseIdleConnections)
		c.sleep = func(ctx context.Context, d time.Duration) error { return sleepCtx(ctx, d/200) }
		go func() {
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			if i%3 == 0 {
				go func() {
					time.Sleep(time.Duration(rand.IntN(50_000)) * time.Microsecond)
					cancel()
				}()
			}
			start.Wait()
			r, err := c.Submit(ctx, []byte(csr), "auto-cb", 0, "")
			answers <- answer{cn, r, err}
		}()
	}
	start.Done()
	issued, busy := map[string]string{}, map[string]bool{}
	for range n {
		a := <-answers
		var e *Error
		switch {
		case a.err == nil && a.r.Status == "issued":
			issued[a.cn] = a.r.IssuedSerial()
		case errors.As(a.err, &e) && e.Status == http.StatusServiceUnavailable && e.busy:
			busy[a.cn] = true
		case errors.Is(a.err, context.Canceled):
		default:
			t.Errorf("%s: %+v, %v", a.cn, a.r, a.err)
		}
	}
	rs, err := s.Store.Requests(ctx, castore.RequestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, r := range rs {
		seen[r.SubjectCN]++
		if busy[r.SubjectCN] {
			t.Errorf("%s: the last answer was busy, yet a request is stored (%s)", r.SubjectCN, r.Status)
		}
	}
	for cn, k := range seen {
		if k > 1 {
			t.Errorf("%s stored %d times: a retry issued twice", cn, k)
		}
	}
	for cn, serial := range issued {
		if seen[cn] != 1 {
			t.Errorf("%s answered issued (%s), stored %d times", cn, serial, seen[cn])
		}
	}
	t.Logf("%d issued, %d busy to the end, %d stored", len(issued), len(busy), len(rs))
	metrics, err := New(Options{Server: s.Base, CAFile: s.CAFile})
	if err != nil {
		t.Fatal(err)
	}
	defer metrics.http.CloseIdleConnections()
	for {
		var m []byte
		if err := metrics.do(ctx, "GET", "/metrics", nil, &m); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(m), "\nconfcert_issuing_requests 0\n") {
			break
		}
		time.Sleep(10 * time.Millisecond) // a client gone: its request may still be finishing
	}
}

// TestSentAgainToARestartedService: the service answers busy, then stops;
// another starts on the same address before the wait ends. The call sent
// again reaches the new one (on a new connection) and succeeds.
func TestSentAgainToARestartedService(t *testing.T) {
	s, c, _ := start(t, busy2)
	addr := s.srv.Listener.Addr().String()
	second := &service{answers: []answer{created}}
	c.sleep = func(ctx context.Context, d time.Duration) error {
		s.srv.Close()
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		second.srv = httptest.NewUnstartedServer(second)
		second.srv.Listener = ln
		second.srv.StartTLS() // httptest's certificate: the one the client trusts
		t.Cleanup(second.srv.Close)
		return sleepCtx(ctx, 50*time.Millisecond) // the 2 s or more a real wait lasts: time for the old connection to be seen closed
	}
	r, err := c.Submit(t.Context(), []byte("CSR"), "p", 0, "")
	if err != nil || r.ID != "r1" {
		t.Fatalf("Submit across a restart: %+v, %v", r, err)
	}
	if s.calls() != 1 || second.calls() != 1 || s.bodies[0] != second.bodies[0] {
		t.Errorf("calls %d then %d, bodies %q %q; want one each, the same", s.calls(), second.calls(), s.bodies, second.bodies)
	}
}

// TestBusyAnswerWhoseBodyNeverEnds: a 503 with Retry-After whose body
// never ends (a broken proxy) does not hold the call past its deadline:
// the call returns an error, sends nothing more after the deadline, and
// leaves no goroutine (TestMain).
func TestBusyAnswerWhoseBodyNeverEnds(t *testing.T) {
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
		for {
			if _, err := io.WriteString(w, "x"); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-stop:
				return
			case <-r.Context().Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}))
	defer srv.Close()
	defer close(stop)
	c, err := New(Options{Server: srv.URL, Token: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.http.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := c.Submit(ctx, []byte("CSR"), "p", 0, "")
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Submit: %v; want the deadline's error", err)
		}
	case <-time.After(20 * time.Second): // only a read deaf to the deadline gets here
		t.Fatal("Submit did not return")
	}
}

// TestNoTryWithoutTimeToBeAnswered: a wait after which the call could not
// be answered before the deadline is not started. Here the wait asked for
// (1 s) ends before the deadline (1.5 s), but the service may take up to
// its handler timeout to answer a call it lets in: a try sent then would be
// cut short by the deadline while the service issues, and the caller told
// it failed for a certificate issued and recorded (run again, it issues a
// second one). The busy answer is returned at once instead, nothing done.
func TestNoTryWithoutTimeToBeAnswered(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `{"error": "busy", "hint": "wait"}`)
			return
		}
		// Let in: issuing takes a while on a loaded service, and the
		// certificate is recorded whether the caller waits or not.
		select {
		case <-r.Context().Done():
		case <-time.After(3 * time.Second):
			w.WriteHeader(http.StatusCreated)
			fmt.Fprint(w, `{"id": "r1", "status": "issued"}`)
		}
	}))
	defer srv.Close()
	c, err := New(Options{Server: srv.URL, Token: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.http.CloseIdleConnections()
	c.spread = func(d time.Duration) time.Duration { return d }
	ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
	defer cancel()
	_, err = c.Submit(ctx, []byte("CSR"), "p", 0, "")
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusServiceUnavailable || e.Tries != 1 {
		t.Errorf("Submit: %v; want the busy answer, tried once", err)
	}
	srv.Close() // waits for the handlers
	mu.Lock()
	defer mu.Unlock()
	if calls != 1 {
		t.Errorf("%d calls; want 1: no try sent without the time to be answered", calls)
	}
}

// holdRecords holds every batch with a record while hold is set, saying
// so on held, until open is closed.
type holdRecords struct {
	castore.Service
	hold       atomic.Bool
	held, open chan struct{}
}

func (h *holdRecords) CommitBatch(ctx context.Context, b castore.Batch) error {
	if h.hold.Load() && len(b.Record) > 0 {
		select {
		case h.held <- struct{}{}:
		default:
		}
		<-h.open
	}
	return h.Service.CommitBatch(ctx, b)
}

// TestClientGoneWhileRecordingFreesItsSlot: a client that gives up (Ctrl-C)
// while its certificate is being recorded gets no certificate; the service
// frees its slot (the gauge back to 0), records the certificate all the
// same, and then lets in as many requests at once as its bound.
func TestClientGoneWhileRecordingFreesItsSlot(t *testing.T) {
	const bound = 2
	h := &holdRecords{held: make(chan struct{}, 1), open: make(chan struct{})}
	s := servertest.Start(t, t.TempDir(), servertest.Options{DefaultCA: "goneca", Observe: true, MaxIssuing: bound,
		Wrap: func(st castore.Service) castore.Service { h.Service = st; return h }})
	ctx := context.Background()
	admin := caservice.Principal{Name: "root", Role: caservice.RoleAdmin}
	if _, err := s.Svc.ApplyProfiles(ctx, admin, []byte("profiles:\n- {name: auto-cb, role: cms-callbridge, approval: auto}\n")); err != nil {
		t.Fatal(err)
	}
	client := func() *Client {
		c, err := New(Options{Server: s.Base, Token: s.Tokens["alice"], CAFile: s.CAFile})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.http.CloseIdleConnections)
		return c
	}
	csr := func(cn string) []byte { return []byte(csrtest.PEM(t, csrtest.CSR{CN: cn, SANs: []string{cn}})) }
	h.hold.Store(true)
	gone, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := client().Submit(gone, csr("gone.example.com"), "auto-cb", 0, "")
		done <- err
	}()
	<-h.held
	cancel()
	// context.Canceled, or the 503 the server's timeout handler answers
	// a request whose client went away, when it comes first: not sent
	// again either way (no Retry-After).
	var e *Error
	if err := <-done; !errors.Is(err, context.Canceled) && !(errors.As(err, &e) && e.Status == 503 && e.Tries == 1 && !e.busy) {
		t.Fatalf("the client gone: %v", err)
	}
	metrics := client()
	gauge := func() string {
		var m []byte
		if err := metrics.do(ctx, "GET", "/metrics", nil, &m); err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(m), "\n") {
			if strings.HasPrefix(l, "confcert_issuing_requests ") {
				return strings.TrimPrefix(l, "confcert_issuing_requests ")
			}
		}
		return "missing"
	}
	for gauge() != "0" { // the service sees the client gone, and its Submit return
		time.Sleep(10 * time.Millisecond)
	}
	// Still held: bound fresh requests are all let in together.
	answers := make(chan error, bound)
	for i := range bound {
		go func() {
			_, err := client().Submit(ctx, csr(fmt.Sprintf("fresh%d.example.com", i)), "auto-cb", 0, "")
			answers <- err
		}()
	}
	for gauge() != fmt.Sprint(bound) {
		time.Sleep(10 * time.Millisecond)
	}
	h.hold.Store(false)
	close(h.open)
	for range bound {
		if err := <-answers; err != nil {
			t.Errorf("a fresh request within the bound: %v", err)
		}
	}
	rs, err := s.Store.Requests(ctx, castore.RequestFilter{})
	if err != nil || len(rs) != bound+1 {
		t.Fatalf("requests stored: %d, %v; want %d", len(rs), err, bound+1)
	}
	for _, r := range rs {
		if r.Status != caservice.StatusIssued {
			t.Errorf("%s: %s, want issued (recorded though its client went away)", r.SubjectCN, r.Status)
		}
	}
	for gauge() != "0" {
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRetryAfterNotANumberIsFinal: a Retry-After that is neither a
// number of seconds nor an HTTP date (a float, an exponent, hex, a unit)
// is not taken as leave to send the call again.
func TestRetryAfterNotANumberIsFinal(t *testing.T) {
	for _, v := range []string{"1e9", "2.5", "0x10", "2 s", "+2", "2, 3"} {
		t.Run(v, func(t *testing.T) {
			s, c, waits := start(t, answer{503, v}, created)
			_, err := c.Submit(t.Context(), []byte("CSR"), "p", 0, "")
			var e *Error
			if !errors.As(err, &e) || e.Status != 503 || e.Tries != 1 {
				t.Fatalf("Submit: %v; want the 503, tried once", err)
			}
			if s.calls() != 1 || len(*waits) != 0 {
				t.Errorf("calls %d, waits %v; want 1 call, no wait", s.calls(), *waits)
			}
		})
	}
}
