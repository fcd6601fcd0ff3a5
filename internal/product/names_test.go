package product

import (
	"strings"
	"testing"
)

func TestCheckDNSName(t *testing.T) {
	tests := []struct {
		name, want string
	}{
		{"cms1a.pod2.cms.lab", ""},
		{"*.pod2.cms.lab", "is a wildcard"},
		{"cms1a.pod2.cms.lab.", "ends with a dot"},
		{"join_1.example.com", "not a valid DNS name"},
		{"-a.example.com", "not a valid DNS name"},
		{strings.Repeat("a", 64) + ".example.com", "not a valid DNS name"},
	}
	for _, tc := range tests {
		err := CheckDNSName(tc.name)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want it to say %q", tc.name, err, tc.want)
		}
	}
}
