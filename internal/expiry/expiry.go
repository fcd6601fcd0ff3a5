// Package expiry finds every certificate in files, directories and live TLS
// services and says how long each has left (spec probe.md, "confcert
// expiry"). A file that cannot be read while walking a directory is listed
// as skipped with the reason and never stops the walk. It also renders the
// result in the Prometheus node_exporter textfile format.
package expiry

import (
	"github.com/confcert/confcert/internal/serial"
	"github.com/confcert/confcert/internal/validity"

	"cmp"
	"context"
	"crypto/x509"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/probe"
	"github.com/confcert/confcert/internal/publicca"
)

// Status says whether a certificate has run out.
type Status string

// The statuses of spec probe.md.
const (
	StatusExpired  Status = "expired"
	StatusExpiring Status = "expiring"
	StatusOK       Status = "ok"
)

// Item is one certificate found.
type Item struct {
	// Source is the file path or the probed host:port.
	Source string
	// Index is the certificate's position among the certificates of the
	// file, or in the chain the service served, from 0.
	Index     int
	SubjectCN string
	// Serial is the serial number in upper-case hex, as openssl prints it
	// and `ca issued` lists it.
	Serial   string
	NotAfter time.Time
	DaysLeft int
	Status   Status
	// Public says the certificate chains, with the certificates beside it,
	// to a public root: the public-CA calendar binds its renewals.
	Public bool
	// NextRenewalDue is the day the renewal after the coming one will be
	// due (package publicca): the coming renewal, --within days before
	// NotAfter, lasts at most the public limit of that day when Public, else
	// as long as this certificate. Zero for a CA that issued another
	// certificate of the same source.
	NextRenewalDue time.Time
}

// Skipped is an input that holds no readable certificate, and why.
type Skipped struct {
	Source string
	Reason string
}

// Report is everything found, soonest expiry first.
type Report struct {
	Items   []Item
	Skipped []Skipped
	// Errors are inputs named on the command line that could not be read.
	Errors []error
	// Unreachable counts targets that could not be probed.
	Unreachable int
}

// Options say how to read inputs and judge them.
type Options struct {
	// Password opens PKCS#12 files; nil skips those that need one.
	Password func() ([]byte, error)
	// Now is the time days are counted from.
	Now time.Time
	// WithinDays is the window in which a certificate is "expiring".
	WithinDays int
	// Probe says how to reach host:port targets.
	Probe probe.Options
	// Concurrency bounds parallel probes (and file reads).
	Concurrency int
	// SystemRoots are the public roots that make a certificate Public; nil
	// means the operating system's.
	SystemRoots func() ([]*x509.Certificate, error)

	anchors func() *chain.Anchors // SystemRoots prepared once for every streamed file (Scan sets it)
}

// Attention reports whether anything is expired or expiring.
func (r Report) Attention() bool {
	return slices.ContainsFunc(r.Items, func(it Item) bool { return it.Status != StatusOK })
}

// Scan reads every file under the paths and probes every host:port target
// among args. An argument that exists on disk is a path; one that does not
// but parses as host:port or https://host is a target; anything else is a
// named file that cannot be read. When ctx ends first (Ctrl-C) it stops
// reading and probing and returns ctx's error with an incomplete report.
func Scan(ctx context.Context, args []string, o Options) (Report, error) {
	var r Report
	if o.SystemRoots == nil {
		o.SystemRoots = chain.SystemRoots
	}
	o.SystemRoots = sync.OnceValues(o.SystemRoots)
	o.anchors = sync.OnceValue(func() *chain.Anchors { return publicAnchors(o) })
	var files []input
	var targets []probe.Target
	for _, arg := range args {
		switch kind, t := classify(arg, o.Probe.StartTLS.DefaultPort()); kind {
		case argPath:
			files = append(files, walk(arg, &r)...)
		case argTarget:
			targets = append(targets, t)
		default:
			r.Errors = append(r.Errors, fmt.Errorf("%s: %w", arg, os.ErrNotExist))
		}
	}
	if err := readAll(ctx, files, o, &r); err != nil {
		return r, err
	}
	if err := probeAll(ctx, targets, o, &r); err != nil {
		return r, err
	}
	r.sort()
	return r, nil
}

