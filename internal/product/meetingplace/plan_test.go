package meetingplace_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/catalog"
)

func TestMeetingPlace(t *testing.T) {
	y := "product: meetingplace\nhome_page: mp.example.com\nweb_conferencing: w.example.com\nsubject: {O: E, OU: IT, L: SJ, ST: CA, C: US}\nlegacy_keysize: true\n"
	p := planOf(t, y, catalog.Options{})
	for _, name := range []string{"homepage", "webconf"} {
		c := certNamed(t, p, name)
		if c.Signer != "public" || c.KeyType != "rsa1024" || c.Subject.OU != "IT" || c.Template != "WebServer" {
			t.Errorf("%s: %+v", name, c)
		}
		if b := bundleNamed(p, name+"-bundle"); b == nil || b.Layout != "meetingplace" {
			t.Errorf("bundle %+v", b)
		}
	}
	for _, w := range []string{"legacy_keysize", `L "SJ"`, `ST "CA"`} {
		if !hasWarning(p, w) {
			t.Errorf("no warning about %s in %q", w, p.Warnings)
		}
	}
	in := installOf(t, p, "meetingplace")
	if in.File != "install/meetingplace.txt" || !slices.ContainsFunc(in.Notes, func(n string) bool { return strings.Contains(n, "Apache or Custom") }) {
		t.Errorf("install %+v", in)
	}
}
