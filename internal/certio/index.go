package certio

import (
	"errors"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// IndexFields are the parts of a certificate that say who could have signed
// what, as x509.ParseCertificate would give them: RawSubject, the
// SubjectKeyId and the RawSubjectPublicKeyInfo. They alias the DER.
type IndexFields struct {
	Subject      []byte
	SubjectKeyID []byte
	PublicKey    []byte
}

// errIndexFields says the DER is not shaped like a certificate.
var errIndexFields = errors.New("malformed certificate")

// oidSubjectKeyID is id-ce-subjectKeyIdentifier (RFC 5280, 4.2.1.2).
var oidSubjectKeyID = []byte{0x55, 0x1d, 0x0e}

// ReadIndexFields walks the DER of a certificate to the fields of its index
// entry without parsing the rest: a tenth of the work of
// x509.ParseCertificate, for a first pass over a large file.
func ReadIndexFields(der []byte) (IndexFields, error) {
	var f IndexFields
	in := cryptobyte.String(der)
	var cert, tbs cryptobyte.String
	if !in.ReadASN1(&cert, cbasn1.SEQUENCE) || !in.Empty() || !cert.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return f, errIndexFields
	}
	var subject, spki cryptobyte.String
	if !tbs.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) || // version
		!tbs.SkipASN1(cbasn1.INTEGER) || // serial
		!tbs.SkipASN1(cbasn1.SEQUENCE) || // signature algorithm
		!tbs.SkipASN1(cbasn1.SEQUENCE) || // issuer
		!tbs.SkipASN1(cbasn1.SEQUENCE) || // validity
		!tbs.ReadASN1Element(&subject, cbasn1.SEQUENCE) ||
		!tbs.ReadASN1Element(&spki, cbasn1.SEQUENCE) ||
		!tbs.SkipOptionalASN1(cbasn1.Tag(1).ContextSpecific()) || // issuerUniqueID
		!tbs.SkipOptionalASN1(cbasn1.Tag(2).ContextSpecific()) { // subjectUniqueID
		return f, errIndexFields
	}
	f.Subject, f.PublicKey = subject, spki
	var exts cryptobyte.String
	var present bool
	if !tbs.ReadOptionalASN1(&exts, &present, cbasn1.Tag(3).Constructed().ContextSpecific()) {
		return f, errIndexFields
	}
	if !present {
		return f, nil
	}
	if !exts.ReadASN1(&exts, cbasn1.SEQUENCE) {
		return f, errIndexFields
	}
	for !exts.Empty() {
		var ext, oid, value cryptobyte.String
		if !exts.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER) ||
			!ext.SkipOptionalASN1(cbasn1.BOOLEAN) || !ext.ReadASN1(&value, cbasn1.OCTET_STRING) {
			return f, errIndexFields
		}
		if string(oid) != string(oidSubjectKeyID) {
			continue
		}
		var skid cryptobyte.String
		if !value.ReadASN1(&skid, cbasn1.OCTET_STRING) {
			return f, errIndexFields
		}
		f.SubjectKeyID = skid
	}
	return f, nil
}
