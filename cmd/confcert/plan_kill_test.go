package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/dirlock"
	"github.com/confcert/confcert/internal/killpoint"
)

// killYAML is the seed 003 lab. Its keys are ECDSA: what is tested is the
// order of the writes, and the kill points below stop a run exactly where
// wanted, so the run need not be slow enough to be caught by a timer.
const killYAML = `product: cms
domain: pod2.cms.lab
internal_ca: killca
key: ecdsa-p256
ca_key: ecdsa-p256
callbridge_cluster: cms1.pod2.cms.lab
xmpp_domain: conf.pod2.cms.lab
webbridge: join.pod2.cms.lab
database_cluster: {nodes: [cms1a, cms1b, cms1c], ca: killdbca}
nodes:
  - {name: cms1a, fqdn: cms1a.pod2.cms.lab, services: [callbridge, webadmin, webbridge, xmpp, database]}
  - {name: cms1b, fqdn: cms1b.pod2.cms.lab, services: [callbridge, webadmin, webbridge, xmpp, database]}
  - {name: cms1c, fqdn: cms1c.pod2.cms.lab, services: [callbridge, webadmin, webbridge, xmpp, database]}
`

// TestPlanSurvivesKill SIGKILLs `confcert plan` in the middle of a file
// write: the kill point "write" (internal/killpoint) stops the process when
// the Nth temporary file is written and synced but not yet renamed. A first
// run lists every write of a plan; then, in fresh directories, the run is
// killed at the first write, at the first write of each kind of file (key,
// CSR, certificate, bundle, install notes, plan.json), at every certificate's
// and at the last one,
// and in one directory again and again, each run from the state the last
// kill left. Each kill must have landed mid-write: the temporary file of the
// interrupted write is there, its target is not, and (in a fresh directory)
// exactly the N-1 earlier writes are complete. After each kill every file
// must be whole, every certificate a local CA signed on disk must be recorded
// in the CA store (a batch is recorded before any of its files is written,
// while the batch before may still be written), and one more run must
// complete the job so that --check is
// clean (spec cli.md: atomic writes; issue 4: crash safety).
func TestPlanSurvivesKill(t *testing.T) {
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
	k.complete("first") // creates the CAs: the kills below are in the plan's own writes
	writes := k.listWrites("list")
	for _, n := range killPoints(writes) {
		dir := fmt.Sprintf("fresh%d", n)
		w := k.killAt(dir, n)
		k.assertMidWrite(dir, w, n-1)
		k.complete(dir)
	}
	k.progressive("progressive", max(2, len(writes)/4), len(writes))
}

// killPoints are the write numbers (from 1) to kill at: the first, the
// first write of each kind of file, every certificate's (a batch's
// certificates are written while the next batch is signed and recorded, so
// a kill there leaves records of certificates not yet written), and the
// last.
func killPoints(writes []string) []int {
	points := []int{1}
	seen := map[string]bool{}
	for i := range writes {
		if kind := fileKind(writes, i); !seen[kind] || kind == ".crt" {
			seen[kind] = true
			points = append(points, i+1)
		}
	}
	points = append(points, len(writes))
	var out []int
	for _, p := range points {
		if len(out) == 0 || out[len(out)-1] < p {
			out = append(out, p)
		}
	}
	return out
}

// fileKind names the kind of the ith file written: plan.json, a bundle (a
// .crt not signed right after its own CSR), or its extension.
func fileKind(names []string, i int) string {
	name, ext := names[i], filepath.Ext(names[i])
	switch {
	case name == "plan.json":
		return name
	case ext == ".crt" && (i == 0 || names[i-1] != strings.TrimSuffix(name, ext)+".csr"):
		return "bundle"
	}
	return ext
}

// killer runs plans in directories under work, sharing one confcert home.
type killer struct {
	t         *testing.T
	bin, work string
}

func (k *killer) file(name string) string { return filepath.Join(k.work, name) }

