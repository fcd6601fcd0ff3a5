package dname

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"
)

func TestFormatRaw(t *testing.T) {
	email := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
	odd := asn1.ObjectIdentifier{1, 2, 3, 4}
	name := pkix.Name{
		Country: []string{"GB"}, Province: []string{"London"}, Organization: []string{"Example"},
		OrganizationalUnit: []string{"IT"}, CommonName: "cms.example.com",
		ExtraNames: []pkix.AttributeTypeAndValue{{Type: email, Value: "pki@example.com"}, {Type: odd, Value: "x"}},
	}
	raw, err := asn1.Marshal(name.ToRDNSequence())
	if err != nil {
		t.Fatal(err)
	}
	want := "C = GB, ST = London, O = Example, OU = IT, CN = cms.example.com, emailAddress = pki@example.com, 1.2.3.4 = x"
	if got := FormatRaw(raw); got != want {
		t.Errorf("FormatRaw = %q\nwant %q", got, want)
	}
	quoted := pkix.Name{Organization: []string{"Example, Inc."}, CommonName: `a"b`}
	raw, _ = asn1.Marshal(quoted.ToRDNSequence())
	if got, want := FormatRaw(raw), `O = "Example, Inc.", CN = a\"b`; got != want {
		t.Errorf("FormatRaw(quoted) = %q, want %q", got, want)
	}
	if got := FormatRaw([]byte{0x30, 0x01}); got != "(unreadable name)" {
		t.Errorf("FormatRaw(garbage) = %q", got)
	}
}

func FuzzFormatRaw(f *testing.F) {
	raw, _ := asn1.Marshal(pkix.Name{CommonName: "x", Country: []string{"GB"}}.ToRDNSequence())
	f.Add(raw)
	f.Add([]byte{0x30, 0x00})
	f.Add([]byte{0x31, 0x80})
	f.Fuzz(func(t *testing.T, data []byte) {
		if FormatRaw(data) == "" && len(data) > 2 {
			var seq pkix.RDNSequence
			if _, err := asn1.Unmarshal(data, &seq); err == nil && len(seq) > 0 && len(seq[0]) > 0 {
				t.Errorf("empty rendering of a non-empty name %x", data)
			}
		}
	})
}
