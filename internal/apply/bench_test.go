package apply

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/catalog"
)

// BenchmarkRun10Node plans the 10-node Meeting Server cluster of
// bench/cms-10node.yaml from nothing: 16 certificates and 2 CAs, RSA-2048,
// in a fresh directory and CA store each time (the work bench/plan.sh times
// against openssl).
//
//	go test -run '^$' -bench Run10Node -benchtime 5x ./internal/apply
func BenchmarkRun10Node(b *testing.B) {
	path := filepath.Join("..", "..", "bench", "cms-10node.yaml")
	if p, err := catalog.Load(path, catalog.Options{}); err != nil || len(p.Certificates) != 16 {
		b.Fatalf("bench deployment: %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		p, _ := catalog.Load(path, catalog.Options{})
		store, err := castore.Open(context.Background(), b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		o := Options{Dir: b.TempDir(), CAs: StoreCAs(store, time.Now()), Now: time.Now()}
		b.StartTimer()
		if _, err := Run(context.Background(), p, o); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		store.Close()
		b.StartTimer()
	}
}

// BenchmarkResign is the work bench/sign.sh times against `openssl ca
// -batch -infiles`: an N-node Meeting Server plan (ECDSA P-256 node keys, a
// local CA with an RSA-2048 or an ECDSA P-256 key) was carried out once; each iteration deletes every node
// certificate and runs the plan again, which reads the plan, the keys and
// the CSRs, checks each CSR, signs N certificates in batches (serials and
// records one transaction per batch), writes them, and compares the
// install notes and plan.json with what is on disk.
//
//	go test -run '^$' -bench Resign -benchtime 3x ./internal/apply
func BenchmarkResign(b *testing.B) {
	for _, nodes := range []int{100, 1000} {
		for _, caKey := range []string{"rsa2048", "ecdsa-p256"} {
			b.Run(fmt.Sprintf("nodes=%d/ca=%s", nodes, caKey), func(b *testing.B) { benchResign(b, nodes, caKey) })
		}
	}
}

func benchResign(b *testing.B, nodes int, caKey string) {
	dir := b.TempDir()
	var y strings.Builder
	y.WriteString("product: cms\nversion: \"2.9\"\ndomain: sign.cms.lab\nkey: ecdsa-p256\nca_key: " + caKey + "\n" +
		"internal_ca: signca\ncallbridge_cluster: cluster.sign.cms.lab\nwebbridge: join.sign.cms.lab\nnodes:\n")
	for i := 1; i <= nodes; i++ {
		fmt.Fprintf(&y, "  - {name: n%04d, fqdn: n%04d.sign.cms.lab, services: [callbridge, webadmin]}\n", i, i)
	}
	path := filepath.Join(dir, "nodes.yaml")
	if err := os.WriteFile(path, []byte(y.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	store, err := castore.Open(context.Background(), filepath.Join(dir, "home"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	out := filepath.Join(dir, "out")
	run := func() {
		p, err := catalog.Load(path, catalog.Options{})
		if err != nil {
			b.Fatal(err)
		}
		o := Options{Dir: out, CAs: StoreCAs(store, time.Now()), Now: time.Now()}
		if _, err := Run(context.Background(), p, o); err != nil {
			b.Fatal(err)
		}
	}
	run() // keys, CSRs, the CA: made once
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		certs, _ := filepath.Glob(filepath.Join(out, "n[0-9]*.crt"))
		if len(certs) != nodes {
			b.Fatalf("%d node certificates, want %d", len(certs), nodes)
		}
		for _, c := range certs {
			if err := os.Remove(c); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		run()
	}
}
