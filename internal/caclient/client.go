// Package caclient speaks the JSON API of `confcert serve` (spec serve.md)
// for `confcert ca submit|requests|approve` and for plan's ca_server: the
// same calls a script would make, with timeouts on every call.
package caclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/confcert/confcert/internal/cawire"
)

// Timeout bounds every call, its tries and waits on a busy service included.
const Timeout = 60 * time.Second

// Client calls one service with one token.
type Client struct {
	base  string
	token string
	http  *http.Client
	// spread makes a wait of Retry-After's (jitter), sleep waits it, now
	// is the clock an HTTP-date Retry-After is read against (a test makes
	// them its own).
	spread func(time.Duration) time.Duration
	sleep  func(context.Context, time.Duration) error
	now    func() time.Time
}

// Options say where the service is and how to reach it.
type Options struct {
	// Server is the service's base URL, e.g. https://ca.example.com:8443.
	Server string
	// Token is the bearer token.
	Token string
	// CAFile, when set, is a PEM file of the CA that issued the service's
	// HTTPS certificate (its own CA: GET /api/v1/ca/NAME.crt); else the
	// system's roots are trusted.
	CAFile string
}

// New returns a client; a bad URL or an unreadable CA file is an error.
func New(o Options) (*Client, error) {
	u, err := url.Parse(o.Server)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("server %q: want https://HOST[:PORT]", o.Server)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if o.CAFile != "" {
		pool, err := readPool(o.CAFile)
		if err != nil {
			return nil, err
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &Client{base: strings.TrimSuffix(o.Server, "/"), token: strings.TrimSpace(o.Token),
		http: &http.Client{Timeout: Timeout, Transport: tr}, spread: jitter, sleep: sleepCtx, now: time.Now}, nil
}

func readPool(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("%s: no PEM certificate in the file", path)
	}
	return pool, nil
}

// Finding is one rule outcome, as `confcert check --json` gives it.
type Finding = cawire.Finding

// Request is a certificate request as the service shows it (one JSON type
// for the server and the client: package cawire).
type Request = cawire.Request

// Error is an answer other than success: the status and the service's
// error, hint and (for a refused CSR, 422) findings, of the last try.
type Error struct {
	Status   int
	Message  string    `json:"error"`
	Hint     string    `json:"hint"`
	Findings []Finding `json:"findings"`
	// Tries is how many times the call was sent: more than 1 when the
	// service was busy (503 with Retry-After) and the call was sent again.
	Tries int `json:"-"`
	// busy: a 503 with a valid Retry-After, to send again after wait.
	busy bool
	wait time.Duration
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("the CA service answered %d %s: %s", e.Status, http.StatusText(e.Status), e.Message)
}

// Refused reports whether err is a CSR refused by its profile's rules.
func Refused(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e) && e.Status == http.StatusUnprocessableEntity
	return e, ok
}

// Submit sends a CSR for a profile; days 0 asks for the profile's maximum.
func (c *Client) Submit(ctx context.Context, csrPEM []byte, profile string, days int, comment string) (Request, error) {
	var r Request
	body := map[string]any{"csr": string(csrPEM), "profile": profile, "days": days, "comment": comment}
	return r, c.do(ctx, "POST", "/api/v1/requests", body, &r)
}

// Requests lists requests ("" for every status).
func (c *Client) Requests(ctx context.Context, status string) ([]Request, error) {
	var out struct {
		Requests []Request `json:"requests"`
	}
	path := "/api/v1/requests"
	if status != "" {
		path += "?status=" + url.QueryEscape(status)
	}
	return out.Requests, c.do(ctx, "GET", path, nil, &out)
}

// Request returns one request.
func (c *Client) Request(ctx context.Context, id string) (Request, error) {
	var r Request
	return r, c.do(ctx, "GET", "/api/v1/requests/"+url.PathEscape(id), nil, &r)
}

// Approve approves a request (and so has it issued).
func (c *Client) Approve(ctx context.Context, id, reason string) (Request, error) {
	var r Request
	return r, c.do(ctx, "POST", "/api/v1/requests/"+url.PathEscape(id)+"/approve", map[string]string{"reason": reason}, &r)
}

// Reject rejects a request.
func (c *Client) Reject(ctx context.Context, id, reason string) (Request, error) {
	var r Request
	return r, c.do(ctx, "POST", "/api/v1/requests/"+url.PathEscape(id)+"/reject", map[string]string{"reason": reason}, &r)
}

// Certificate fetches an issued certificate (PEM), in a layout when set.
func (c *Client) Certificate(ctx context.Context, serial, layout string) ([]byte, error) {
	path := "/api/v1/certificates/" + url.PathEscape(serial)
	if layout != "" {
		path += "?layout=" + url.QueryEscape(layout)
	}
	var raw []byte
	return raw, c.do(ctx, "GET", path, nil, &raw)
}

