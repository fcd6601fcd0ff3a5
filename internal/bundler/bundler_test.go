package bundler

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/aia"
	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/testpki"
)

// pki is a root, two intermediates under it, a leaf, and a stray root.
type pki struct {
	root, inter1, inter2, leaf, stray *testpki.Issued
}

func newPKI(t *testing.T) pki {
	t.Helper()
	var p pki
	p.root = testpki.Issue(t, testpki.CATemplate("Test Root"), nil)
	p.inter1 = testpki.Issue(t, testpki.CATemplate("Test Inter 1"), p.root)
	p.inter2 = testpki.Issue(t, testpki.CATemplate("Test Inter 2"), p.inter1)
	p.leaf = testpki.Issue(t, testpki.LeafTemplate("leaf.example.com"), p.inter2)
	p.stray = testpki.Issue(t, testpki.CATemplate("Stray Root"), nil)
	return p
}

func certs(is ...*testpki.Issued) []*x509.Certificate {
	out := make([]*x509.Certificate, len(is))
	for i, c := range is {
		out[i] = c.Cert
	}
	return out
}

func order(s Status) []string {
	var out []string
	for _, e := range s.Order {
		out = append(out, e.Role+":"+e.SubjectCN)
	}
	return out
}

// TestBuildLayouts checks order, roles, dropped certificates and the root
// warning of each kind of layout built from a shuffled pile with strays.
func TestBuildLayouts(t *testing.T) {
	p := newPKI(t)
	pile := certs(p.inter2, p.stray, p.root, p.leaf, p.inter1, p.inter2)
	tests := []struct {
		layout  chain.Layout
		noRoot  bool
		order   []string
		warning string
	}{
		{chain.LayoutChain, false, []string{"intermediate:Test Inter 2", "intermediate:Test Inter 1"},
			`root "Test Root" omitted: the chain layout never holds the root`},
		{chain.LayoutCMS, false, []string{"intermediate:Test Inter 2", "intermediate:Test Inter 1", "root:Test Root"},
			`root "Test Root" included`},
		{chain.LayoutFullchain, true, []string{"leaf:leaf.example.com", "intermediate:Test Inter 2", "intermediate:Test Inter 1"},
			`root "Test Root" omitted (--no-root)`},
		{chain.LayoutCWMS25, false, []string{"intermediate:Test Inter 1", "intermediate:Test Inter 2", "leaf:leaf.example.com"},
			`root "Test Root" omitted: the cwms-25 layout never holds the root`},
	}
	for _, tt := range tests {
		t.Run(string(tt.layout), func(t *testing.T) {
			b, err := buildBoth(t, Request{Layout: tt.layout, Pile: pile, NoRoot: tt.noRoot})
			if err != nil {
				t.Fatal(err)
			}
			if got := order(b.Status); !slices.Equal(got, tt.order) {
				t.Errorf("order = %v, want %v", got, tt.order)
			}
			if len(b.Certs) != len(tt.order) {
				t.Errorf("%d certificates, want %d", len(b.Certs), len(tt.order))
			}
			if !b.Status.Complete {
				t.Error("not complete")
			}
			want := []Dropped{{"Stray Root", chain.ReasonUnrelated}, {"Test Inter 2", chain.ReasonDuplicate}}
			if !sameDropped(b.Status.Dropped, want) {
				t.Errorf("dropped = %v, want %v", b.Status.Dropped, want)
			}
			if !slices.Contains(b.Status.Warnings, tt.warning) {
				t.Errorf("warnings = %q, want %q among them", b.Status.Warnings, tt.warning)
			}
		})
	}
}

func sameDropped(got, want []Dropped) bool {
	cmp := func(a, b Dropped) int { return strings.Compare(a.SubjectCN+a.Reason, b.SubjectCN+b.Reason) }
	got, want = slices.Clone(got), slices.Clone(want)
	slices.SortFunc(got, cmp)
	slices.SortFunc(want, cmp)
	return slices.Equal(got, want)
}

// TestBuildTrustRoles: the trust layout keeps every distinct input in input
// order and reads each one's role from the certificate itself.
func TestBuildTrustRoles(t *testing.T) {
	p := newPKI(t)
	b, err := buildBoth(t, Request{Layout: chain.LayoutTrust, Pile: certs(p.leaf, p.inter1, p.root, p.leaf)})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"leaf:leaf.example.com", "intermediate:Test Inter 1", "root:Test Root"}
	if got := order(b.Status); !slices.Equal(got, want) {
		t.Errorf("order = %v, want %v", got, want)
	}
	if !b.Status.Complete || len(b.Status.Dropped) != 1 {
		t.Errorf("status = %+v, want complete with one duplicate dropped", b.Status)
	}
}

