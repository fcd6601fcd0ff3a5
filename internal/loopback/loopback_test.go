package loopback

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/testpki"
)

// TestServeTLS: a client completes a handshake with the TLS handler and
// sees the served certificate.
func TestServeTLS(t *testing.T) {
	root := testpki.Issue(t, testpki.CATemplate("Loopback Root"), nil)
	leaf := testpki.Issue(t, testpki.LeafTemplate("loop.example.test"), root)
	addr := Serve(t, TLS(&tls.Config{Certificates: []tls.Certificate{
		testpki.TLSCertificate(leaf.Key, leaf.Cert)}}))
	pool := x509.NewCertPool()
	pool.AddCert(root.Cert)
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr,
		&tls.Config{RootCAs: pool, ServerName: "loop.example.test"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if got := conn.ConnectionState().PeerCertificates[0]; !got.Equal(leaf.Cert) {
		t.Errorf("served %q, want the leaf", got.Subject.CommonName)
	}
}

// TestSilentAndClosed: the silent handler accepts and says nothing; the
// closed address refuses.
func TestSilentAndClosed(t *testing.T) {
	conn, err := net.DialTimeout("tcp", Serve(t, Silent), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	var ne net.Error
	if _, err := conn.Read(make([]byte, 1)); !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("read from a silent server: %v, want a timeout", err)
	}
	if _, err := net.DialTimeout("tcp", ClosedAddr(t), 5*time.Second); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("dial a closed address: %v, want connection refused", err)
	}
}
