package pkiattr

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/confcert/confcert/internal/certgen"
)

// upperBounds are the longest values RFC 5280 Appendix A allows (ub-*).
var upperBounds = map[string]int{
	AttrCN: 64, AttrO: 64, AttrOU: 64, AttrL: 128, AttrST: 128, AttrC: 2, AttrEmailAddress: 255,
}

// setSubject checks value and stores it in the subject under name.
func setSubject(r *certgen.Request, name, value string) error {
	if err := checkValue(name, value); err != nil {
		return err
	}
	s := &r.Subject
	switch name {
	case AttrCN:
		s.CommonName = value
	case AttrO:
		s.Organization = []string{value}
	case AttrOU:
		s.OrganizationalUnit = []string{value}
	case AttrL:
		s.Locality = []string{value}
	case AttrST:
		s.Province = []string{value}
	case AttrC:
		return setCountry(s, value)
	case AttrEmailAddress:
		return setEmail(s, value)
	}
	return nil
}

// checkValue refuses values a CA would refuse: invalid UTF-8, control
// characters, and values longer than RFC 5280 allows.
func checkValue(name, value string) error {
	if !utf8.ValidString(value) {
		return fmt.Errorf("attribute %s is not valid UTF-8", name)
	}
	if i := strings.IndexFunc(value, unicode.IsControl); i >= 0 {
		return fmt.Errorf("attribute %s has a control character at character %d", name, i+1)
	}
	if n, limit := utf8.RuneCountInString(value), upperBounds[name]; n > limit && name != AttrC {
		return fmt.Errorf("attribute %s is %d characters long; the limit is %d (RFC 5280)", name, n, limit)
	}
	return nil
}

// setCountry takes the two-letter ISO code (seed 002 Table 4).
func setCountry(s *pkix.Name, value string) error {
	if len(value) != 2 || !isLetter(value[0]) || !isLetter(value[1]) {
		return fmt.Errorf("attribute C is %q: it must be a two-letter ISO country code such as US, GB or FR", value)
	}
	s.Country = []string{strings.ToUpper(value)}
	return nil
}

func isLetter(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// setEmail adds the PKCS#9 emailAddress attribute, IA5String as RFC 5280
// Appendix A requires.
func setEmail(s *pkix.Name, value string) error {
	if err := checkEmail(value); err != nil {
		return fmt.Errorf("attribute emailAddress: %w", err)
	}
	s.ExtraNames = append(s.ExtraNames, EmailAttribute(value))
	return nil
}

// EmailAttribute is the PKCS#9 emailAddress attribute of a subject name,
// encoded as the IA5String RFC 5280 Appendix A requires (Go's pkix would
// write a PrintableString or UTF8String).
func EmailAttribute(value string) pkix.AttributeTypeAndValue {
	return pkix.AttributeTypeAndValue{
		Type:  oidEmailAddress,
		Value: asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagIA5String, Bytes: []byte(value)},
	}
}
