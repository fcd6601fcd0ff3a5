package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hostileInputs plants what must never block confcert or grow its memory:
// /dev/zero, a FIFO nobody writes, symlinks to both, and a 300 MB file.
func hostileInputs(t *testing.T, dir string) map[string]string {
	t.Helper()
	fifo := filepath.Join(dir, "fifo.pem")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	big := filepath.Join(dir, "big.pem")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(300 << 20) // sparse
	f.Close()
	os.Symlink("/dev/zero", filepath.Join(dir, "zero-link.pem"))
	os.Symlink(fifo, filepath.Join(dir, "fifo-link.pem"))
	return map[string]string{
		"/dev/zero":         "/dev/zero",
		"a FIFO":            fifo,
		"a symlink to zero": filepath.Join(dir, "zero-link.pem"),
		"a symlink to FIFO": filepath.Join(dir, "fifo-link.pem"),
		"a 300 MB file":     big,
	}
}

// Every verb that reads certificate files refuses each hostile input with
// exit 2 and a message naming it, instead of blocking or reading it all.
// (A verb that still hung would be killed by the minute's bound below.)
func TestHostileInputsAreRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("runs many processes")
	}
	bin, err := exec.LookPath("confcert")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "lab.yaml"), []byte(twoPlanYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	verbs := map[string]func(string) []string{
		"inspect": func(p string) []string { return []string{"inspect", p} },
		"verify":  func(p string) []string { return []string{"verify", p, p} },
		"bundle":  func(p string) []string { return []string{"bundle", p} },
		"convert": func(p string) []string {
			return []string{"convert", p, "-o", filepath.Join(dir, "out.der"), "--to", "der"}
		},
		"match":  func(p string) []string { return []string{"match", p, p} },
		"expiry": func(p string) []string { return []string{"expiry", p} },
		"plan":   func(p string) []string { return []string{"plan", p, "-o", filepath.Join(dir, "out")} },
		"plan --import": func(p string) []string {
			return []string{"plan", filepath.Join(dir, "lab.yaml"), "-o", filepath.Join(dir, "out"), "--import", p}
		},
	}
	for what, path := range hostileInputs(t, dir) {
		for verb, args := range verbs {
			t.Run(verb+" "+what, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				cmd := exec.CommandContext(ctx, bin, args(path)...)
				cmd.Env = append(os.Environ(), "CONFCERT_HOME="+filepath.Join(dir, "home"))
				out, _ := cmd.CombinedOutput()
				if ctx.Err() != nil {
					t.Fatalf("still running after a minute: %s", out)
				}
				if code := cmd.ProcessState.ExitCode(); code != 2 {
					t.Errorf("exit %d, want 2: %s", code, out)
				}
				if !strings.Contains(string(out), "regular file") && !strings.Contains(string(out), "larger than") {
					t.Errorf("message says neither 'not a regular file' nor 'larger than': %s", out)
				}
			})
		}
	}
}
