package probe

import (
	"context"
	"crypto/x509"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/openssltest"
	"github.com/confcert/confcert/internal/testpki"
)

// opensslServer runs "openssl s_server" on a loopback port presenting leaf
// with the chain file (if any); the process is killed when the test ends.
func opensslServer(t *testing.T, leaf *testpki.Issued, chainCerts ...*x509.Certificate) Target {
	t.Helper()
	openssltest.Need(t)
	dir := t.TempDir()
	keyPEM, err := certio.PrivateKeyPEM(leaf.Key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	target := closedPort(t)
	args := []string{"s_server", "-quiet", "-accept", "127.0.0.1:" + strconv.Itoa(target.Port),
		"-cert", write("leaf.pem", certio.CertificatesPEM(leaf.Cert)), "-key", write("leaf.key", keyPEM)}
	if len(chainCerts) > 0 {
		args = append(args, "-cert_chain", write("chain.pem", certio.CertificatesPEM(chainCerts...)))
	}
	cmd := exec.Command("openssl", args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	waitListening(t, target)
	return target
}

func waitListening(t *testing.T, target Target) {
	t.Helper()
	for range 100 {
		if c, err := net.DialTimeout("tcp", target.String(), time.Second); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("openssl s_server did not start on %s", target)
}

// TestProbeOpenSSLServer cross-checks against a second TLS implementation:
// what openssl serves is captured and judged the same way.
func TestProbeOpenSSLServer(t *testing.T) {
	p := testPKI()
	t.Run("complete", func(t *testing.T) {
		r := Probe(context.Background(), opensslServer(t, p.leaf, p.inter.Cert), trusting(p))
		checkResult(t, r, nil, "")
		if len(r.Chain) != 2 {
			t.Errorf("captured %d certificates, want 2", len(r.Chain))
		}
	})
	t.Run("missing intermediate", func(t *testing.T) {
		r := Probe(context.Background(), opensslServer(t, p.leaf), trusting(p))
		checkResult(t, r, []Code{IncompleteChain}, "Test Intermediate")
	})
}