func (k *killer) cmd(killAt string, args ...string) *exec.Cmd {
	cmd := exec.Command(k.bin, append([]string{"plan", k.file("lab.yaml")}, args...)...)
	cmd.Env = append(os.Environ(), "CONFCERT_HOME="+k.file("home"), killpoint.Env+"="+killAt)
	return cmd
}

// killLine is the line of a kill point: its number and the temporary file.
var killLine = regexp.MustCompile(`^confcert: killpoint write (\d+): (.+)$`)

// write is one write a run reached: its number and temporary file.
type write struct {
	n   int
	tmp string
}

// target is the file the temporary file becomes: ".NAME.tmp-123" is NAME.
func (w write) target() string {
	base := filepath.Base(w.tmp)
	name := strings.TrimPrefix(base[:strings.LastIndex(base, ".tmp-")], ".")
	return filepath.Join(filepath.Dir(w.tmp), name)
}

// listWrites runs a whole plan in dir with every write listed and returns
// the names of the files written, in order.
func (k *killer) listWrites(dir string) []string {
	k.t.Helper()
	out, err := k.cmd("write:0", "-o", k.file(dir)).CombinedOutput()
	if err != nil {
		k.t.Fatalf("plan: %v\n%s", err, out)
	}
	var names []string
	for _, line := range strings.Split(string(out), "\n") {
		if m := killLine.FindStringSubmatch(line); m != nil {
			names = append(names, filepath.Base(write{tmp: m[2]}.target()))
		}
	}
	if len(names) < 10 {
		k.t.Fatalf("a whole plan listed %d writes:\n%s", len(names), out)
	}
	k.t.Logf("a whole plan writes %d files: %s; killed at writes %v", len(names), strings.Join(names, " "), killPoints(names))
	return names
}

// killAt starts a plan in dir that stops at write n, SIGKILLs it there and
// returns that write; ok is false when the run finished before write n.
func (k *killer) killAt(dir string, n int) write {
	k.t.Helper()
	w, ok := k.tryKillAt(dir, n)
	if !ok {
		k.t.Fatalf("%s: the plan finished before write %d", dir, n)
	}
	return w
}

func (k *killer) tryKillAt(dir string, n int) (write, bool) {
	k.t.Helper()
	cmd := k.cmd("write:"+strconv.Itoa(n), "-o", k.file(dir))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		k.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		k.t.Fatal(err)
	}
	var lines []string
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		m := killLine.FindStringSubmatch(sc.Text())
		if m == nil {
			lines = append(lines, sc.Text())
			continue
		}
		cmd.Process.Kill() // SIGKILL: no chance to clean up
		cmd.Wait()
		got, _ := strconv.Atoi(m[1])
		return write{n: got, tmp: m[2]}, true
	}
	if err := cmd.Wait(); err != nil {
		k.t.Fatalf("%s: plan: %v\n%s", dir, err, strings.Join(lines, "\n"))
	}
	return write{}, false
}

// assertMidWrite checks that the kill at w left a partial state: the
// temporary file of w, written whole, without its target; done is the
// number of complete files expected beside it (-1: not checked).
func (k *killer) assertMidWrite(dir string, w write, done int) {
	k.t.Helper()
	if _, err := os.Stat(w.tmp); err != nil {
		k.t.Errorf("%s: killed at write %d, but its temporary file is gone: %v", dir, w.n, err)
	}
	if _, err := os.Stat(w.target()); err == nil && done >= 0 {
		k.t.Errorf("%s: killed at write %d, but %s was already in place", dir, w.n, w.target())
	}
	if done >= 0 {
		if got := completeFiles(k.file(dir)); got != done {
			k.t.Errorf("%s: killed at write %d with %d complete files, want %d", dir, w.n, got, done)
		}
	}
	assertWhole(k.t, k.file(dir), true)
	k.assertRecorded(dir)
}

