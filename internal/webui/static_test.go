package webui

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestVendoredHTMX checks the embedded htmx is the version and file that
// docs/dependencies.md records.
func TestVendoredHTMX(t *testing.T) {
	js, err := staticFS.ReadFile("static/htmx.min.js")
	if err != nil {
		t.Fatal(err)
	}
	deps, err := os.ReadFile("../../docs/dependencies.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `internal/webui/static/htmx.min.js` \\| htmx ([0-9.]+) [^|]*\\| `([0-9a-f]{64})` \\|").FindSubmatch(deps)
	if row == nil {
		t.Fatal("docs/dependencies.md has no row for internal/webui/static/htmx.min.js with its version and sha256")
	}
	sum := sha256.Sum256(js)
	if got := hex.EncodeToString(sum[:]); got != string(row[2]) {
		t.Errorf("htmx.min.js has sha256 %s, docs/dependencies.md says %s", got, row[2])
	}
	if !strings.Contains(string(js), `version:"`+string(row[1])+`"`) {
		t.Errorf("htmx.min.js is not version %s", row[1])
	}
}
