// Package cawire is the JSON of the CA service's API (spec serve.md) that
// both sides use: the server (package caapi) writes it and the client
// (package caclient) reads it, so the two cannot drift apart.
package cawire

import "github.com/confcert/confcert/internal/rolecheck"

// Finding is one rule outcome, in the words and JSON of `confcert check
// --json`: the service's findings are the role engine's results.
type Finding = rolecheck.Result

// Request is a certificate request as the API shows it.
type Request struct {
	ID          string   `json:"id"`
	Status      string   `json:"status"`
	Profile     string   `json:"profile"`
	CA          string   `json:"ca"`
	SubjectCN   string   `json:"subject_cn"`
	SANs        []string `json:"sans"`
	Days        int      `json:"days"`
	Comment     string   `json:"comment,omitempty"`
	RequestedBy string   `json:"requested_by"`
	RequestedAt string   `json:"requested_at"` // RFC 3339 UTC
	DecidedBy   string   `json:"decided_by,omitempty"`
	DecidedAt   string   `json:"decided_at,omitempty"`
	Reason      string   `json:"reason,omitempty"`
	// Serial is null until the request is issued (spec serve.md: the 201
	// answer holds "serial").
	Serial   *string   `json:"serial"`
	Findings []Finding `json:"findings"`
}

// IssuedSerial is the serial of the certificate issued for the request
// (hex), or "" while there is none.
func (r Request) IssuedSerial() string {
	if r.Serial == nil {
		return ""
	}
	return *r.Serial
}
