package killpoint

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// helperEnv makes the test binary act as a program that reaches the point
// "write" three times and then prints "done".
const helperEnv = "KILLPOINT_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		for _, f := range []string{"a", "b", "c"} {
			Reached("write", f)
			Reached("other", f)
		}
		os.Stderr.WriteString("done\n")
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// run starts the helper with Env set to spec and returns its stderr lines
// up to the first killpoint line (then kills it) or to its end.
func run(t *testing.T, spec string, kill bool) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"=1", Env+"="+spec)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	var lines []string
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if kill && strings.HasPrefix(sc.Text(), "confcert: killpoint ") {
			return lines // paused: the deferred Kill ends it
		}
	}
	return lines
}

func TestReached(t *testing.T) {
	tests := []struct {
		spec string
		kill bool
		want []string
	}{
		{"", false, []string{"done"}},
		{"nonsense", false, []string{"done"}},
		{"write:0", false, []string{"confcert: killpoint write 1: a", "confcert: killpoint write 2: b", "confcert: killpoint write 3: c", "done"}},
		{"write:2", true, []string{"confcert: killpoint write 2: b"}},
		{"write:4", false, []string{"done"}},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got := run(t, tt.spec, tt.kill)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("stderr %q, want %q", got, tt.want)
			}
		})
	}
}

// FuzzParseSpec: any value of the variable either arms one point with a
// count of 0 or more, or none; an armed spec prints back as itself.
func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{"write:3", "write:0", "", ":", "write:", "write:-1", "a:b:1", "write:99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		name, n := parseSpec(spec)
		if name == "" {
			if n != 0 {
				t.Errorf("%q: no point but count %d", spec, n)
			}
			return
		}
		if n < 0 || !strings.HasPrefix(spec, name+":") {
			t.Errorf("%q parsed as %q:%d", spec, name, n)
		}
	})
}
