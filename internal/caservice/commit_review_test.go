package caservice

import (
	"context"
	"errors"
	"testing"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/pgtest"
)

// newStoreService opens a store at url ("" for a fresh SQLite home) with
// an auto and a manual profile, and a service on it.
func newStoreService(t *testing.T, url string) (*Service, castore.Service) {
	t.Helper()
	ctx := context.Background()
	o, err := castore.OpenConfig(ctx, castore.Config{URL: url, Home: t.TempDir(), Seal: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Store.Close() })
	s := New(Config{Store: o.Store, BaseURL: "https://ca.test:8443", DefaultCA: "testca", CAKeyType: keys.ECDSAP256})
	if _, err := s.EnsureCA(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplyProfiles(ctx, admin, []byte("profiles:\n- {name: auto, role: cms-callbridge, approval: auto}\n- {name: manual, role: cms-callbridge}\n")); err != nil {
		t.Fatal(err)
	}
	return s, o.Store
}

// TestNULInTextIsBadInputOnEveryStore: a comment or a subject common name
// with a NUL character is refused as bad input (ErrInvalid, 400) before it
// reaches the store. PostgreSQL refuses NUL in text, so it used to fail the
// pending request with a 500 and, on an auto profile, the whole batch of
// the group commit it was in.
func TestNULInTextIsBadInputOnEveryStore(t *testing.T) {
	stores := map[string]func(t *testing.T) string{
		"sqlite":     func(*testing.T) string { return "" },
		"postgresql": func(t *testing.T) string { return pgtest.URL(t) },
	}
	for name, url := range stores {
		t.Run(name, func(t *testing.T) {
			s, _ := newStoreService(t, url(t))
			ctx := context.Background()
			tests := []struct {
				name, profile, cn, comment string
			}{
				{"comment, manual", "manual", "cb1.example.com", "a\x00b"},
				{"comment, auto", "auto", "cb1.example.com", "a\x00b"},
				{"common name, auto", "auto", "cb1.example.com\x00.evil.example", ""},
			}
			for _, tt := range tests {
				csr := makeCSR(t, csrSpec{cn: tt.cn, sans: []string{"cb1.example.com"}})
				r, err := s.Submit(ctx, alice, SubmitInput{CSRPEM: csr, Profile: tt.profile, Comment: tt.comment})
				if !errors.Is(err, ErrInvalid) {
					t.Errorf("%s: Submit = %+v, %v; want ErrInvalid", tt.name, r, err)
				}
			}
			pending, err := s.Submit(ctx, alice, SubmitInput{CSRPEM: makeCSR(t, csrSpec{cn: "cb3.example.com", sans: []string{"cb3.example.com"}}), Profile: "manual"})
			if err != nil {
				t.Fatal(err)
			}
			for _, reason := range []string{"a\x00b", "bad \xff utf-8"} {
				if r, err := s.Reject(ctx, boss, pending.ID, reason); !errors.Is(err, ErrInvalid) {
					t.Errorf("Reject with reason %q = %+v, %v; want ErrInvalid", reason, r, err)
				}
			}
			if _, err := s.Submit(ctx, alice, SubmitInput{CSRPEM: makeCSR(t, csrSpec{cn: "cb4.example.com", sans: []string{"cb4.example.com"}}), Profile: "manual", Comment: "\xff"}); !errors.Is(err, ErrInvalid) {
				t.Errorf("a comment of invalid UTF-8: %v, want ErrInvalid", err)
			}
			// The store still takes a clean request afterwards.
			csr := makeCSR(t, csrSpec{cn: "cb2.example.com", sans: []string{"cb2.example.com"}})
			if r, err := s.Submit(ctx, alice, SubmitInput{CSRPEM: csr, Profile: "auto", Comment: "fine"}); err != nil || r.Status != StatusIssued {
				t.Errorf("a clean request after: %+v, %v", r, err)
			}
		})
	}
}
