package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/certio"
)

// killYAML is the seed 003 lab with RSA-2048 keys, so that a run lasts long
// enough to be killed in the middle of its work.
const killYAML = `product: cms
domain: pod2.cms.lab
internal_ca: killca
callbridge_cluster: cms1.pod2.cms.lab
xmpp_domain: conf.pod2.cms.lab
webbridge: join.pod2.cms.lab
database_cluster: {nodes: [cms1a, cms1b, cms1c], ca: killdbca}
nodes:
  - {name: cms1a, fqdn: cms1a.pod2.cms.lab, services: [callbridge, webadmin, webbridge, xmpp, database]}
  - {name: cms1b, fqdn: cms1b.pod2.cms.lab, services: [callbridge, webadmin, webbridge, xmpp, database]}
  - {name: cms1c, fqdn: cms1c.pod2.cms.lab, services: [callbridge, webadmin, webbridge, xmpp, database]}
`

// TestPlanSurvivesKill runs the binary and SIGKILLs it at several moments:
// at 20/50/100/200 ms, each from the state the previous kill left, and at
// fractions of a full run's time in fresh directories (so kills also land in
// the writing phase). After each kill every file must be whole, and one more
// run must complete the job so that --check is clean (spec cli.md: atomic
// writes; issue 4: crash safety).
func TestPlanSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("generates RSA keys")
	}
	// testscript.Main puts the command `confcert` (this binary running
	// cli.Run) on PATH: a separate process that can be killed.
	bin, err := exec.LookPath("confcert")
	if err != nil {
		t.Fatal(err)
	}
	k := &killer{t: t, bin: bin, work: t.TempDir()}
	if err := os.WriteFile(k.file("lab.yaml"), []byte(killYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	k.complete("first") // creates the CAs, so the next run times only the plan's own work
	start := time.Now()
	k.complete("calibrate")
	full := time.Since(start)
	for _, ms := range []int{20, 50, 100, 200} {
		k.kill("progressive", time.Duration(ms)*time.Millisecond)
	}
	k.complete("progressive")
	for i, f := range []float64{0.5, 0.75, 0.9} {
		dir := fmt.Sprintf("fresh%d", i)
		k.kill(dir, time.Duration(f*float64(full)))
		k.complete(dir)
	}
}

// killer runs plans in directories under work, sharing one confcert home.
type killer struct {
	t         *testing.T
	bin, work string
}

func (k *killer) file(name string) string { return filepath.Join(k.work, name) }

func (k *killer) cmd(args ...string) *exec.Cmd {
	cmd := exec.Command(k.bin, append([]string{"plan", k.file("lab.yaml")}, args...)...)
	cmd.Env = append(os.Environ(), "CONFCERT_HOME="+k.file("home"))
	return cmd
}

// kill starts a plan in dir and SIGKILLs it after d; every file must be whole.
func (k *killer) kill(dir string, d time.Duration) {
	k.t.Helper()
	cmd := k.cmd("-o", k.file(dir))
	if err := cmd.Start(); err != nil {
		k.t.Fatal(err)
	}
	time.Sleep(d)
	cmd.Process.Kill() // SIGKILL: no chance to clean up
	cmd.Wait()
	entries, _ := os.ReadDir(k.file(dir))
	k.t.Logf("%s: killed after %v: %d entries in the output directory", dir, d.Round(time.Millisecond), len(entries))
	assertWhole(k.t, k.file(dir), true)
}

// complete runs the plan in dir to the end, then --check must pass.
func (k *killer) complete(dir string) {
	k.t.Helper()
	for _, args := range [][]string{{"-o", k.file(dir)}, {"-o", k.file(dir), "--check"}} {
		if b, err := k.cmd(args...).CombinedOutput(); err != nil {
			k.t.Fatalf("plan %v: %v\n%s", args, err, b)
		}
	}
	assertWhole(k.t, k.file(dir), false)
}

// assertWhole checks that every file in dir can be read whole; temporary
// files of an interrupted write are allowed only while a kill is fresh.
func assertWhole(t *testing.T, dir string, tempsAllowed bool) {
	t.Helper()
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return nil
		}
		name := info.Name()
		switch {
		case strings.Contains(name, ".tmp-"):
			if !tempsAllowed {
				t.Errorf("temporary file %s left after a complete run", p)
			}
		case name == "plan.json":
			var doc map[string]any
			data, _ := os.ReadFile(p)
			if err := json.Unmarshal(data, &doc); err != nil {
				t.Errorf("%s is not whole: %v", p, err)
			}
		case strings.HasSuffix(name, ".txt"):
			if data, _ := os.ReadFile(p); !strings.HasSuffix(string(data), "\n") {
				t.Errorf("%s is not whole", p)
			}
		default:
			if _, err := certio.ReadFile(p, certio.Options{}); err != nil {
				t.Errorf("%s is not whole: %v", p, err)
			}
		}
		return nil
	})
}
