package main

import (
	"os"
	"os/exec"
	"strconv"
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

// TestOwnPackagesStartCheap: confcert's own packages compile nothing and
// build no table when the process starts (issue 15 item 4); a pattern or a
// table a verb needs is made on its first use (sync.OnceValue). Read from
// GODEBUG=inittrace=1, which prints each package's allocations at start:
// a count, not a time, so it does not depend on the machine's load. A
// package-level regexp.MustCompile allocates well over a hundred times.
func TestOwnPackagesStartCheap(t *testing.T) {
	const maxAllocs = 16
	bin, err := exec.LookPath("confcert")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-h")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("confcert -h: %v\n%s", err, out)
	}
	seen := 0
	for _, line := range strings.Split(string(out), "\n") {
		// init github.com/confcert/confcert/internal/x @1.2 ms, 0.01 ms clock, 72 bytes, 2 allocs
		f := strings.Fields(line)
		if len(f) < 10 || f[0] != "init" || !strings.HasPrefix(f[1], "github.com/confcert/confcert/internal/") {
			continue // the main package here is this test binary's, with the tests' own variables
		}
		seen++
		allocs, err := strconv.Atoi(f[len(f)-2])
		if err != nil || f[len(f)-1] != "allocs" {
			t.Fatalf("unexpected inittrace line %q", line)
		}
		if allocs > maxAllocs {
			t.Errorf("%s allocates %d times at start (at most %d): make what it builds on first use", f[1], allocs, maxAllocs)
		}
	}
	if seen < 10 {
		t.Fatalf("inittrace listed %d confcert packages:\n%s", seen, out)
	}
}
