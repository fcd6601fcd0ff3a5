package publicsuffix

import (
	"os"
	"os/exec"
	"sync"
	"testing"
)

// lazyEnv names, in a child test process, the entry point to use first: the
// list is filled once per process, so each case needs a process of its own.
const lazyEnv = "PUBLICSUFFIX_LAZY_FIRST_USE"

// firstUses are the exported entry points that read DefaultList (directly or
// as zcrypto does, through ParseFromListWithOptions), each answering for
// www.example.co.uk: an empty list would give co.uk's parent rule "*" and
// answer uk, not co.uk.
var firstUses = map[string]func() string{
	"Domain": func() string { d, _ := Domain("www.example.co.uk"); return d },
	"Parse": func() string {
		dn, err := Parse("www.example.co.uk")
		if err != nil {
			return err.Error()
		}
		return dn.SLD + "." + dn.TLD
	},
	"ParseFromListWithOptions": func() string { // zcrypto's call
		dn, err := ParseFromListWithOptions(DefaultList, "www.example.co.uk", &FindOptions{IgnorePrivate: true, DefaultRule: DefaultRule})
		if err != nil {
			return err.Error()
		}
		return dn.SLD + "." + dn.TLD
	},
	"DomainFromListWithOptions": func() string {
		d, _ := DomainFromListWithOptions(DefaultList, "www.example.co.uk", nil)
		return d
	},
	"Find":          func() string { return "example." + DefaultList.Find("example.co.uk", nil).Value },
	"CookieJarList": func() string { return "example." + CookieJarList.PublicSuffix("www.example.co.uk") },
	"LoadString": func() string {
		if _, err := DefaultList.LoadString("example.test\n", nil); err != nil {
			return err.Error()
		}
		d, _ := Domain("www.example.co.uk")
		return d
	},
}

// TestLazyFirstUse: whichever entry point is used first in a process, it
// sees the whole list (the fork fills DefaultList on first use, not in init).
func TestLazyFirstUse(t *testing.T) {
	if name := os.Getenv(lazyEnv); name != "" {
		if got := firstUses[name](); got != "example.co.uk" {
			t.Fatalf("%s used first = %q, want example.co.uk", name, got)
		}
		if n := DefaultList.Size(); n < len(r) {
			t.Fatalf("%s used first: the list holds %d rules, want at least %d", name, n, len(r))
		}
		return
	}
	for name := range firstUses {
		t.Run(name, func(t *testing.T) { runChild(t, "TestLazyFirstUse", name) })
	}
}

// TestLazyConcurrentFirstUse: many goroutines use the list first at once
// (zlint runs lints on several goroutines); each sees the whole list, and
// `go test -race` finds no race.
func TestLazyConcurrentFirstUse(t *testing.T) {
	if os.Getenv(lazyEnv) == "" {
		runChild(t, "TestLazyConcurrentFirstUse", "concurrent")
		return
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64*len(firstUses))
	for range 64 {
		for name, use := range firstUses {
			if name == "LoadString" {
				continue // adding rules while others read is not safe upstream either
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if got := use(); got != "example.co.uk" {
					errs <- name + " = " + got
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// runChild runs test in a new process of this test binary with lazyEnv set
// to value, with -race if this one has it.
func runChild(t *testing.T, test, value string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), lazyEnv+"="+value)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s (%s): %v\n%s", test, value, err, out)
	}
}
