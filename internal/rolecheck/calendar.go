package rolecheck

import (
	"crypto/x509"
	"fmt"
	"time"

	"github.com/confcert/confcert/internal/publicca"
)

// renewalWindow is how long before expiry a certificate is renewed: the
// window VALIDITY warns about (spec roles.md).
const renewalWindow = 30 * 24 * time.Hour

// publicCalendar judges a publicly trusted certificate by the public-CA
// calendar (package publicca): its lifetime against the limit on its issue
// date, the clientAuth a role needs once public CAs stop issuing it, and how
// long its renewal may last. It says nothing of a certificate from a private
// CA, which neither calendar binds.
func publicCalendar(in *Input) []Result {
	if !in.PubliclyTrusted() {
		return nil
	}
	var out []Result
	c := in.Leaf
	days := int(c.NotAfter.Sub(c.NotBefore).Hours()/24 + 0.5)
	if w := publicca.ValidityWarning("issued on "+publicca.Date(c.NotBefore)+", it", days, c.NotBefore); w != "" {
		out = append(out, Warn("PUBLIC-CALENDAR", w+"; clients that enforce the limit refuse it", "have the CA re-issue it within the limit")...)
	}
	if way := in.Role.ClientAuthWayOut; way != "" && HasEKU(c, x509.ExtKeyUsageClientAuth) {
		if w := publicca.ClientAuthWarning("this certificate", in.Now, "its renewal will lack it"); w != "" {
			out = append(out, Warn("PUBLIC-CALENDAR", w, way)...)
		}
	}
	renewAt := c.NotAfter.Add(-renewalWindow)
	if renewAt.Before(in.Now) {
		renewAt = in.Now
	}
	l := publicca.MaxDays(renewAt)
	out = append(out, Pass("PUBLIC-CALENDAR", fmt.Sprintf("a public CA renewing it on %s issues at most %d days (%s)",
		publicca.Date(renewAt), l.MaxDays, l.Source))...)
	return out
}
