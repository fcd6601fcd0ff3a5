package rolecheck

import "testing"

// TestCovers: one-label wildcards, case and a final dot ignored, IP
// addresses only themselves (spec roles.md NAMES).
func TestCovers(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"join.example.com", "JOIN.example.com.", true},
		{"*.example.com", "a.example.com", true},
		{"*.example.com", "example.com", false},
		{"*.example.com", "a.b.example.com", false},
		{"*.example.com", ".example.com", false},
		{"10.0.0.1", "10.0.0.1", true},
		{"10.0.0.1", "10.0.0.2", false},
		{"*.0.0.1", "10.0.0.1", false},
	}
	for _, tt := range tests {
		if got := covers(tt.pattern, tt.name); got != tt.want {
			t.Errorf("covers(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

// TestInternalOnly: the names no public CA certifies (CWMS-PUBLIC-NAMES:
// .local, .lan, .internal, .corp, single label, private IP; seeds 000, 001).
func TestInternalOnly(t *testing.T) {
	internal := []string{"cwms.example.local", "a.LAN", "x.internal", "y.corp.", "cwms", "*.cwms", "*.example.local", "box.localdomain", "nas.home.arpa", "10.1.2.3", "192.168.0.1", "127.0.0.1"}
	public := []string{"cwms.example.com", "*.example.com", "203.0.113.7", "local.example.com"}
	for _, n := range internal {
		if InternalOnly(n) == "" {
			t.Errorf("internalOnly(%q) = \"\", want a reason", n)
		}
	}
	for _, n := range public {
		if why := InternalOnly(n); why != "" {
			t.Errorf("internalOnly(%q) = %q, want \"\"", n, why)
		}
	}
}
