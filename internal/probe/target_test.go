package probe

import (
	"errors"
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	tests := []struct {
		in      string
		port    int
		want    Target
		wantErr string
	}{
		{in: "cms.example.com", port: 443, want: Target{"cms.example.com", 443}},
		{in: "cms.example.com:5222", port: 443, want: Target{"cms.example.com", 5222}},
		{in: "  xmpp.example.com  ", port: 5222, want: Target{"xmpp.example.com", 5222}},
		{in: "cms.example.com.", port: 443, want: Target{"cms.example.com", 443}},
		{in: "127.0.0.1:8443", port: 443, want: Target{"127.0.0.1", 8443}},
		{in: "::1", port: 443, want: Target{"::1", 443}},
		{in: "[::1]", port: 443, want: Target{"::1", 443}},
		{in: "[::1]:5432", port: 443, want: Target{"::1", 5432}},
		{in: "https://join.example.com/meeting/123", port: 443, want: Target{"join.example.com", 443}},
		{in: "HTTPS://join.example.com:8443", port: 443, want: Target{"join.example.com", 8443}},
		{in: "https://[::1]:444/", port: 443, want: Target{"::1", 444}},
		{in: "", port: 443, wantErr: "empty"},
		{in: "host:0", port: 443, wantErr: "port"},
		{in: "host:70000", port: 443, wantErr: "port"},
		{in: "host:https", port: 443, wantErr: "port"},
		{in: "host:", port: 443, wantErr: "port"},
		{in: "a b", port: 443, wantErr: "contains"},
		{in: "a..b", port: 443, wantErr: "label"},
		{in: "http://example.com", port: 443, wantErr: `scheme "http"`},
		{in: "https:///path", port: 443, wantErr: "needs a host"},
		{in: "https://user@example.com", port: 443, wantErr: "needs a host"},
		{in: "a:b:c", port: 443, wantErr: "bad target"},
		{in: strings.Repeat("a", 3000), port: 443, wantErr: "longer"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTarget(tt.in, tt.port)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrBadTarget) {
					t.Fatalf("ParseTarget(%q) = %v, %v; want error with %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseTarget(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestReadTargets(t *testing.T) {
	in := "# CMS cluster\ncms1.example.com\n\ncms2.example.com:445 # edge\r\n  [::1]:5222\n"
	got, err := ReadTargets("targets.txt", strings.NewReader(in), 443)
	if err != nil {
		t.Fatal(err)
	}
	want := []Target{{"cms1.example.com", 443}, {"cms2.example.com", 445}, {"::1", 5222}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("target %d = %v, want %v", i, got[i], want[i])
		}
	}
	_, err = ReadTargets("targets.txt", strings.NewReader("ok.example.com\nbad host\n"), 443)
	if err == nil || !strings.HasPrefix(err.Error(), "targets.txt:2: ") {
		t.Errorf("error %v, want one naming targets.txt:2", err)
	}
}

func TestTargetString(t *testing.T) {
	for _, tt := range []struct {
		t    Target
		want string
	}{{Target{"example.com", 443}, "example.com:443"}, {Target{"::1", 5222}, "[::1]:5222"}} {
		if got := tt.t.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.t, got, tt.want)
		}
	}
}

func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"cms.example.com", "h:1", "[::1]:5432", "https://a.b:8443/x?y#z", "::ffff:1.2.3.4",
		"https://[fe80::1%25eth0]/", "a..b", "host:", "[]:1", "ldap://x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTarget(s, 443)
		if err != nil {
			return
		}
		if got.Port < 1 || got.Port > 65535 || got.Host == "" {
			t.Fatalf("ParseTarget(%q) = %+v", s, got)
		}
		again, err := ParseTarget(got.String(), 1)
		if err != nil || again != got {
			t.Fatalf("ParseTarget(%q) = %+v, but its String %q reads as %+v, %v", s, got, got.String(), again, err)
		}
	})
}
