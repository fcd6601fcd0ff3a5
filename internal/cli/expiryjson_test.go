package cli

import (
	"bytes"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/expiry"
)

// TestExpiryJSONWrittenAsEncoded: the expiry document written one item at a
// time is byte for byte what json's Encoder writes of the whole document,
// with items, with none, with skipped inputs and characters JSON escapes.
func TestExpiryJSONWrittenAsEncoded(t *testing.T) {
	at := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	items := []expiry.Item{
		{Source: "a.pem", Index: 0, SubjectCN: "<a & b>", Serial: "1A", NotAfter: at, DaysLeft: 3, Status: expiry.StatusExpiring, Public: true, NextRenewalDue: at},
		{Source: "b\"\n.pem", Index: 7, SubjectCN: "é", Serial: "FF", NotAfter: at, DaysLeft: -1, Status: expiry.StatusExpired},
	}
	skipped := []expiry.Skipped{{Source: "c.txt", Reason: "not a certificate"}}
	for _, r := range []expiry.Report{{}, {Items: items}, {Skipped: skipped}, {Items: items, Skipped: skipped}} {
		doc := expiryJSON{Items: []expiryItemJSON{}, Skipped: []expirySkippedJSON{}}
		for _, it := range r.Items {
			doc.Items = append(doc.Items, expiryItemJSON{Source: it.Source, Index: it.Index, SubjectCN: it.SubjectCN,
				Serial: it.Serial, NotAfter: it.NotAfter.UTC().Format(time.RFC3339), DaysLeft: it.DaysLeft,
				Status: string(it.Status), Public: it.Public, NextRenewalDue: dateOrEmpty(it.NextRenewalDue)})
		}
		for _, s := range r.Skipped {
			doc.Skipped = append(doc.Skipped, expirySkippedJSON{Source: s.Source, Reason: s.Reason})
		}
		var want, got bytes.Buffer
		if err := writeJSON(&want, doc); err != nil {
			t.Fatal(err)
		}
		if err := writeExpiryJSON(&got, r); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("written:\n%s\nencoded:\n%s", &got, &want)
		}
	}
}