// Retries when the service is busy (docs/serve.md, "From the CLI"). The
// service answers 503 with Retry-After only when it refused a call before
// doing anything (caservice.ErrBusy: nothing reserved, signed or stored),
// so such a call is sent again as it is, after the wait it asks for. Any
// other answer, a 503 without Retry-After (the handler timeout, which may
// have left work done) and every other 5xx included, is final.
const (
	// MaxTries is how many times a call is sent at most: four waits of
	// the service's Retry-After (2 s, spread to 2 to 4 s) cover a queue of
	// --max-issuing requests drained on a quiet machine several times
	// over; a service still full after that is overloaded, and saying so
	// beats waiting.
	MaxTries = 5
	// MaxRetryWait caps one wait, whatever Retry-After says: the longest
	// a request let in may take at the service (its 30 s handler timeout),
	// so a mistaken or hostile value cannot park a plan for hours.
	MaxRetryWait = 30 * time.Second
	// TryTime is what a try sent again must still have before the
	// deadline: about the longest the service takes to answer the
	// requests it let in at its default bound on a loaded machine
	// (caservice.DefaultMaxIssuing). A try sent with less could be cut
	// short by the deadline while the service issues it, and the caller
	// told the call failed for a certificate issued and recorded (which
	// a second run would issue again).
	TryTime = 20 * time.Second
)

// do sends a call, again while the service is busy (MaxTries, each wait
// Retry-After's spread by jitter and capped at MaxRetryWait, each try sent
// again with TryTime left, all within Timeout and ctx); out is a JSON
// target, or *[]byte for the raw body.
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	var js []byte
	if body != nil {
		var err error
		if js, err = json.Marshal(body); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	for tries := 1; ; tries++ {
		data, err := c.send(ctx, method, path, js)
		var e *Error
		if errors.As(err, &e) {
			e.Tries = tries
		}
		var wait time.Duration
		if e != nil && e.busy {
			wait = c.spread(e.wait)
		}
		if e == nil || !e.busy || tries == MaxTries || !fits(ctx, wait) {
			if err != nil {
				return err
			}
			return decode(data, out)
		}
		if err := c.sleep(ctx, wait); err != nil {
			return fmt.Errorf("stopped waiting to send the call again (the CA service was busy): %w", err)
		}
	}
}

// fits reports whether a wait of d leaves the try after it TryTime before
// ctx's deadline: a wait after which the call could not be answered is not
// started.
func fits(ctx context.Context, d time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return !ok || d+TryTime <= time.Until(deadline)
}

// MaxAnswer bounds the answer the client reads (16 MiB): a certificate or
// one request is a few kilobytes; a listing of every request, about 1 KB
// each, stays under it up to some 15,000 requests. A longer answer is
// refused whole, never cut and read as if complete.
const MaxAnswer = 16 << 20

// send sends the call once. The body of every answer is read (at most
// MaxAnswer) and closed, so the connection is reused or closed, never
// leaked.
func (c *Client) send(ctx context.Context, method, path string, js []byte) ([]byte, error) {
	var rd io.Reader
	if js != nil {
		rd = bytes.NewReader(js)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if js != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reaching the CA service: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxAnswer+1))
	if err != nil {
		return nil, fmt.Errorf("reading the CA service's answer: %w", err)
	}
	if len(data) > MaxAnswer {
		return nil, fmt.Errorf("the CA service's answer to %s %s is larger than %d MiB, more than any answer of its API should be: if it lists requests, narrow the listing with a status", method, path, MaxAnswer>>20)
	}
	if resp.StatusCode >= 300 {
		e := &Error{Status: resp.StatusCode}
		if json.Unmarshal(data, e) != nil || e.Message == "" {
			e.Message = strings.TrimSpace(string(data))
		}
		if resp.StatusCode == http.StatusServiceUnavailable {
			e.wait, e.busy = retryAfter(resp.Header.Get("Retry-After"), c.now())
		}
		return nil, e
	}
	return data, nil
}

func decode(data []byte, out any) error {
	if raw, ok := out.(*[]byte); ok {
		*raw = data
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("the CA service's answer is not the JSON expected: %w", err)
	}
	return nil
}

// retryAfter reads a Retry-After header (RFC 9110 §10.2.3): a number of
// seconds or an HTTP date, as a wait from now, never below 0 nor above
// MaxRetryWait; ok is false for an absent or malformed value.
func retryAfter(v string, now time.Time) (wait time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if strings.Trim(v, "0123456789") == "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n > int64(MaxRetryWait/time.Second) { // all digits: err is only too large
			return MaxRetryWait, true
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return min(max(t.Sub(now), 0), MaxRetryWait), true
}

// jitter spreads a wait of d over [d, 2d), at most MaxRetryWait: clients
// refused together (a plan's burst, many scripts at once) would otherwise
// all come back at the same instant, find the service full again and use
// up their tries; never less than d, which the service asked for.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return min(d+rand.N(d), MaxRetryWait)
}

// sleepCtx waits d, or until ctx ends (Ctrl-C stops the wait at once).
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// CACertificate fetches the certificate of the service's default CA
// (GET /api/v1/ca/default.crt).
func (c *Client) CACertificate(ctx context.Context) ([]byte, error) {
	var raw []byte
	return raw, c.do(ctx, "GET", "/api/v1/ca/default.crt", nil, &raw)
}
