package caservice

import (
	"errors"
	"fmt"
	"slices"
)

// Role is what a token may do (spec serve.md, "Roles and authentication").
type Role string

// The four roles.
const (
	RoleRequester Role = "requester"
	RoleApprover  Role = "approver"
	RoleAdmin     Role = "admin"
	RoleAuditor   Role = "auditor"
)

// Roles lists every role, for flags and errors.
func Roles() []Role { return []Role{RoleRequester, RoleApprover, RoleAdmin, RoleAuditor} }

// ParseRole reads a role name.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if slices.Contains(Roles(), r) {
		return r, nil
	}
	return "", fmt.Errorf("unknown role %q (want requester, approver, admin or auditor)", s)
}

// Permission is one thing a caller may be allowed to do.
type Permission string

// The permissions the service checks.
const (
	PermSubmit      Permission = "submit certificate requests"
	PermReadOwn     Permission = "read their own requests and certificates"
	PermReadAll     Permission = "read every request and certificate"
	PermDecide      Permission = "approve or reject requests"
	PermRevoke      Permission = "revoke certificates"
	PermManage      Permission = "manage profiles and CAs"
	PermReadAudit   Permission = "read the audit log"
	PermAnyoneCanDo Permission = "use the public endpoints"
)

// grants is the table of spec serve.md: roles add up, so an approver and an
// admin may also do what a requester may; the auditor reads everything and
// changes nothing.
func grants(r Role) []Permission {
	requester := []Permission{PermSubmit, PermReadOwn}
	switch r {
	case RoleRequester:
		return requester
	case RoleApprover:
		return append(requester, PermReadAll, PermDecide, PermRevoke)
	case RoleAdmin:
		return append(requester, PermManage, PermReadAudit)
	case RoleAuditor:
		return []Permission{PermReadOwn, PermReadAll, PermReadAudit}
	}
	return nil
}

// May reports whether the role grants p.
func (r Role) May(p Permission) bool { return slices.Contains(grants(r), p) }

// Principal is an authenticated caller: a token's name and role, and the
// address the call came from (for the audit log).
type Principal struct {
	Name   string
	Role   Role
	Remote string
}

// require returns a *ForbiddenError unless p's role grants perm.
func (p Principal) require(perm Permission) error {
	if p.Role.May(perm) {
		return nil
	}
	return &ForbiddenError{Reason: fmt.Sprintf("role %s may not %s", p.Role, perm)}
}

// Errors the service returns; the HTTP layer maps each to its status code.
var (
	// ErrUnauthenticated: no token, or an unknown or revoked one (401).
	ErrUnauthenticated = errors.New("unknown or revoked token")
	// ErrNotFound: no such request, certificate, CA or profile (404).
	ErrNotFound = errors.New("not found")
	// ErrConflict: the request is no longer in a state that allows this (409).
	ErrConflict = errors.New("conflict")
	// ErrInvalid: the input cannot be used (400).
	ErrInvalid = errors.New("invalid input")
)

// ForbiddenError says the caller is known but may not do this (403).
type ForbiddenError struct{ Reason string }

// Error implements error.
func (e *ForbiddenError) Error() string { return e.Reason }

// RefusedError says a CSR fails its profile's rules (422); Findings are
// the check's results in its own words.
type RefusedError struct {
	Profile  string
	Findings []Finding
}

// Error implements error.
func (e *RefusedError) Error() string {
	return fmt.Sprintf("the CSR fails the rules of profile %s", e.Profile)
}

// invalid wraps ErrInvalid with what is wrong.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}
