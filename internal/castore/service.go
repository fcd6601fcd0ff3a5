package castore

import (
	"context"
	"crypto/x509"
	"errors"
	"math/big"
	"time"
)

// Service is the store as `confcert serve` uses it: the Store of `plan` and
// `ca`, plus tokens, requests, the audit log, applied profiles, revocation
// reasons and CRLs (the tables of schema_service.go). Every method is safe
// for concurrent use by several processes sharing one database.
type Service interface {
	Store
	// Ping says whether the database answers (GET /healthz).
	Ping(ctx context.Context) error
	// ImportKeyFiles seals every CA key still a file into the store and
	// returns the paths imported (needs a KEK).
	ImportKeyFiles(ctx context.Context, at time.Time) ([]string, error)

	// CreateToken records a token by the hash of its secret; a name
	// already used gives ErrExists.
	CreateToken(ctx context.Context, t Token) error
	// TokenByHash returns the token with that hash, revoked or not.
	TokenByHash(ctx context.Context, hash string) (Token, error)
	// Tokens lists every token by name.
	Tokens(ctx context.Context) ([]Token, error)
	// RevokeToken marks the named token revoked.
	RevokeToken(ctx context.Context, name string, at time.Time) error

	// CreateRequest records a new certificate request with audit entries,
	// in one transaction.
	CreateRequest(ctx context.Context, r Request, audit ...AuditEntry) error
	// Request returns one request by ID.
	Request(ctx context.Context, id string) (Request, error)
	// Requests lists requests, oldest first.
	Requests(ctx context.Context, f RequestFilter) ([]Request, error)
	// DecideRequest moves a request from status from to d.Status, recording
	// who and why and the audit entries, in one transaction; ErrConflict
	// when it is no longer in status from.
	DecideRequest(ctx context.Context, id, from string, d Decision, audit ...AuditEntry) error
	// RecordIssuance records a certificate signed with a reserved serial,
	// its request and audit entries, in one transaction.
	RecordIssuance(ctx context.Context, is Issuance) error
	// CommitBatch makes a whole batch of reservations and records durable
	// in one transaction (one commit), or stores none of it (batch.go).
	CommitBatch(ctx context.Context, b Batch) error

	// Certificate returns one recorded certificate.
	Certificate(ctx context.Context, ca string, serial *big.Int) (Record, error)
	// Certificates lists recorded certificates with their requests.
	Certificates(ctx context.Context, f CertFilter) ([]Record, error)
	// RevokeReason marks a certificate revoked with an RFC 5280 reason code.
	RevokeReason(ctx context.Context, ca string, serial *big.Int, at time.Time, reason int) error
	// Revoked lists the revoked certificates of a CA (for its CRL and OCSP).
	Revoked(ctx context.Context, ca string) ([]Record, error)
	// SaveCRL stores a CRL if its number is above the stored one.
	SaveCRL(ctx context.Context, c CRL) error
	// LatestCRL returns the newest stored CRL of a CA.
	LatestCRL(ctx context.Context, ca string) (CRL, error)

	// AppendAudit adds an entry to the audit log. There is no method that
	// changes or removes one.
	AppendAudit(ctx context.Context, e AuditEntry) error
	// Audit lists entries oldest first; limit 0 means all.
	Audit(ctx context.Context, limit int) ([]AuditEntry, error)

	// PutProfile stores (or replaces) an applied profile's YAML.
	PutProfile(ctx context.Context, p StoredProfile) error
	// Profiles lists applied profiles by name.
	Profiles(ctx context.Context) ([]StoredProfile, error)
}

// Token is an API token: its secret is never stored, only its hash.
type Token struct {
	Name      string
	Hash      string // hex SHA-256 of the secret
	Role      string
	CreatedAt time.Time
	RevokedAt time.Time // zero unless revoked
}

// Request is a certificate request and what became of it.
type Request struct {
	ID          string
	Profile     string
	CA          string
	Status      string // pending, approved, issued, rejected
	CSRPEM      string
	SubjectCN   string
	SANs        []string
	Days        int
	Comment     string
	Findings    string // JSON array of the check's findings
	RequestedBy string
	RequestedAt time.Time
	DecidedBy   string
	DecidedAt   time.Time
	Reason      string
	Serial      string // set when issued
}

// RequestFilter selects requests; the zero filter selects all.
type RequestFilter struct {
	Status      string
	RequestedBy string
}

// Decision is an approval or rejection.
type Decision struct {
	Status string
	By     string
	At     time.Time
	Reason string
}

// Issuance is what RecordIssuance writes at once.
type Issuance struct {
	CA   string
	Cert *x509.Certificate
	At   time.Time
	// NewRequest, when set, is inserted (already issued): automatic approval.
	NewRequest *Request
	// RequestID, when set, names an existing request to mark issued.
	RequestID string
	Audit     []AuditEntry
}

// Record is an issued certificate with its revocation reason and request.
type Record struct {
	Issued
	Reason      int    // RFC 5280 CRLReason when revoked
	RequestID   string // "" when signed outside the service (plan, ca sign)
	RequestedBy string // the token name of the request, when there is one
}

// CertFilter selects certificates for the service; RequestedBy keeps only
// those requested by that token name.
type CertFilter struct {
	Filter
	RequestedBy string
}

// ErrExists says a token or profile of that name is already recorded.
var ErrExists = errors.New("already exists")

// ErrConflict says a request is no longer in the state a change expected
// (another approver or instance got there first).
var ErrConflict = errors.New("changed meanwhile")

// CRL is a signed certificate revocation list of one CA.
type CRL struct {
	CA         string
	Number     *big.Int
	ThisUpdate time.Time
	DER        []byte
}

// AuditEntry is one line of the audit log: who did what, when, from where.
type AuditEntry struct {
	ID     string
	At     time.Time
	Actor  string
	Action string
	Object string
	Detail string
	Remote string
}

// StoredProfile is a profile an admin applied, as the YAML they gave.
type StoredProfile struct {
	Name      string
	Body      string
	UpdatedBy string
	UpdatedAt time.Time
}
