package localca

import (
	"context"
	"crypto/x509"
	"sync"
	"testing"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/keys"
)

// Signers in several goroutines, half of them through stores of their own on
// the same database (as separate confcert processes would), never share a
// serial and every certificate is recorded.
func TestConcurrentSignersGetDistinctSerials(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ensure(t, openStore(t, dir), "podca")
	const signers, each = 6, 5
	csrs := make([]*x509.CertificateRequest, signers*each)
	for i := range csrs {
		csrs[i] = newCSR(t, "x.example.com")
	}
	shared := openStore(t, dir)
	certs := make([]*x509.Certificate, len(csrs))
	var wg sync.WaitGroup
	for g := range signers {
		s := shared
		if g%2 == 1 {
			s = openStore(t, dir)
		}
		ca, err := Load(ctx, s, "podca")
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g * each; i < (g+1)*each; i++ {
				cert, err := ca.Sign(ctx, csrs[i], signOpts())
				if err != nil {
					t.Error(err)
					return
				}
				certs[i] = cert
			}
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, c := range certs {
		if c == nil {
			t.Fatal("a signer failed")
		}
		seen[castore.SerialHex(c.SerialNumber)] = true
	}
	recorded, err := shared.Issued(ctx, castore.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != len(certs) || len(recorded) != len(certs) {
		t.Errorf("%d certificates, %d distinct serials, %d recorded", len(certs), len(seen), len(recorded))
	}
}

// Processes creating the same CA at once all end up with one and the same CA.
func TestConcurrentEnsureCAAgree(t *testing.T) {
	dir := t.TempDir()
	const racers = 4
	cas := make([]*CA, racers)
	created := make([]bool, racers)
	var wg sync.WaitGroup
	for i := range racers {
		s := openStore(t, dir)
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			cas[i], created[i], err = EnsureCA(context.Background(), s, "podca", keys.ECDSAP256, t0)
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	made := 0
	for i, ca := range cas {
		if ca == nil {
			t.Fatal("a racer failed")
		}
		if created[i] {
			made++
		}
		if !ca.Cert.Equal(cas[0].Cert) || !keys.Match(ca.Key, cas[0].Cert.PublicKey) {
			t.Errorf("racer %d got a different CA", i)
		}
	}
	if made != 1 {
		t.Errorf("%d racers say they created the CA, want 1", made)
	}
	final, err := Load(context.Background(), openStore(t, dir), "podca")
	if err != nil || !final.Cert.Equal(cas[0].Cert) {
		t.Errorf("reloaded CA differs: %v", err)
	}
}
