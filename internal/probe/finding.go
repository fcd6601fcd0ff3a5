package probe

// Code names a finding; the codes are fixed by spec probe.md.
type Code string

// The finding codes of spec probe.md.
const (
	IncompleteChain  Code = "INCOMPLETE_CHAIN"
	WrongOrder       Code = "WRONG_ORDER"
	ExtraCerts       Code = "EXTRA_CERTS"
	RootSent         Code = "ROOT_SENT"
	HostnameMismatch Code = "HOSTNAME_MISMATCH"
	Expired          Code = "EXPIRED"
	Expiring         Code = "EXPIRING"
	Untrusted        Code = "UNTRUSTED"
	WeakSignature    Code = "WEAK_SIGNATURE"
	WeakKey          Code = "WEAK_KEY"
	Connect          Code = "CONNECT"
)

// Severity says how bad a finding is.
type Severity string

// The severities of spec probe.md.
const (
	Failure Severity = "FAILURE"
	Warning Severity = "WARNING"
	Info    Severity = "INFO"
)

// Finding is one thing wrong (or worth knowing) about a served chain. The
// message says what a client will do and how to fix it.
type Finding struct {
	Code     Code     `json:"code"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
}

// HasFailure reports whether any finding is a FAILURE.
func HasFailure(fs []Finding) bool {
	for _, f := range fs {
		if f.Severity == Failure {
			return true
		}
	}
	return false
}
