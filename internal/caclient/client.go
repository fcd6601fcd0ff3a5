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
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/confcert/confcert/internal/cawire"
)

// Timeout bounds every call.
const Timeout = 60 * time.Second

// Client calls one service with one token.
type Client struct {
	base  string
	token string
	http  *http.Client
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
		http: &http.Client{Timeout: Timeout, Transport: tr}}, nil
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
// error, hint and (for a refused CSR, 422) findings.
type Error struct {
	Status   int
	Message  string    `json:"error"`
	Hint     string    `json:"hint"`
	Findings []Finding `json:"findings"`
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

// do sends a call; out is a JSON target, or *[]byte for the raw body.
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		js, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(js)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("reaching the CA service: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("reading the CA service's answer: %w", err)
	}
	if resp.StatusCode >= 300 {
		e := &Error{Status: resp.StatusCode}
		if json.Unmarshal(data, e) != nil || e.Message == "" {
			e.Message = strings.TrimSpace(string(data))
		}
		return e
	}
	if raw, ok := out.(*[]byte); ok {
		*raw = data
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("the CA service's answer is not the JSON expected: %w", err)
	}
	return nil
}

// CACertificate fetches the certificate of the service's default CA
// (GET /api/v1/ca/default.crt).
func (c *Client) CACertificate(ctx context.Context) ([]byte, error) {
	var raw []byte
	return raw, c.do(ctx, "GET", "/api/v1/ca/default.crt", nil, &raw)
}
