package apply

import (
	"crypto/x509"
	"testing"

	"github.com/confcert/confcert/internal/plan"
)

// TestKeyUsageAgainstPlan: a certificate of a local CA must carry exactly the
// plan's key_usage; one from a public CA at least digitalSignature when
// planned (it may add usages or leave keyEncipherment out, and no extension
// at all allows every use).
func TestKeyUsageAgainstPlan(t *testing.T) {
	c := &plan.Certificate{KeyUsage: []string{"digitalSignature", "keyEncipherment"}}
	both := x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	tests := []struct {
		issued      x509.KeyUsage
		diff, short bool
	}{
		{both, false, false},
		{both | x509.KeyUsageKeyAgreement, true, false},
		{x509.KeyUsageDigitalSignature, true, false},
		{x509.KeyUsageKeyEncipherment, true, true},
		{0, true, false},
	}
	for _, tt := range tests {
		cert := &x509.Certificate{KeyUsage: tt.issued}
		if got := kuDiff(c, cert) != ""; got != tt.diff {
			t.Errorf("issued %v: kuDiff %v, want %v", tt.issued, got, tt.diff)
		}
		if got := len(kuMissing(c, cert)) > 0; got != tt.short {
			t.Errorf("issued %v: kuMissing %v, want %v", tt.issued, got, tt.short)
		}
	}
	if d := kuDiff(&plan.Certificate{}, &x509.Certificate{KeyUsage: both}); d != "" {
		t.Errorf("a plan without key_usage: %q", d)
	}
}
