package probe

import (
	"crypto/x509"
	"strings"
	"testing"
	"time"
)

// TestJudgeServedIntermediateTimes: EXPIRED and EXPIRING concern any served
// certificate (spec probe.md), not only the leaf, and name its position.
func TestJudgeServedIntermediateTimes(t *testing.T) {
	p := testPKI()
	roots := []*x509.Certificate{p.root.Cert}
	served := []*x509.Certificate{p.leaf.Cert, p.inter.Cert}
	tests := []struct {
		name string
		at   time.Time
		code Code
		sev  Severity
	}{
		// The intermediate runs out five years from now, the leaf after one:
		// by then the leaf has expired too; the intermediate must be named.
		{"expired intermediate", p.inter.Cert.NotAfter.Add(time.Hour), Expired, Failure},
		{"expiring intermediate", p.inter.Cert.NotAfter.Add(-5 * 24 * time.Hour), Expiring, Warning},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := Judge(served, JudgeOptions{ServerName: testName, Roots: roots, At: tt.at, WithinDays: 30})
			for _, f := range fs {
				if f.Code == tt.code && strings.Contains(f.Message, `certificate 1 "Test Intermediate"`) {
					if f.Severity != tt.sev {
						t.Errorf("%s is %s, want %s", f.Code, f.Severity, tt.sev)
					}
					return
				}
			}
			t.Errorf("no %s finding for the intermediate: %+v", tt.code, fs)
		})
	}
}

// TestJudgeWithinWindow: EXPIRING follows the --within window.
func TestJudgeWithinWindow(t *testing.T) {
	p := testPKI()
	served := []*x509.Certificate{p.expiring.Cert, p.inter.Cert}
	o := JudgeOptions{ServerName: testName, Roots: []*x509.Certificate{p.root.Cert}, At: time.Now()}
	for _, tt := range []struct {
		within int
		want   bool
	}{{30, true}, {5, false}} {
		o.WithinDays = tt.within
		got := false
		for _, f := range Judge(served, o) {
			got = got || f.Code == Expiring
		}
		if got != tt.want {
			t.Errorf("--within %d: EXPIRING %v, want %v", tt.within, got, tt.want)
		}
	}
}
