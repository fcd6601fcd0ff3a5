// Package aia fetches issuer certificates from the caIssuers URLs of a
// certificate's Authority Information Access extension (RFC 5280 §4.2.2.1),
// so that a chain missing an intermediate can be completed. Responses may be
// DER certificates or PKCS#7 bundles; every request has a timeout and every
// response a size limit.
package aia

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/confcert/confcert/internal/certio"
)

// Defaults of a zero Fetcher.
const (
	DefaultTimeout  = 10 * time.Second
	DefaultMaxBytes = 1 << 20
)

// ErrNoURL says the certificate names no caIssuers URL to fetch from.
var ErrNoURL = errors.New("no caIssuers URL in the certificate's Authority Information Access")

// Fetcher downloads issuer certificates.
type Fetcher struct {
	// Client does the requests; nil means a client with Timeout.
	Client *http.Client
	// Timeout bounds each request; zero means DefaultTimeout.
	Timeout time.Duration
	// MaxBytes bounds each response body; zero means DefaultMaxBytes.
	MaxBytes int64
}

// Fetched is what one URL returned.
type Fetched struct {
	URL          string
	Certificates []*x509.Certificate
}

// Issuers fetches every http or https caIssuers URL of cert and returns what
// each one held. It fails only when no URL gave a certificate; the error then
// names each URL and its problem.
func (f Fetcher) Issuers(ctx context.Context, cert *x509.Certificate) ([]Fetched, error) {
	if len(cert.IssuingCertificateURL) == 0 {
		return nil, ErrNoURL
	}
	var out []Fetched
	var errs []error
	for _, u := range cert.IssuingCertificateURL {
		certs, err := f.fetch(ctx, u)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, Fetched{URL: u, Certificates: certs})
	}
	if len(out) == 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

func (f Fetcher) fetch(ctx context.Context, rawURL string) ([]*x509.Certificate, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("fetching %s: not an http URL", rawURL)
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout())
	defer cancel()
	body, err := f.get(ctx, u.String())
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", rawURL, err)
	}
	file, err := certio.Parse(rawURL, body, certio.Options{})
	if err != nil {
		return nil, fmt.Errorf("fetching %w", err)
	}
	certs := file.Certificates()
	if len(certs) == 0 {
		return nil, fmt.Errorf("fetching %s: no certificate in the response", rawURL)
	}
	return certs, nil
}

func (f Fetcher) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := f.client().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("server answered %s", resp.Status)
	}
	limit := f.maxBytes()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("response larger than %d bytes", limit)
	}
	return body, nil
}

func (f Fetcher) client() *http.Client {
	if f.Client != nil {
		return f.Client
	}
	return &http.Client{Timeout: f.timeout()}
}

func (f Fetcher) timeout() time.Duration {
	if f.Timeout > 0 {
		return f.Timeout
	}
	return DefaultTimeout
}

func (f Fetcher) maxBytes() int64 {
	if f.MaxBytes > 0 {
		return f.MaxBytes
	}
	return DefaultMaxBytes
}
