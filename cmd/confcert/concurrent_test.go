package main

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/confcert/confcert/internal/certio"
)

// procs runs confcert processes sharing one confcert home and one directory.
type procs struct {
	t         *testing.T
	bin, work string
}

func newProcs(t *testing.T) *procs {
	t.Helper()
	bin, err := exec.LookPath("confcert")
	if err != nil {
		t.Fatal(err)
	}
	return &procs{t: t, bin: bin, work: t.TempDir()}
}

func (p *procs) path(name string) string { return filepath.Join(p.work, name) }

// run runs confcert with args and returns its exit status and output.
func (p *procs) run(args ...string) (int, string) {
	cmd := exec.Command(p.bin, append([]string{"--dir", p.path("out")}, args...)...)
	cmd.Env = append(os.Environ(), "CONFCERT_HOME="+p.path("home"), "NO_COLOR=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), out.String()
	}
	if err != nil {
		p.t.Fatal(err)
	}
	return 0, out.String()
}

// parallel runs n processes at once; args gives each one's arguments.
func (p *procs) parallel(n int, args func(i int) []string) ([]int, []string) {
	codes, outs := make([]int, n), make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], outs[i] = p.run(args(i)...)
		}()
	}
	wg.Wait()
	return codes, outs
}

// Eight processes create one CA at once: all succeed, one creates it, and
// the key on disk belongs to the recorded certificate. Then eight `ca sign`
// processes sign eight CSRs at once (distinct recorded serials), and eight
// more race for one output file: one writes it, the others exit 2 and never
// replace it.
func TestConcurrentCAProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("runs many processes")
	}
	p := newProcs(t)
	os.MkdirAll(p.path("out"), 0o755)
	codes, outs := p.parallel(8, func(int) []string { return []string{"ca", "create", "podca", "--key-type", "ecdsa-p256"} })
	created := 0
	for i, c := range codes {
		if c != 0 {
			t.Fatalf("ca create %d: exit %d: %s", i, c, outs[i])
		}
		if strings.HasPrefix(outs[i], "Created CA podca") {
			created++
		}
	}
	if created != 1 {
		t.Fatalf("%d processes say they created the CA, want 1", created)
	}
	p.checkCAKey()
	for i := range 8 {
		if c, out := p.run("csr", fmt.Sprintf("web%d", i), "CN:web.example.com", "--key-type", "ecdsa-p256"); c != 0 {
			t.Fatalf("csr: %s", out)
		}
	}
	codes, outs = p.parallel(8, func(i int) []string { return []string{"ca", "sign", fmt.Sprintf("web%d", i), "--ca", "podca"} })
	serials := map[string]bool{}
	for i, c := range codes {
		if c != 0 {
			t.Fatalf("ca sign web%d: exit %d: %s", i, c, outs[i])
		}
		serials[p.serial(fmt.Sprintf("web%d.crt", i))] = true
	}
	if len(serials) != 8 {
		t.Fatalf("8 certificates carry %d distinct serials", len(serials))
	}
	p.raceForOneFile()
}

func (p *procs) raceForOneFile() {
	codes, outs := p.parallel(8, func(int) []string { return []string{"ca", "sign", "web0", "--ca", "podca"} })
	for i, c := range codes {
		if c != 2 || !strings.Contains(outs[i], "already exists") {
			p.t.Errorf("ca sign over an existing web0.crt, process %d: exit %d: %s", i, c, outs[i])
		}
	}
	if err := os.Remove(p.path("out/web0.crt")); err != nil {
		p.t.Fatal(err)
	}
	codes, outs = p.parallel(8, func(int) []string { return []string{"ca", "sign", "web0", "--ca", "podca"} })
	won := 0
	for i, c := range codes {
		switch {
		case c == 0:
			won++
		case c != 2 || !strings.Contains(outs[i], "already exists"):
			p.t.Errorf("losing ca sign %d: exit %d, want 2 and 'already exists': %s", i, c, outs[i])
		}
	}
	if won != 1 {
		p.t.Errorf("%d processes wrote web0.crt, want exactly 1", won)
	}
	p.serial("web0.crt") // whole and readable
}

// checkCAKey proves the key file matches the recorded CA certificate.
func (p *procs) checkCAKey() {
	key, err := certio.ReadFile(p.path("home/podca.key"), certio.Options{})
	if err != nil {
		p.t.Fatal(err)
	}
	crt, err := certio.ReadFile(p.path("home/podca.crt"), certio.Options{})
	if err != nil {
		p.t.Fatal(err)
	}
	pub := crt.Certificates()[0].PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	if !pub.Equal(key.PrivateKeys()[0].PublicKey) {
		p.t.Fatal("podca.key does not belong to podca.crt")
	}
}

func (p *procs) serial(name string) string {
	f, err := certio.ReadFile(p.path("out/"+name), certio.Options{})
	if err != nil {
		p.t.Fatal(err)
	}
	return f.Certificates()[0].SerialNumber.String()
}

// twoPlanYAML is the seed 003 lab with RSA keys: slow enough to interleave.
const twoPlanYAML = `product: cms
domain: pod2.cms.lab
internal_ca: podca
callbridge_cluster: cms1.pod2.cms.lab
xmpp_domain: conf.pod2.cms.lab
webbridge: join.pod2.cms.lab
database_cluster: {nodes: [cms1a, cms1b, cms1c], ca: dbca}
nodes:
  - {name: cms1a, fqdn: cms1a.pod2.cms.lab, services: [callbridge, webadmin, webbridge, xmpp, database]}
  - {name: cms1b, fqdn: cms1b.pod2.cms.lab, services: [callbridge, webadmin, webbridge, xmpp, database]}
  - {name: cms1c, fqdn: cms1c.pod2.cms.lab, services: [callbridge, webadmin, webbridge, xmpp, database]}
`

// Three plans on one output directory at once, from a fresh home (so they
// also race to create the CAs): both succeed, one after the other, and the
// directory then checks clean (four rounds): every key matches its certificate and every
// chain verifies. Before the directory lock, 4 runs in 33 left mismatches.
func TestTwoPlansOnOneDirectory(t *testing.T) {
	if testing.Short() {
		t.Skip("runs many processes")
	}
	for round := range 4 {
		p := newProcs(t)
		if err := os.WriteFile(p.path("lab.yaml"), []byte(twoPlanYAML), 0o644); err != nil {
			t.Fatal(err)
		}
		codes, outs := p.parallel(3, func(int) []string { return []string{"plan", p.path("lab.yaml"), "-o", p.path("out")} })
		for i, c := range codes {
			if c != 0 {
				t.Fatalf("round %d, plan %d: exit %d: %s", round, i, c, outs[i])
			}
		}
		if c, out := p.run("plan", p.path("lab.yaml"), "-o", p.path("out"), "--check"); c != 0 {
			t.Fatalf("round %d: plan --check after two concurrent plans: exit %d: %s", round, c, out)
		}
	}
}
