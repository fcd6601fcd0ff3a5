package catalog_test

import (
	"strings"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/catalog"
)

// TestCalendarClientAuth: a public certificate that keeps clientAuth
// (--allow-public-client-auth) is a warning from the day public CAs stop
// issuing it, naming that day, and not the day before (spec plan.md
// "Public-CA policy").
func TestCalendarClientAuth(t *testing.T) {
	const dep = "product: cms\ndomain: example.com\ncucm: true\npublic: [callbridge]\nallow_public_client_auth: true\n" +
		"nodes:\n  - {name: a, fqdn: a.example.com, services: [callbridge]}\n"
	tests := []struct {
		day  string
		want string
	}{
		{"2026-02-10", ""},
		{"2026-02-11", "Let's Encrypt stopped issuing clientAuth on 2026-02-11"},
		{"2027-03-14", "every public CA must stop by 2027-03-15"},
		{"2027-03-15", "every public CA stopped issuing clientAuth on 2027-03-15"},
	}
	for _, tt := range tests {
		at, _ := time.Parse(time.DateOnly, tt.day)
		p := planOf(t, dep, catalog.Options{At: at})
		got := ""
		for _, w := range p.Warnings {
			if strings.Contains(w, "needs clientAuth from a public CA") {
				got = w
			}
		}
		if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("%s: warning %q, want %q", tt.day, got, tt.want)
		}
		if got != "" && !strings.Contains(got, "internal CA") {
			t.Errorf("%s: %q names no way out", tt.day, got)
		}
	}
}
