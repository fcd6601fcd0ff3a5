package main

import (
	"flag"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

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
	})
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
