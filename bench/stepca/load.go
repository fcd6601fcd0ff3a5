package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// result is one service's measurement.
type result struct {
	service, kty     string
	clients, done    int
	errors           int
	firstError       string
	elapsed          time.Duration
	p50, p99         time.Duration
	serverCPU        time.Duration // user+system CPU of the server process during the timed run
	loadBefore, load string
}

func (r result) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.done) / r.elapsed.Seconds()
}

// httpsClient trusts only pool and keeps up to clients connections open
// (HTTP/1.1 keep-alive, one connection a client, as curl or step would).
func httpsClient(pool *x509.CertPool, clients int) *http.Client {
	return &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig:     &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
			MaxIdleConnsPerHost: clients,
			MaxConnsPerHost:     clients,
			IdleConnTimeout:     time.Minute,
			TLSHandshakeTimeout: 10 * time.Second,
		},
	}
}

// request is the i-th request's body; check says whether an answer is a
// certificate issued (nil) or not.
type workload struct {
	url    string
	header http.Header
	body   func(i int) []byte
	want   int
	check  func(body []byte) error
}

// run sends requests 0..n-1 from `clients` goroutines until all are
// answered or the deadline passes, and measures the answered ones.
func run(ctx context.Context, c *http.Client, w workload, n, clients int, max time.Duration) result {
	ctx, cancel := context.WithTimeout(ctx, max)
	defer cancel()
	var next atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	res := result{clients: clients}
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				t0 := time.Now()
				err := w.send(ctx, c, i)
				d := time.Since(t0)
				mu.Lock()
				if err == nil {
					lat = append(lat, d)
				} else if ctx.Err() == nil {
					res.errors++
					if res.firstError == "" {
						res.firstError = err.Error()
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.done = len(lat)
	if len(lat) > 0 {
		slices.Sort(lat)
		res.p50 = lat[len(lat)/2]
		res.p99 = lat[len(lat)*99/100]
	}
	return res
}

// send posts the i-th request and checks the answer.
func (w workload) send(ctx context.Context, c *http.Client, i int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(w.body(i)))
	if err != nil {
		return err
	}
	for k, v := range w.header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != w.want {
		return fmt.Errorf("status %d: %.300s", resp.StatusCode, body)
	}
	return w.check(body)
}