// assertRecorded checks that every certificate in dir that a local CA
// signed (in a certificate file or a bundle) is recorded in the CA store:
// a run records a batch before it writes any of its files, so no kill can
// leave a certificate on disk without its record.
func (k *killer) assertRecorded(dir string) {
	k.t.Helper()
	out, err := k.caCmd("ca", "issued", "--json").Output()
	if err != nil {
		k.t.Fatalf("ca issued: %v", err)
	}
	var issued struct {
		Certificates []struct {
			CA     string `json:"ca"`
			Serial string `json:"serial"`
		} `json:"certificates"`
	}
	if err := json.Unmarshal(out, &issued); err != nil {
		k.t.Fatalf("ca issued --json: %v\n%s", err, out)
	}
	recorded := map[string]bool{}
	for _, is := range issued.Certificates {
		recorded[is.CA+" "+strings.ToUpper(is.Serial)] = true
	}
	filepath.Walk(k.file(dir), func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || strings.Contains(info.Name(), ".tmp-") || filepath.Ext(p) != ".crt" && filepath.Ext(p) != ".pem" {
			return nil
		}
		f, err := certio.ReadFile(p, certio.Options{})
		if err != nil {
			return nil // assertWhole reports it
		}
		for _, o := range f.Objects {
			c := o.Certificate
			if c == nil || bytes.Equal(c.RawIssuer, c.RawSubject) {
				continue // a CA's own certificate
			}
			if key := c.Issuer.CommonName + " " + strings.ToUpper(c.SerialNumber.Text(16)); !recordedAny(recorded, c.Issuer.CommonName, c.SerialNumber.Text(16)) {
				k.t.Errorf("%s: %s holds a certificate (%s) with no record in the CA store", dir, info.Name(), key)
			}
		}
		return nil
	})
}

// recordedAny says whether serial (hex) is recorded for the CA whose
// certificate's CN is cn (the local CAs' CNs contain their names).
func recordedAny(recorded map[string]bool, cn, serial string) bool {
	for key := range recorded {
		ca, s, _ := strings.Cut(key, " ")
		if strings.Contains(cn, ca) && strings.TrimLeft(s, "0") == strings.TrimLeft(strings.ToUpper(serial), "0") {
			return true
		}
	}
	return false
}

// caCmd runs confcert with the killer's confcert home and no kill point.
func (k *killer) caCmd(args ...string) *exec.Cmd {
	cmd := exec.Command(k.bin, args...)
	cmd.Env = append(os.Environ(), "CONFCERT_HOME="+k.file("home"))
	return cmd
}

// progressive kills runs in dir at write n, each from the state the last
// one left, until a run finishes; every run must move the job on, so at
// most limit runs are allowed.
func (k *killer) progressive(dir string, n, limit int) {
	k.t.Helper()
	kills := 0
	for ; kills <= limit; kills++ {
		w, ok := k.tryKillAt(dir, n)
		if !ok {
			break
		}
		k.assertMidWrite(dir, w, -1)
	}
	if kills == 0 || kills > limit {
		k.t.Fatalf("%s: %d runs killed at write %d: want at least one, and progress each time", dir, kills, n)
	}
	k.t.Logf("%s: %d runs killed at write %d before one finished", dir, kills, n)
	k.complete(dir)
}

// completeFiles counts the files in dir (and below) that are not temporary.
func completeFiles(dir string) int {
	n := 0
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && !strings.Contains(info.Name(), ".tmp-") && info.Name() != dirlock.FileName {
			n++
		}
		return nil
	})
	return n
}

// complete runs the plan in dir to the end, then --check must pass.
func (k *killer) complete(dir string) {
	k.t.Helper()
	for _, args := range [][]string{{"-o", k.file(dir)}, {"-o", k.file(dir), "--check"}} {
		if b, err := k.cmd("", args...).CombinedOutput(); err != nil {
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
		case name == dirlock.FileName: // the output directory's lock, empty by design
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
