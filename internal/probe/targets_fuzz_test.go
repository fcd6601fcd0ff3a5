package probe

import (
	"strings"
	"testing"
)

// FuzzReadTargets feeds target lists (issue 11 item 12): no panic, every
// target read has a host and a port in range, and every error names the file.
func FuzzReadTargets(f *testing.F) {
	for _, s := range []string{
		"cms1.example.com\n# comment\n\nexample.com:5061 # sip\n",
		"https://join.example.com/meeting\n[2001:db8::1]:443\n192.0.2.7\n",
		"host:0\n", "host:99999\n", "a..b\n", strings.Repeat("x", 300) + "\n", "\x00\xff\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := ReadTargets("targets.txt", strings.NewReader(s), 443)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "targets.txt") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		for _, tg := range ts {
			if tg.Host == "" || tg.Port < 1 || tg.Port > 65535 {
				t.Fatalf("target %+v read from %q", tg, s)
			}
		}
	})
}
