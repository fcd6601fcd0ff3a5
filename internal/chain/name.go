package chain

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"sort"
	"strings"
)

// nameKey is the canonical form of an encoded distinguished name, which the
// index files certificates under: attribute types by OID, string values
// whatever their ASN.1 string type (PrintableString, UTF8String, ...), case
// and runs of spaces folded (RFC 5280 §7.1). An issuer whose subject is
// spelt in another string type than its child's issuer field is thus found.
// A name that does not parse keeps its bytes as its key.
func nameKey(raw []byte) string {
	var seq pkix.RDNSequence
	if rest, err := asn1.Unmarshal(raw, &seq); err != nil || len(rest) > 0 {
		return "raw:" + string(raw)
	}
	rdns := make([]string, len(seq))
	for i, rdn := range seq {
		atvs := make([]string, len(rdn))
		for j, atv := range rdn {
			atvs[j] = atv.Type.String() + "=" + foldValue(atv.Value)
		}
		sort.Strings(atvs) // a multi-valued RDN is a set
		rdns[i] = strings.Join(atvs, "+")
	}
	return strings.Join(rdns, "\x00")
}

func foldValue(v any) string {
	s, ok := v.(string)
	if !ok {
		return fmt.Sprintf("%T:%v", v, v)
	}
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// sameName reports whether two encoded names are the same name, allowing for
// different string encodings of the same attributes.
func sameName(a, b []byte) bool {
	return string(a) == string(b) || nameKey(a) == nameKey(b)
}
