package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStartPaysForNoUnusedPackage: every package linked into confcert runs
// its initialisation in every process, whatever the verb (Go has no lazy
// package initialisation; issue 15 item 4). These packages did so for
// nothing and must not come back: zlint's umbrella package (all ten lint
// sources, where `check` runs two) and the lint sources confcert filters
// out. Prometheus's client stays, by choice (docs/performance.md, issue 15
// item 4): `serve`'s /metrics is written with it.
func TestStartPaysForNoUnusedPackage(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	out, err := exec.Command(goBin, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 100 {
		t.Fatalf("go list -deps listed %d packages", len(deps))
	}
	banned := []string{
		"github.com/zmap/zlint/v3",
		"github.com/zmap/zlint/v3/lints/cabf_br",
		"github.com/zmap/zlint/v3/lints/etsi",
		"github.com/zmap/zlint/v3/lints/mozilla",
	}
	for _, d := range deps {
		for _, b := range banned {
			if d == b {
				t.Errorf("confcert links %s, which every process would initialise", d)
			}
		}
	}
	for _, want := range []string{"github.com/zmap/zlint/v3/lints/rfc", "github.com/weppos/publicsuffix-go/publicsuffix"} {
		if !strings.Contains(string(out), want+"\n") {
			t.Errorf("confcert no longer links %s: the list above may be out of date", want)
		}
	}
}