type argKind int

const (
	argMissing argKind = iota
	argPath
	argTarget
)

// classify tells a path from a host:port target.
func classify(arg string, defaultPort int) (argKind, probe.Target) {
	if _, err := os.Lstat(arg); err == nil {
		return argPath, probe.Target{}
	}
	if !strings.Contains(arg, ":") {
		return argMissing, probe.Target{}
	}
	t, err := probe.ParseTarget(arg, defaultPort)
	if err != nil {
		return argMissing, probe.Target{}
	}
	return argTarget, t
}

// items describes every certificate of source, which came together (a
// file, a served chain): the others are the intermediates of each.
func items(source string, certs []*x509.Certificate, o Options) []Item {
	out := make([]Item, len(certs))
	for i, c := range certs {
		out[i] = item(source, i, c, o)
		if !issuedAnother(c, certs) {
			out[i].Public = isPublic(c, certs, o)
			window := time.Duration(o.WithinDays) * 24 * time.Hour
			out[i].NextRenewalDue = publicca.NextRenewalDue(c.NotAfter, c.NotAfter.Sub(c.NotBefore), window, out[i].Public)
		}
	}
	return out
}

// issuedAnother reports whether c is the issuer of another certificate that
// came with it: a CA of the chain, renewed by nobody's public CA.
func issuedAnother(c *x509.Certificate, with []*x509.Certificate) bool {
	for _, o := range with {
		if o != c && !o.Equal(c) && o.CheckSignatureFrom(c) == nil {
			return true
		}
	}
	return false
}

// isPublic reports whether c chains to a public root through the
// certificates that came with it, judged on its first day.
func isPublic(c *x509.Certificate, with []*x509.Certificate, o Options) bool {
	if o.SystemRoots == nil {
		o.SystemRoots = chain.SystemRoots
	}
	roots, err := o.SystemRoots()
	if err != nil || len(roots) == 0 {
		return false
	}
	return chain.Verify(c, with, roots, chain.VerifyOptions{At: c.NotBefore.Add(time.Minute)}) == nil
}

// item describes the certificate at index i of source.
func item(source string, i int, c *x509.Certificate, o Options) Item {
	it := Item{
		Source:    source,
		Index:     i,
		SubjectCN: chain.DisplayName(c),
		Serial:    serial.Hex(c.SerialNumber),
		NotAfter:  c.NotAfter,
		DaysLeft:  validity.DaysLeft(c.NotAfter, o.Now),
		Status:    StatusOK,
	}
	switch {
	case validity.Expired(c.NotAfter, o.Now):
		it.Status = StatusExpired
	case validity.ExpiresWithin(c.NotAfter, o.Now, validity.Window(o.WithinDays)):
		it.Status = StatusExpiring
	}
	return it
}

// sort puts the soonest expiry first; skipped inputs by name.
func (r *Report) sort() {
	slices.SortStableFunc(r.Items, func(a, b Item) int {
		return cmp.Or(a.NotAfter.Compare(b.NotAfter), cmp.Compare(a.Source, b.Source), cmp.Compare(a.Index, b.Index))
	})
	slices.SortStableFunc(r.Skipped, func(a, b Skipped) int { return cmp.Compare(a.Source, b.Source) })
}

// probeAll probes the targets and lists what they serve; a target that
// serves nothing is skipped with the CONNECT finding as the reason.
func probeAll(ctx context.Context, targets []probe.Target, o Options, r *Report) error {
	if len(targets) == 0 {
		return nil
	}
	results, err := probe.All(ctx, targets, o.Probe, o.Concurrency, nil)
	if err != nil {
		return err
	}
	for _, res := range results {
		if len(res.Chain) == 0 {
			r.Unreachable++
			r.Skipped = append(r.Skipped, Skipped{Source: res.Target.String(), Reason: connectReason(res)})
			continue
		}
		r.Items = append(r.Items, items(res.Target.String(), res.Chain, o)...)
	}
	return nil
}

func connectReason(res probe.Result) string {
	for _, f := range res.Findings {
		if f.Code == probe.Connect {
			return f.Message
		}
	}
	return "the service served no certificate"
}
