// Package publicca is the public-CA calendar: the CA/Browser Forum's maximum
// validity of a public TLS certificate by its issue date, and the dates
// public CAs stop putting clientAuth into server certificates. The dates live
// in one table each (Limits, ClientAuthEnds), with their sources; `plan`,
// `check` and `expiry` read them through the functions below, at the day
// they are given (`--at`).
package publicca

import (
	"fmt"
	"time"
)

// Limit is a maximum validity in force for certificates issued from a date.
type Limit struct {
	// From is the first issue date (UTC midnight) the limit applies to.
	From time.Time
	// MaxDays is the longest validity allowed ("MUST NOT exceed").
	MaxDays int
	// Source is the document that sets it.
	Source string
}

// ClientAuthEnd is a date from which a public CA, or every public CA, no
// longer issues server certificates with the clientAuth extended key usage.
type ClientAuthEnd struct {
	From time.Time
	// Who stops: a CA's name, or "every public CA" for a root-program rule.
	Who    string
	Source string
	// Every says the date binds every public CA, not one.
	Every bool
}

// Source names, as users read them.
const (
	srcBR     = "CA/Browser Forum TLS Baseline Requirements §6.3.2 (ballot SC-081v3)"
	srcChrome = "Chrome Root Program Policy 1.8 §1.3.2"
	srcLE     = "Let's Encrypt, \"Ending TLS Client Authentication Certificate Support in 2026\""
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// Limits is the maximum-validity calendar, oldest first: 398 days, then 200
// from 2026-03-15, 100 from 2027-03-15, 47 from 2029-03-15 (CA/B Forum TLS
// Baseline Requirements §6.3.2, ballot SC-081v3 adopted 2025-04-11).
func Limits() []Limit {
	return []Limit{
		{From: time.Time{}, MaxDays: 398, Source: srcBR},
		{From: day(2026, time.March, 15), MaxDays: 200, Source: srcBR},
		{From: day(2027, time.March, 15), MaxDays: 100, Source: srcBR},
		{From: day(2029, time.March, 15), MaxDays: 47, Source: srcBR},
	}
}

// ClientAuthEnds is the clientAuth calendar, earliest first: Let's Encrypt's
// default (classic) profile drops clientAuth on 2026-02-11; Chrome's root
// program requires every public subscriber certificate issued from
// 2027-03-15 to assert serverAuth only (policy 1.8, which moved the date from
// 2026-06-15 in 1.6 and 1.7). Dates of other CAs that are not confirmed from
// their own pages are left out (research notes, §3.2).
func ClientAuthEnds() []ClientAuthEnd {
	return []ClientAuthEnd{
		{From: day(2026, time.February, 11), Who: "Let's Encrypt", Source: srcLE},
		{From: day(2027, time.March, 15), Who: "every public CA", Source: srcChrome, Every: true},
	}
}

// MaxDays returns the limit in force for a certificate issued at t.
func MaxDays(t time.Time) Limit {
	ls := Limits()
	cur := ls[0]
	for _, l := range ls[1:] {
		if !t.Before(l.From) {
			cur = l
		}
	}
	return cur
}

// NextLimit returns the next change of the maximum validity after t, and
// false when none is scheduled.
func NextLimit(t time.Time) (Limit, bool) {
	for _, l := range Limits() {
		if l.From.After(t) {
			return l, true
		}
	}
	return Limit{}, false
}

// ClientAuthStatus says, at t, which ends of clientAuth are in force: the
// last one passed (ok false when none has passed yet) and the next one.
func ClientAuthStatus(t time.Time) (passed ClientAuthEnd, ok bool, next ClientAuthEnd, hasNext bool) {
	for _, e := range ClientAuthEnds() {
		if !t.Before(e.From) {
			passed, ok = e, true
			continue
		}
		if !hasNext {
			next, hasNext = e, true
		}
	}
	return passed, ok, next, hasNext
}

// Date formats a calendar date as the messages print it.
func Date(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// ValidityWarning says, for a certificate name planned or issued at t with a
// validity of days from a public CA, that the CA may not issue it that long;
// "" when days is within the limit.
func ValidityWarning(name string, days int, t time.Time) string {
	l := MaxDays(t)
	if days <= l.MaxDays {
		return ""
	}
	since := ""
	if !l.From.IsZero() {
		since = " since " + Date(l.From)
	}
	return fmt.Sprintf("%s is planned for %d days, but a public CA issues at most %d days%s (%s): plan days: %d or less, or have the internal CA sign it",
		name, days, l.MaxDays, since, l.Source, l.MaxDays)
}

// ClientAuthWarning says, at t, that a public certificate name that needs
// clientAuth will not get it, naming the date and wayOut (the private CA, or
// the product version that removes the need); "" before the first date.
func ClientAuthWarning(name string, t time.Time, wayOut string) string {
	passed, ok, next, hasNext := ClientAuthStatus(t)
	if !ok {
		return ""
	}
	msg := fmt.Sprintf("%s needs clientAuth from a public CA, but %s stopped issuing clientAuth on %s (%s)",
		name, passed.Who, Date(passed.From), passed.Source)
	if hasNext && next.Every {
		msg += fmt.Sprintf(", and %s must stop by %s (%s)", next.Who, Date(next.From), next.Source)
	}
	return msg + ": " + wayOut
}

// NextRenewalDue is the date the renewal after the current one will be due
// for a certificate valid until notAfter, renewed window before it expires:
// the renewed certificate is issued on notAfter-window and, from a public
// CA, lasts at most the limit in force that day (else as long as lifetime).
func NextRenewalDue(notAfter time.Time, lifetime, window time.Duration, public bool) time.Time {
	renewAt := notAfter.Add(-window)
	next := lifetime
	if max := time.Duration(MaxDays(renewAt).MaxDays) * 24 * time.Hour; public && max < next {
		next = max
	}
	return renewAt.Add(next - window)
}
