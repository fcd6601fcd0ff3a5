package apply

import (
	"context"
	"path/filepath"
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
