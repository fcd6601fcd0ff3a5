package plan

import (
	"testing"

	"github.com/confcert/confcert/internal/validity"
)

func TestCertreqTemplateAndDays(t *testing.T) {
	tests := []struct {
		name     string
		c        Certificate
		template string
		days     int
	}{
		{"server only", Certificate{ExtKeyUsage: []string{"serverAuth"}}, TemplateServer, validity.DefaultDays},
		{"server and client", Certificate{ExtKeyUsage: []string{"serverAuth", "clientAuth"}, Days: 365}, TemplateServerClient, 365},
		{"planned template wins", Certificate{ExtKeyUsage: []string{"clientAuth"}, Template: "CMSCluster"}, "CMSCluster", validity.DefaultDays},
	}
	for _, tc := range tests {
		if got := tc.c.CertreqTemplate(); got != tc.template {
			t.Errorf("%s: template %q, want %q", tc.name, got, tc.template)
		}
		if got := tc.c.ValidityDays(); got != tc.days {
			t.Errorf("%s: days %d, want %d", tc.name, got, tc.days)
		}
	}
}
