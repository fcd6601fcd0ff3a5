package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"runtime"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/weppos/publicsuffix-go/publicsuffix"

	"github.com/confcert/confcert/internal/cli"
)

// TestMain lets the scripts run `confcert` as a real command. The
// transcripts spend much of their time waiting (process starts, fsync), so
// by default four run per core instead of one; -parallel N, parsed after
// this default is set, still decides.
func TestMain(m *testing.M) {
	if f := flag.Lookup("test.parallel"); f != nil {
		_ = f.Value.Set(strconv.Itoa(4 * runtime.GOMAXPROCS(0)))
	}
	testscript.Main(m, map[string]func(){
		"confcert": func() { os.Exit(cli.Run()) },
		"confcert-lintdata": func() {
			code := cli.Run()
			fmt.Fprintf(os.Stderr, "public suffix rules loaded: %d\n", publicSuffixRules())
			os.Exit(code)
		},
	})
}

// publicSuffixRules counts the rules publicsuffix.DefaultList holds. zlint
// reaches the list (through zcrypto) when a lint looks at a DNS name; the
// fork in third_party/publicsuffix-go fills it on first use instead of when
// the process starts (docs/dependencies.md), so a verb that runs no lint
// leaves it empty. Read through reflect: the fork adds no API.
func publicSuffixRules() int {
	return reflect.ValueOf(publicsuffix.DefaultList).Elem().FieldByName("rules").Len()
}

// TestScript runs every transcript in testdata/script: a command, then what
// its output and exit status must be. `[openssl]` guards cross-checks.
func TestScript(t *testing.T) {
	_, err := exec.LookPath("openssl")
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Condition: func(cond string) (bool, error) {
			if cond == "openssl" {
				return err == nil, nil
			}
			return false, errorUnknownCondition(cond)
		},
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"exits": cmdExits,
		},
		Setup: func(env *testscript.Env) error {
			env.Setenv("CONFCERT_HOME", env.WorkDir+"/home")
			env.Setenv("NO_COLOR", "1")
			return nil
		},
	})
}
