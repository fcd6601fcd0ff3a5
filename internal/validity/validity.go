// Package validity is confcert's one source for the lifetime policy of
// certificates: when a certificate counts as expired, the warning window, the
// default validity, and the caps on validity. Every verb (plan, check, sign,
// list, inspect, expiry, probe, bundle) and the CA store read it from here.
package validity

import (
	"math"
	"time"
)

// WarnDays is the warning window: a certificate with fewer days left is
// "expiring" (spec cli.md bundle and expiry, roles.md VALIDITY, plan.md
// --check; seed 002 §5.4). Every --within flag defaults to it, and `plan`
// re-issues an internally signed certificate that enters it.
const WarnDays = 30

// DefaultDays is the validity of a certificate confcert signs when none is
// given: `sign`, `ca sign` and the plan's internally signed certificates
// (spec cli.md sign; spec plan.md example `days: 730`).
const DefaultDays = 730

// LocalCAYears is the validity of a local CA created on first use (spec
// plan.md, "The local CA").
const LocalCAYears = 10

// MaxPlannedDays caps the `days:` of a deployment file: an internally signed
// certificate never outlives its 10-year local CA (spec plan.md "The local CA").
const MaxPlannedDays = 3650

// MaxDays caps any --days: 100 years, well inside what an X.509 validity
// date can hold.
const MaxDays = 36500

// Window is the duration of days whole days.
func Window(days int) time.Duration { return time.Duration(days) * 24 * time.Hour }

// Expired reports whether a certificate with this notAfter has expired at
// now. RFC 5280 §4.1.2.5: the validity period runs through notAfter
// inclusive, so at notAfter itself the certificate is still valid and it has
// expired from the next instant on.
func Expired(notAfter, now time.Time) bool { return now.After(notAfter) }

// NotYetValid reports whether now is before notBefore (RFC 5280 §4.1.2.5:
// valid from notBefore inclusive).
func NotYetValid(notBefore, now time.Time) bool { return now.Before(notBefore) }

// ExpiresWithin reports whether a certificate still valid at now expires
// within window: less than window is left before notAfter.
func ExpiresWithin(notAfter, now time.Time, window time.Duration) bool {
	return notAfter.Sub(now) < window
}

// DaysLeft returns the whole days from now until notAfter, negative once it
// has passed.
func DaysLeft(notAfter, now time.Time) int {
	return int(math.Floor(notAfter.Sub(now).Hours() / 24))
}
