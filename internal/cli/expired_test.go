package cli

import (
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/certfacts"
)

// TestExpiredAtNotAfterAgrees: `list`, the CA store (`ca list`, `ca issued`)
// and `inspect` agree on the instant a certificate expires: it is valid
// through notAfter inclusive (RFC 5280 §4.1.2.5) and expired one second
// later. `list` called it EXPIRED at notAfter itself before.
func TestExpiredAtNotAfterAgrees(t *testing.T) {
	notAfter := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	cert := &x509.Certificate{NotBefore: notAfter.AddDate(-1, 0, 0), NotAfter: notAfter}
	for _, tt := range []struct {
		at      time.Time
		expired bool
	}{{notAfter.Add(-time.Second), false}, {notAfter, false}, {notAfter.Add(time.Second), true}} {
		list := strings.HasSuffix(listExpiry(cert, tt.at), "EXPIRED")
		store := castore.Issued{NotAfter: notAfter}.Status(tt.at) == castore.StatusExpired
		inspect := certfacts.Cert(cert, 0, tt.at).Expired
		if list != tt.expired || store != tt.expired || inspect != tt.expired {
			t.Errorf("at notAfter%+v: list %v, CA store %v, inspect %v; want expired=%v",
				tt.at.Sub(notAfter), list, store, inspect, tt.expired)
		}
	}
}