// TestBuildKey: the key picks the leaf among candidates, comes first in the
// order, and a key of another certificate is refused.
func TestBuildKey(t *testing.T) {
	p := newPKI(t)
	other := testpki.Issue(t, testpki.LeafTemplate("other.example.com"), p.inter2)
	pile := certs(p.leaf, other, p.inter2, p.inter1, p.root)
	if _, err := buildBoth(t, Request{Layout: chain.LayoutFullchain, Pile: pile}); !errors.As(err, new(*chain.AmbiguousLeafError)) {
		t.Fatalf("two leaves without a key: err = %v, want *chain.AmbiguousLeafError", err)
	}
	b, err := buildBoth(t, Request{Layout: chain.LayoutFullchain, Pile: pile, Key: other.Key})
	if err != nil {
		t.Fatal(err)
	}
	if got := order(b.Status); len(got) != 5 || got[0] != "key:other.example.com" || got[1] != "leaf:other.example.com" {
		t.Errorf("order = %v, want the key and leaf of other.example.com first", got)
	}
	_, err = buildBoth(t, Request{Layout: chain.LayoutFullchain, Pile: pile, Leaf: p.leaf.Cert, Key: other.Key})
	var mismatch *KeyMismatchError
	if !errors.As(err, &mismatch) || !errors.Is(err, ErrKeyMismatch) || !mismatch.Leaf.Equal(p.leaf.Cert) {
		t.Errorf("key of another leaf: err = %v, want *KeyMismatchError for leaf.example.com", err)
	}
}

// TestBuildIncomplete: a missing issuer is refused with its name, unless
// AllowIncomplete, which warns instead.
func TestBuildIncomplete(t *testing.T) {
	p := newPKI(t)
	pile := certs(p.leaf, p.inter2)
	_, err := buildBoth(t, Request{Layout: chain.LayoutCMS, Pile: pile})
	var inc *IncompleteError
	if !errors.As(err, &inc) || !strings.Contains(err.Error(), `the issuer of "Test Inter 2" is missing: CN = Test Inter 1`) {
		t.Fatalf("err = %v, want an IncompleteError naming Test Inter 2 and its issuer", err)
	}
	b, err := buildBoth(t, Request{Layout: chain.LayoutCMS, Pile: pile, AllowIncomplete: true})
	if err != nil {
		t.Fatal(err)
	}
	if b.Status.Complete || !hasWarning(b.Status, "(written anyway: --allow-incomplete)") {
		t.Errorf("status = %+v, want incomplete with a warning", b.Status)
	}
}

func hasWarning(s Status, part string) bool {
	return slices.ContainsFunc(s.Warnings, func(w string) bool { return strings.Contains(w, part) })
}

// fakeFetcher serves issuers by the subject they are asked for, counting
// the requests.
type fakeFetcher struct {
	by    map[string][]*x509.Certificate // issuer CN of the certificate asked about -> answer
	asked []string
}

func (f *fakeFetcher) Issuers(_ context.Context, c *x509.Certificate) ([]aia.Fetched, error) {
	f.asked = append(f.asked, c.Subject.CommonName)
	got, ok := f.by[c.Issuer.CommonName]
	if !ok {
		return nil, fmt.Errorf("fetching http://aia.test/%s: server answered 404 Not Found", c.Issuer.CommonName)
	}
	return []aia.Fetched{{URL: "http://aia.test/" + c.Issuer.CommonName, Certificates: got}}, nil
}

// TestBuildFetchRounds: one level is fetched per round until the chain is
// complete; a failed round leaves a note and the chain incomplete.
func TestBuildFetchRounds(t *testing.T) {
	p := newPKI(t)
	all := &fakeFetcher{by: map[string][]*x509.Certificate{
		"Test Inter 2": certs(p.inter2), "Test Inter 1": certs(p.inter1), "Test Root": certs(p.root)}}
	b, err := buildBoth(t, Request{Layout: chain.LayoutCMS, Pile: certs(p.leaf), Fetch: all})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"leaf.example.com", "Test Inter 2", "Test Inter 1"}; !slices.Equal(all.asked, want) {
		t.Errorf("asked about %v, want %v", all.asked, want)
	}
	if len(b.Certs) != 3 || !hasWarning(b.Status, "fetched 1 certificate(s) from http://aia.test/Test Root") {
		t.Errorf("status = %+v, want three certificates and the fetch noted", b.Status)
	}

	partial := &fakeFetcher{by: map[string][]*x509.Certificate{"Test Inter 2": certs(p.inter2)}}
	_, err = buildBoth(t, Request{Layout: chain.LayoutCMS, Pile: certs(p.leaf), Fetch: partial})
	if !errors.As(err, new(*IncompleteError)) {
		t.Fatalf("err = %v, want *IncompleteError", err)
	}
	b, err = buildBoth(t, Request{Layout: chain.LayoutCMS, Pile: certs(p.leaf), Fetch: partial, AllowIncomplete: true})
	if err != nil {
		t.Fatal(err)
	}
	if !hasWarning(b.Status, `could not fetch the issuer of "Test Inter 2": fetching http://aia.test/Test Inter 1: server answered 404`) {
		t.Errorf("warnings = %q, want the failed fetch", b.Status.Warnings)
	}
}

