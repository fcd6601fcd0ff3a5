package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// batchesYAML plans 64 Meeting Server nodes, one certificate each, ECDSA:
// with every key made, two batches of 32 certificates, the second signed
// and recorded while the first is written.
func batchesYAML() string {
	var b strings.Builder
	b.WriteString("product: cms\ndomain: pod9.cms.lab\ninternal_ca: batchca\nkey: ecdsa-p256\nca_key: ecdsa-p256\ncallbridge_cluster: cms.pod9.cms.lab\nnodes:\n")
	for i := range 64 {
		fmt.Fprintf(&b, "  - {name: cb%02d, fqdn: cb%02d.pod9.cms.lab, services: [callbridge, webadmin]}\n", i, i)
	}
	return b.String()
}

// TestPlanSurvivesKillAcrossBatches: the kill tests of TestPlanSurvivesKill
// on a plan of two batches, whose files are made ready on several
// goroutines and placed in plan order: a SIGKILL at the first write of the
// second (its files all made ready, none placed) and in its middle leaves
// exactly the earlier files complete, every certificate on disk recorded,
// and the next run completes (no temporary file left, --check clean). A
// second round deletes every
// certificate first, so that every key exists and the second batch is
// signed while the first is written.
func TestPlanSurvivesKillAcrossBatches(t *testing.T) {
	bin, err := exec.LookPath("confcert")
	if err != nil {
		t.Fatal(err)
	}
	k := &killer{t: t, bin: bin, work: t.TempDir()}
	if err := os.WriteFile(k.file("lab.yaml"), []byte(batchesYAML()), 0o644); err != nil {
		t.Fatal(err)
	}
	k.complete("first") // creates the CA
	writes := k.listWrites("list")
	var certs []int // the write numbers (from 1) of the certificates
	for i := range writes {
		if fileKind(writes, i) == ".crt" {
			certs = append(certs, i+1)
		}
	}
	if len(certs) != 64 {
		t.Fatalf("a whole plan wrote %d certificates, want 64: %v", len(certs), writes)
	}
	points := []int{certs[31] + 1, certs[50]}
	for _, n := range points {
		dir := fmt.Sprintf("fresh%d", n)
		w := k.killAt(dir, n)
		k.assertMidWrite(dir, w, n-1)
		k.complete(dir)
	}
	// Every key exists: only the certificates are written, in two batches.
	for _, n := range []int{33, 51} {
		dir := fmt.Sprintf("again%d", n)
		k.complete(dir)
		for _, c := range globCerts(k.file(dir)) {
			if err := os.Remove(c); err != nil {
				t.Fatal(err)
			}
		}
		w := k.killAt(dir, n)
		k.assertMidWrite(dir, w, -1)
		if got := len(globCerts(k.file(dir))); got != n-1 {
			t.Errorf("%s: killed at the certificate write %d with %d certificates in place, want %d", dir, n, got, n-1)
		}
		k.complete(dir)
	}
}

// globCerts lists the node certificates in dir (no bundle).
func globCerts(dir string) []string {
	var out []string
	crts, _ := filepath.Glob(filepath.Join(dir, "cb*.crt"))
	for _, c := range crts {
		if !strings.Contains(c, "bundle") {
			out = append(out, c)
		}
	}
	return out
}
