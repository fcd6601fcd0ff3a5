package expiry

import (
	"fmt"
	"strings"
)

// metric is the gauge name of spec probe.md.
const metric = "confcert_certificate_not_after_seconds"

// Prometheus renders the items in the node_exporter textfile format: one
// gauge per certificate, its notAfter in seconds since the Unix epoch. A
// certificate found twice under the same labels is written once, since the
// collector rejects duplicate series.
func Prometheus(items []Item) []byte {
	var b strings.Builder
	b.WriteString("# HELP " + metric + " The notAfter time of a certificate, in seconds since the Unix epoch.\n")
	b.WriteString("# TYPE " + metric + " gauge\n")
	seen := make(map[string]bool, len(items))
	for _, it := range items {
		labels := fmt.Sprintf(`{source="%s",subject_cn="%s",serial="%s"}`,
			escapeLabel(it.Source), escapeLabel(it.SubjectCN), escapeLabel(it.Serial))
		if seen[labels] {
			continue
		}
		seen[labels] = true
		fmt.Fprintf(&b, "%s%s %d\n", metric, labels, it.NotAfter.Unix())
	}
	return []byte(b.String())
}

// escapeLabel escapes a label value: backslash, double quote and line feed
// (Prometheus exposition format); invalid UTF-8 becomes U+FFFD.
func escapeLabel(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}
