package main

import (
	"bytes"
	"errors"
	"net"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/confcert/confcert/internal/loopback"
)

// TestCtrlCStopsProbe sends SIGINT to the real binary while it waits on a
// server that never answers (timeout a minute): the signal reaches the
// root context (signal.NotifyContext), the probe stops at once, and the
// process exits 130 with the stop on stderr and nothing on stdout.
func TestCtrlCStopsProbe(t *testing.T) {
	bin, err := exec.LookPath("confcert")
	if err != nil {
		t.Fatal(err)
	}
	reached := make(chan struct{}, 1)
	addr := loopback.Serve(t, func(c net.Conn) {
		reached <- struct{}{}
		loopback.Silent(c)
	})
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, "probe", "--timeout", "1m", addr)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	<-reached // the probe is waiting for the server's answer
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Errorf("exit: %v, want status 130\n%s", err, &stderr)
	}
	if !strings.Contains(stderr.String(), "confcert: error: stopped: interrupt signal received") {
		t.Errorf("stderr:\n%s\nwant the stop and the signal", &stderr)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout after the interrupt:\n%s", &stdout)
	}
}
