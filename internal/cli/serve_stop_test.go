package cli

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe to read while serve writes to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestServeStopsCleanly: serve ended by its context (SIGTERM, Ctrl-C)
// stops the server, drains the service's writes and closes the store,
// exits 0 and says "stopped", with no warning of writes left behind.
func TestServeStopsCleanly(t *testing.T) {
	t.Setenv("CONFCERT_HOME", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr lockedBuffer
	code := make(chan int, 1)
	go func() {
		code <- MainContext(ctx, []string{"serve", "--insecure-http", "--listen", "127.0.0.1:0"}, strings.NewReader(""), &bytes.Buffer{}, &stderr)
	}()
	for !strings.Contains(stderr.String(), "confcert: serving ") {
		select {
		case c := <-code:
			t.Fatalf("serve exited %d before serving:\n%s", c, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	if c := <-code; c != exitOK {
		t.Fatalf("serve exited %d, want 0:\n%s", c, stderr.String())
	}
	out := stderr.String()
	if !strings.HasSuffix(out, "confcert: stopped\n") || strings.Contains(out, "warning") {
		t.Errorf("stderr:\n%s\nwant it to end with confcert: stopped, no warning", out)
	}
}