// TestBuildFetchUselessAnswer: a URL that serves something other than the
// issuer ends the rounds instead of asking again.
func TestBuildFetchUselessAnswer(t *testing.T) {
	p := newPKI(t)
	f := &fakeFetcher{by: map[string][]*x509.Certificate{"Test Inter 2": certs(p.stray)}}
	_, err := Build(context.Background(), Request{Layout: chain.LayoutCMS, Pile: certs(p.leaf), Fetch: f})
	if !errors.As(err, new(*IncompleteError)) || len(f.asked) != 1 {
		t.Errorf("err = %v after %d requests, want *IncompleteError after 1", err, len(f.asked))
	}
}

// cancelFetcher cancels the context on the first request, as Ctrl-C would
// in the middle of a download.
type cancelFetcher struct{ cancel context.CancelFunc }

func (f cancelFetcher) Issuers(ctx context.Context, _ *x509.Certificate) ([]aia.Fetched, error) {
	f.cancel()
	return nil, ctx.Err()
}

// TestBuildFetchCancelled: a cancelled fetch is an error that says so, not
// a note and an incomplete chain.
func TestBuildFetchCancelled(t *testing.T) {
	p := newPKI(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := Build(ctx, Request{Layout: chain.LayoutCMS, Pile: certs(p.leaf), Fetch: cancelFetcher{cancel}, AllowIncomplete: true})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// TestStatusCertWarnings: expired, expiring within ExpiringDays and SHA-1
// signed elements are warned about; one valid longer is not.
func TestStatusCertWarnings(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	cert := func(cn string, notAfter time.Time, alg x509.SignatureAlgorithm) *x509.Certificate {
		return &x509.Certificate{Subject: pkix.Name{CommonName: cn}, NotAfter: notAfter, SignatureAlgorithm: alg}
	}
	tests := []struct {
		name string
		c    *x509.Certificate
		want []string
	}{
		{"valid", cert("valid", now.AddDate(0, 0, ExpiringDays+1), x509.SHA256WithRSA), nil},
		{"expiring", cert("expiring", now.AddDate(0, 0, ExpiringDays-1), x509.SHA256WithRSA), []string{"expires in 29 days (2026-06-30)"}},
		{"expired", cert("expired", now.Add(-time.Hour), x509.ECDSAWithSHA256), []string{"EXPIRED on 2026-06-01"}},
		{"sha1", cert("sha1", now.AddDate(1, 0, 0), x509.SHA1WithRSA), []string{"is signed with SHA1-RSA (SHA-1)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := certWarnings([]*x509.Certificate{tt.c}, now)
			if len(got) != len(tt.want) {
				t.Fatalf("warnings = %q, want %d", got, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(got[i], fmt.Sprintf("%q ", tt.name)) || !strings.Contains(got[i], w) {
					t.Errorf("warning %q, want %q about %q", got[i], w, tt.name)
				}
			}
		})
	}
}

// buildBoth is Build of r, checked against Build of the same pile given as
// a chain.Pile (Request.Indexed, indexed in batches of 2, each certificate
// read again from the pile): the same certificates, status and error.
func buildBoth(t *testing.T, r Request) (*Bundle, error) {
	t.Helper()
	indexed := r
	indexed.Pile = nil
	indexed.Indexed = chain.NewPile(func(ref chain.Ref) (*x509.Certificate, error) {
		return x509.ParseCertificate(r.Pile[ref.Input].Raw)
	})
	for i := 0; i < len(r.Pile); i += 2 {
		var ders [][]byte
		var refs []chain.Ref
		for j := i; j < min(i+2, len(r.Pile)); j++ {
			ders = append(ders, r.Pile[j].Raw)
			refs = append(refs, chain.Ref{Input: j})
		}
		if err := indexed.Indexed.AddDER(ders, refs); err != nil {
			t.Fatal(err)
		}
	}
	got, gerr := Build(context.Background(), indexed)
	if f, ok := r.Fetch.(*fakeFetcher); ok {
		f.asked = nil
	}
	want, werr := Build(context.Background(), r)
	switch {
	case (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error():
		t.Fatalf("indexed pile: error %v, held pile: %v", gerr, werr)
	case werr != nil:
		return want, werr
	case !reflect.DeepEqual(want.Status, got.Status):
		t.Fatalf("indexed pile: status %+v, held pile: %+v", got.Status, want.Status)
	case len(want.Certs) != len(got.Certs):
		t.Fatalf("indexed pile: %d certificates, held pile: %d", len(got.Certs), len(want.Certs))
	}
	for i := range want.Certs {
		if !want.Certs[i].Equal(got.Certs[i]) {
			t.Fatalf("certificate %d differs", i)
		}
	}
	return want, werr
}
