package bundler

import (
	"context"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/aia"
	"github.com/confcert/confcert/internal/chain"
)

// slowFetcher answers each request after its delay, or when the context
// ends: a chain of slow AIA servers.
type slowFetcher struct {
	delay time.Duration
	by    map[string][]*x509.Certificate
	asked int
}

func (f *slowFetcher) Issuers(ctx context.Context, c *x509.Certificate) ([]aia.Fetched, error) {
	f.asked++
	select {
	case <-time.After(f.delay):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return []aia.Fetched{{URL: "http://aia.test/" + c.Issuer.CommonName, Certificates: f.by[c.Issuer.CommonName]}}, nil
}

// All the rounds of --fetch share one deadline: when it runs out the chain
// stays incomplete, and the refusal carries why (issue 11 item 9).
func TestFetchHasOneOverallDeadline(t *testing.T) {
	p := newPKI(t)
	f := &slowFetcher{delay: 150 * time.Millisecond, by: map[string][]*x509.Certificate{
		"Test Inter 2": certs(p.inter2), "Test Inter 1": certs(p.inter1), "Test Root": certs(p.root)}}
	// Each request alone is well within the deadline; three are not.
	_, err := Build(context.Background(), Request{Layout: chain.LayoutCMS, Pile: certs(p.leaf), Fetch: f, FetchDeadline: 250 * time.Millisecond})
	var incomplete *IncompleteError
	if !errors.As(err, &incomplete) {
		t.Fatalf("err = %v, want *IncompleteError", err)
	}
	if f.asked >= 3 {
		t.Errorf("%d requests made, want the deadline to stop the rounds", f.asked)
	}
	if !strings.Contains(strings.Join(incomplete.Fetching, "\n"), "gave up fetching the issuer of") {
		t.Errorf("Fetching = %q, want the deadline named", incomplete.Fetching)
	}
}

// A failed fetch is reported with the refusal, not only with a written file.
func TestIncompleteRefusalCarriesFetchFailures(t *testing.T) {
	p := newPKI(t)
	f := &fakeFetcher{by: map[string][]*x509.Certificate{}}
	_, err := Build(context.Background(), Request{Layout: chain.LayoutCMS, Pile: certs(p.leaf), Fetch: f})
	var incomplete *IncompleteError
	if !errors.As(err, &incomplete) || len(incomplete.Fetching) != 1 || !strings.Contains(incomplete.Fetching[0], "404") {
		t.Fatalf("err = %v (fetching %q), want the 404 carried", err, incomplete.Fetching)
	}
}
