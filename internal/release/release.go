// Package release is the one version type of confcert: a product release as
// the vendor's guides write it (2.5MR5, 6.0MR5, 3.2, 2.6.1), shared by `plan`
// and `check`. Each product package says which releases it knows with its own
// parser built on Parse, and both verbs use that parser, so a version `plan`
// accepts is one `check` accepts and reads the same way.
package release

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Version is a product release: major.minor, an optional maintenance release
// (MR), and the text as the user wrote it.
type Version struct {
	Major, Minor, MR int
	// Text is the version as given, for messages.
	Text string
}

// grammar is MAJOR.MINOR (MINOR may be x, as in 1.x), further dotted parts
// (2.6.1, which only Text keeps), then an optional MRn, spaces allowed
// before and inside it, any case.
var grammar = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^([0-9]{1,4})\.([0-9]{1,4}|x)((?:\.[0-9]{1,4})*)\s*(?:mr\s*([0-9]{1,4}))?$`)
})

// Parse reads a version in the common grammar: MAJOR.MINOR with an optional
// MRn, e.g. 2.0, 2.5MR5, 6.0 MR 5, 1.x (minor x reads as 0) or 2.6.1.
func Parse(s string) (Version, error) {
	m := grammar().FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return Version{}, fmt.Errorf("version %q: want MAJOR.MINOR with an optional MRn, for example 2.0, 2.5MR5, 6.0MR5", s)
	}
	v := Version{Text: s}
	v.Major, _ = strconv.Atoi(m[1])
	v.Minor, _ = strconv.Atoi(m[2]) // "x" stays 0
	if m[4] != "" {
		v.MR, _ = strconv.Atoi(m[4])
	}
	return v, nil
}

// PlainParts reports whether s is MAJOR.MINOR alone: no third part, no MR.
func PlainParts(s string) bool {
	m := grammar().FindStringSubmatch(strings.TrimSpace(s))
	return m != nil && m[3] == "" && m[4] == "" && !strings.EqualFold(m[2], "x")
}

// AtLeast reports whether v is major.minor MR mr or later.
func (v Version) AtLeast(major, minor, mr int) bool {
	return slices.Compare([]int{v.Major, v.Minor, v.MR}, []int{major, minor, mr}) >= 0
}

// Before reports whether v is older than major.minor.
func (v Version) Before(major, minor int) bool {
	return !v.AtLeast(major, minor, 0)
}

// String returns the version as it was written.
func (v Version) String() string { return v.Text }

// Parser reads one product's versions; every product package has one.
type Parser func(string) (Version, error)
