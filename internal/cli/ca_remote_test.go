package cli

import (
	"bytes"
	"context"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// busyService answers every call 503 with Retry-After, numbering its
// answers, and says on called when one is sent.
func busyService(t *testing.T, retryAfter string) (url, caFile string, calls *atomic.Int32, called chan struct{}) {
	calls, called = new(atomic.Int32), make(chan struct{}, 10)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n := calls.Add(1)
		w.Header().Set("Retry-After", retryAfter)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, `{"error": "the service is busy (answer %d)", "hint": "send the request again after the seconds of Retry-After"}`, n)
		called <- struct{}{}
	}))
	t.Cleanup(srv.Close)
	caFile = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	return srv.URL, caFile, calls, called
}

// submitArgs writes a CSR and a token and gives the arguments of ca submit.
func submitArgs(t *testing.T, url, caFile string) []string {
	dir := t.TempDir()
	for name, data := range map[string]string{"cb.csr": "not read by the service", "tok": "cct_x\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return []string{"--dir", dir, "ca", "submit", "cb.csr", "--profile", "cms-callbridge", "--server", url,
		"--server-ca", caFile, "--token-file", filepath.Join(dir, "tok")}
}

// TestCASubmitBusyEveryTime: a service busy at every try is asked 5 times;
// the verb then says so, and shows the last answer's error and hint as
// for any refusal (exit 2).
func TestCASubmitBusyEveryTime(t *testing.T) {
	url, caFile, calls, _ := busyService(t, "0")
	var out, errb bytes.Buffer
	code := Main(submitArgs(t, url, caFile), strings.NewReader(""), &out, &errb)
	want := "confcert: tried 5 times: the CA service was busy and asked to wait (Retry-After) before each try; its last answer:\n" +
		"confcert: error: the CA service answered 503 Service Unavailable: the service is busy (answer 5)\n" +
		"confcert: hint: send the request again after the seconds of Retry-After\n"
	if code != exitUser || errb.String() != want || out.Len() != 0 || calls.Load() != 5 {
		t.Errorf("exit %d, %d calls, stdout %q, stderr:\n%s\nwant exit 2, 5 calls, stderr:\n%s", code, calls.Load(), out.String(), errb.String(), want)
	}
}

// TestCASubmitInterruptedWhileWaiting: Ctrl-C while ca submit waits the
// 30 s a busy service asked for stops it at once (exit 130), with nothing
// sent again.
func TestCASubmitInterruptedWhileWaiting(t *testing.T) {
	url, caFile, calls, called := busyService(t, "30")
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-called
		cancel()
	}()
	var out, errb bytes.Buffer
	code := MainContext(ctx, submitArgs(t, url, caFile), strings.NewReader(""), &out, &errb)
	if code != exitInterrupted || !strings.Contains(errb.String(), "stopped") || calls.Load() != 1 {
		t.Errorf("exit %d, %d calls, stderr:\n%s\nwant 130, 1 call, stopped", code, calls.Load(), errb.String())
	}
}
