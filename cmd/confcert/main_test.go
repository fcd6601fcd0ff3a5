package main

import (
	"os"
	"os/exec"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/confcert/confcert/internal/cli"
)

// TestMain lets the scripts run `confcert` as a real command.
func TestMain(m *testing.M) {
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
