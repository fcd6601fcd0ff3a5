// Package caservice is the domain of `confcert serve` (spec serve.md),
// independent of HTTP and JSON: who may do what, certificate requests and
// their approval, issuance in Boulder's order, revocation, CRLs and
// pre-signed OCSP answers, tokens, profiles and the audit log. The JSON API
// (package caapi) and the web pages (issue 13) both call it, so a rule
// holds whichever door a request comes through.
package caservice

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/localca"
)

// Request statuses.
const (
	StatusPending  = "pending"
	StatusApproved = "approved"
	StatusIssued   = "issued"
	StatusRejected = "rejected"
	StatusFailed   = "failed"
)

// Config is what a Service needs.
type Config struct {
	Store castore.Service
	// BaseURL is the address clients reach the service at (no trailing
	// slash), written into every certificate's CRL and OCSP URLs.
	BaseURL string
	// RevocationURL, when set, is where the CRL and OCSP answers are
	// published instead (a plain-HTTP listener: RFC 5280 §4.2.1.13 and
	// zlint want CRL distribution points over http, not https).
	RevocationURL string
	// DefaultCA signs for profiles that name none; created on first use.
	DefaultCA string
	// CAKeyType is the key type of a CA created on first use.
	CAKeyType keys.Type
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Observer, when set, hears of issuance and decisions (metrics).
	Observer Observer
	// MaxIssuing bounds the submissions and approvals being issued at
	// once (signing and the durable writes), and the committer's queue
	// with them (busy.go); beyond it they are refused with ErrBusy. 0:
	// DefaultMaxIssuing.
	MaxIssuing int
}

// Observer hears what the service did, for metrics.
type Observer interface {
	// Issued reports one certificate issued by ca and how long it took.
	Issued(ca string, took time.Duration)
	// RequestStatus reports a request reaching status.
	RequestStatus(status string)
	// Issuing reports a submission or an approval let in (+1) or
	// answered (-1).
	Issuing(delta int)
	// Refused reports a request refused with ErrBusy by a bound
	// (BoundIssuing, BoundCommitQueue).
	Refused(bound string)
}

// Service is the CA service. Its methods are safe for concurrent use, and
// several Services in several processes may share one store.
type Service struct {
	cfg Config

	commits  *committer
	profiles profileCache
	// slots holds a token per submission or approval in flight (busy.go).
	slots chan struct{}

	mu      sync.Mutex
	issuers map[string]*issuer
	answers map[string]*answers
}

// New returns a service over cfg.Store. It loads no CA yet: EnsureCA
// does, and the verbs that only manage tokens or profiles never need one.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxIssuing <= 0 {
		cfg.MaxIssuing = DefaultMaxIssuing
	}
	s := &Service{cfg: cfg, issuers: map[string]*issuer{}, answers: map[string]*answers{}, slots: make(chan struct{}, cfg.MaxIssuing)}
	s.commits = &committer{max: cfg.MaxIssuing, commit: func(ctx context.Context, b castore.Batch) error { return s.cfg.Store.CommitBatch(ctx, b) }}
	return s
}

// EnsureCA loads the default CA, creating it (as `ca create` would) when the
// store has none of that name; created says whether it was made now.
func (s *Service) EnsureCA(ctx context.Context) (created bool, err error) {
	ca, created, err := localca.EnsureCA(ctx, s.cfg.Store, s.cfg.DefaultCA, s.cfg.CAKeyType, s.now())
	if err != nil {
		return false, err
	}
	return created, s.addIssuer(ca)
}

// Store returns the store the service works on.
func (s *Service) Store() castore.Service { return s.cfg.Store }

// DefaultCA returns the name of the service's CA.
func (s *Service) DefaultCA() string { return s.cfg.DefaultCA }

func (s *Service) now() time.Time { return s.cfg.Now() }

func (s *Service) addIssuer(ca *localca.CA) error {
	base := s.cfg.BaseURL
	if s.cfg.RevocationURL != "" {
		base = s.cfg.RevocationURL
	}
	iss, err := newIssuer(ca, base)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.issuers[ca.Name]; !ok {
		s.issuers[ca.Name] = iss
		s.answers[ca.Name] = newAnswers()
	}
	return nil
}

// issuer returns the signer of a CA recorded in the store, loading it (and
// its sealed key) on first use.
func (s *Service) issuer(ctx context.Context, name string) (*issuer, *answers, error) {
	if name == "" {
		name = s.cfg.DefaultCA
	}
	s.mu.Lock()
	iss, ok := s.issuers[name]
	ans := s.answers[name]
	s.mu.Unlock()
	if ok {
		return iss, ans, nil
	}
	if err := castore.CheckName(name); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	ca, err := localca.Load(ctx, s.cfg.Store, name)
	if errors.Is(err, castore.ErrNotFound) {
		return nil, nil, fmt.Errorf("CA %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, nil, err
	}
	if err := s.addIssuer(ca); err != nil {
		return nil, nil, err
	}
	return s.issuer(ctx, name)
}

// auditEntry is an entry of the audit log, written with the change.
func (s *Service) auditEntry(p Principal, action, object, detail string) castore.AuditEntry {
	return castore.AuditEntry{ID: newID(), At: s.now(), Actor: p.Name, Action: action, Object: object, Detail: detail, Remote: p.Remote}
}

// audit appends to the audit log; a failure to log fails the change's
// answer (the change itself is already durable, and says so in the error).
func (s *Service) audit(ctx context.Context, p Principal, action, object, detail string) error {
	e := castore.AuditEntry{ID: newID(), At: s.now(), Actor: p.Name, Action: action, Object: object, Detail: detail, Remote: p.Remote}
	if err := s.cfg.Store.AppendAudit(ctx, e); err != nil {
		return fmt.Errorf("%s %s done, but not logged: %w", action, object, err)
	}
	return nil
}

// Audit returns the audit log, oldest first (limit 0: all).
func (s *Service) Audit(ctx context.Context, p Principal, limit int) ([]castore.AuditEntry, error) {
	if err := p.require(PermReadAudit); err != nil {
		return nil, err
	}
	return s.cfg.Store.Audit(ctx, limit)
}

// newID is a request or audit ID: 128 random bits in lower-case hex.
func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error (Go 1.24+)
	return hex.EncodeToString(b)
}

// ValidID reports whether s has the shape of a request ID, so nothing else
// (a path, a quote) ever reaches the store.
func ValidID(s string) bool {
	if len(s) != 32 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && s == strings.ToLower(s)
}

func (s *Service) observeIssued(ca string, took time.Duration) {
	if s.cfg.Observer != nil {
		s.cfg.Observer.Issued(ca, took)
	}
}

func (s *Service) observeStatus(status string) {
	if s.cfg.Observer != nil {
		s.cfg.Observer.RequestStatus(status)
	}
}

// Observe sets the observer (metrics) after New.
func (s *Service) Observe(o Observer) { s.cfg.Observer = o }
