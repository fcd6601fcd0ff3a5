// Package pkiattr parses the Meeting Server MMP style arguments of "pki csr"
// and "pki selfsigned": ATTR:VALUE pairs such as CN:www.example.com and
// subjectAltName:a.example.com,b.example.com (seed 002 §3.1, Appendix C), and
// the basenames the files are named after.
package pkiattr

import (
	"encoding/asn1"
	"fmt"
	"strings"

	"github.com/confcert/confcert/internal/certgen"
)

// The attribute names of "pki csr" (seed 002 Table 4 and Appendix C).
const (
	AttrCN             = "CN"
	AttrO              = "O"
	AttrOU             = "OU"
	AttrL              = "L"
	AttrST             = "ST"
	AttrC              = "C"
	AttrEmailAddress   = "emailAddress"
	AttrSubjectAltName = "subjectAltName"
)

// Names lists the attribute names in the order the MMP documents them.
func Names() []string {
	return []string{AttrCN, AttrO, AttrOU, AttrL, AttrST, AttrC, AttrEmailAddress, AttrSubjectAltName}
}

// oidEmailAddress is the PKCS#9 emailAddress attribute of a subject name.
var oidEmailAddress = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}

// Parse turns ATTR:VALUE arguments into a certificate request. Attribute
// names are matched without regard to case; each may appear once. The CN is
// appended to a given subjectAltName list when missing (seed 002 §3.1 note);
// with no list, a CN that is a DNS name or IP address becomes the list, since
// browsers ignore the CN.
func Parse(args []string) (certgen.Request, error) {
	var r certgen.Request
	seen := map[string]bool{}
	var sans *sanList
	for i := range args {
		name, value, err := split(args, i)
		if err != nil {
			return certgen.Request{}, err
		}
		if seen[name] {
			return certgen.Request{}, fmt.Errorf("attribute %s is given twice", name)
		}
		seen[name] = true
		if name == AttrSubjectAltName {
			if sans, err = parseSANList(args, i, value); err != nil {
				return certgen.Request{}, err
			}
			continue
		}
		if err := setSubject(&r, name, value); err != nil {
			return certgen.Request{}, err
		}
	}
	return withSANs(r, sans), nil
}

// split separates argument i into a canonical attribute name and its value.
func split(args []string, i int) (string, string, error) {
	arg := args[i]
	rawName, value, ok := strings.Cut(arg, ":")
	if !ok {
		return "", "", noColonError(args, i)
	}
	name, known := canonical(rawName)
	if !known {
		return "", "", fmt.Errorf("unknown attribute %q in %q (known: %s)", rawName, arg, strings.Join(Names(), ", "))
	}
	if value == "" {
		return "", "", fmt.Errorf("attribute %s has an empty value", name)
	}
	return name, value, nil
}

// parseSANList parses the subjectAltName value of argument i. A list ending
// in ',' followed by another argument is one that a space after a comma cut
// in two (seed 002 §3.1: no spaces between the items).
func parseSANList(args []string, i int, value string) (*sanList, error) {
	if strings.HasSuffix(value, ",") && i+1 < len(args) && !isAttr(args[i+1]) {
		return nil, fmt.Errorf("space in subjectAltName after %q, before %q: separate the items with ',' and no spaces",
			value, args[i+1])
	}
	return parseSANs(value)
}

// isAttr reports whether arg starts with a known attribute name and ':'.
func isAttr(arg string) bool {
	name, _, ok := strings.Cut(arg, ":")
	_, known := canonical(name)
	return ok && known
}

func noColonError(args []string, i int) error {
	return fmt.Errorf("argument %q is not ATTR:VALUE (attributes: %s)", args[i], strings.Join(Names(), ", "))
}

func canonical(name string) (string, bool) {
	for _, known := range Names() {
		if strings.EqualFold(name, known) {
			return known, true
		}
	}
	return "", false
}

// Arg is the ATTR:VALUE argument for attr and value as one shell word, to be
// pasted into a suggested command: bare when it holds only characters no
// shell treats specially, else in single quotes, as 'CN:My CA' (a single
// quote inside is closed, escaped and reopened), since a value with spaces
// must arrive as one word.
func Arg(attr, value string) string {
	word := attr + ":" + value
	if strings.IndexFunc(word, unsafeInShell) < 0 {
		return word
	}
	return "'" + strings.ReplaceAll(word, "'", `'\''`) + "'"
}

// unsafeInShell reports a rune outside letters, digits and the punctuation
// that names and addresses use and that no POSIX shell interprets.
func unsafeInShell(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return false
	}
	return !strings.ContainsRune("-_.:,@/+=%", r)
}
