package apply

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/plan"
)

// manyCerts plans n ECDSA certificates from podca: more than one batch, so
// a batch's files are written while the next batch is signed.
func manyCerts(n int) *plan.Plan {
	p := &plan.Plan{Product: "cms", CAs: []plan.CA{{Name: "podca", KeyType: "ecdsa-p256", Purpose: "internal"}}}
	for i := range n {
		name := fmt.Sprintf("n%04d", i)
		p.Certificates = append(p.Certificates, cert(name, name+".pod.lab", "podca", []string{name + ".pod.lab"}, "serverAuth"))
	}
	return p
}

// TestBatchesOverlapWriteEveryCertificate carries out a plan of two and a
// half batches from nothing, then again with every certificate deleted (all
// keys exist, so each batch is signed while the one before is written), and
// checks every certificate each time: on disk, made for its own key, signed
// by the CA, and recorded in the store.
func TestBatchesOverlapWriteEveryCertificate(t *testing.T) {
	e := newEnv(t)
	n := 2*maxBatch + 10
	e.run(manyCerts(n))
	first := e.checkAll(t, n)
	for i := range n {
		if err := os.Remove(e.path(fmt.Sprintf("n%04d.crt", i))); err != nil {
			t.Fatal(err)
		}
	}
	e.run(manyCerts(n))
	second := e.checkAll(t, n)
	for name, serial := range second {
		if first[name] == serial {
			t.Errorf("%s: not signed again (serial %s)", name, serial)
		}
	}
	issued, err := e.store.Issued(context.Background(), castore.Filter{CA: "podca"})
	if err != nil {
		t.Fatal(err)
	}
	if len(issued) != 2*n {
		t.Errorf("the store records %d certificates, want %d", len(issued), 2*n)
	}
}

// checkAll checks the n certificates of manyCerts and returns their serials.
func (e *env) checkAll(t *testing.T, n int) map[string]string {
	t.Helper()
	ca, err := e.store.CA(context.Background(), "podca")
	if err != nil {
		t.Fatal(err)
	}
	recorded := map[string]bool{}
	issued, err := e.store.Issued(context.Background(), castore.Filter{CA: "podca"})
	if err != nil {
		t.Fatal(err)
	}
	for _, is := range issued {
		if is.CertDER != nil {
			recorded[castore.SerialHex(is.Serial)] = true
		}
	}
	serials := map[string]string{}
	for i := range n {
		name := fmt.Sprintf("n%04d", i)
		c, err := readCert(e.path(name + ".crt"))
		if err != nil || c == nil {
			t.Fatalf("%s.crt: %v", name, err)
		}
		key, _, err := readKey(e.path(name + ".key"))
		if err != nil || key == nil {
			t.Fatalf("%s.key: %v", name, err)
		}
		if !keys.Match(key, c.PublicKey) {
			t.Fatalf("%s.crt is not for %s.key", name, name)
		}
		if err := c.CheckSignatureFrom(ca.Cert); err != nil {
			t.Fatalf("%s.crt: %v", name, err)
		}
		if c.Subject.CommonName != name+".pod.lab" {
			t.Fatalf("%s.crt is for %s", name, c.Subject.CommonName)
		}
		serial := castore.SerialHex(c.SerialNumber)
		if !recorded[serial] {
			t.Fatalf("%s.crt (serial %s) is on disk without its record", name, serial)
		}
		serials[name] = serial
	}
	return serials
}

// TestBatchWriteErrorStopsTheRun: a certificate of the first batch cannot
// be written (a directory stands where its file goes); the run fails naming
// it, and waits for nothing left behind: the certificates before it are in
// place, none after it (its batch's files, made ready on several
// goroutines, are discarded; the next batch, signed meanwhile, is recorded
// but never written: the next run signs it again), no temporary file.
func TestBatchWriteErrorStopsTheRun(t *testing.T) {
	e := newEnv(t)
	n := maxBatch + 10
	block := func() { // once the files are read: a directory where n0005.crt goes
		// The directory must not be empty, or the rename over it succeeds.
		if err := os.MkdirAll(filepath.Join(e.path("n0005.crt"), "x"), 0o755); err != nil {
			t.Error(err)
		}
	}
	leaks := goleak.IgnoreCurrent()
	o := e.options(e.now)
	o.CAs = afterSignCAs{Authorities: o.CAs, after: sync.OnceFunc(block)}
	_, err := Run(context.Background(), manyCerts(n), o)
	if err == nil || !strings.Contains(err.Error(), "writing "+e.path("n0005.crt")) {
		t.Fatalf("Run = %v, want the error of writing n0005.crt", err)
	}
	goleak.VerifyNone(t, leaks) // no batch writer nor key maker left behind
	// The batch's files are made ready at once, yet placed in plan order.
	for i := range n {
		_, err := os.Stat(e.path(fmt.Sprintf("n%04d.crt", i)))
		if written := err == nil; i != 5 && written != (i < 5) {
			t.Errorf("n%04d.crt written %v, want %v: the write of n0005.crt failed", i, written, i < 5)
		}
	}
	if temps, _ := filepath.Glob(e.path(".*.tmp-*")); len(temps) > 0 {
		t.Errorf("the failed batch left %d temporary files, e.g. %s", len(temps), temps[0])
	}
	if err := os.RemoveAll(e.path("n0005.crt")); err != nil {
		t.Fatal(err)
	}
	e.run(manyCerts(n))
	e.checkAll(t, n)
}

// afterSignCAs hands out CAs that call after each time they have signed
// and recorded, one certificate or a batch.
type afterSignCAs struct {
	Authorities
	after func()
}

func (c afterSignCAs) Ensure(ctx context.Context, name, keyType string) (Authority, bool, error) {
	a, created, err := c.Authorities.Ensure(ctx, name, keyType)
	if err != nil {
		return nil, false, err
	}
	return afterSignCA{a.(BatchAuthority), c.after}, created, nil
}

func (c afterSignCAs) Find(ctx context.Context, name string) (Authority, error) {
	a, err := c.Authorities.Find(ctx, name)
	if err != nil {
		return nil, err
	}
	return afterSignCA{a.(BatchAuthority), c.after}, nil
}

type afterSignCA struct {
	BatchAuthority
	after func()
}

func (a afterSignCA) Sign(ctx context.Context, csr *x509.CertificateRequest, r SignRequest) (*x509.Certificate, error) {
	defer a.after()
	return a.BatchAuthority.Sign(ctx, csr, r)
}

func (a afterSignCA) SignAll(ctx context.Context, csrs []*x509.CertificateRequest, reqs []SignRequest) ([]*x509.Certificate, error) {
	defer a.after()
	return a.BatchAuthority.SignAll(ctx, csrs, reqs)
}

// cancelAfterCAs hands out CAs that cancel the run's context once their
// SignAll has signed and recorded batch number at (from 1), as Ctrl-C
// would while the batch before it is being written.
type cancelAfterCAs struct {
	Authorities
	at     int
	cancel context.CancelFunc
	calls  *int
}

func (c cancelAfterCAs) Ensure(ctx context.Context, name, keyType string) (Authority, bool, error) {
	a, created, err := c.Authorities.Ensure(ctx, name, keyType)
	return cancelAfterCA{a.(BatchAuthority), c}, created, err
}

func (c cancelAfterCAs) Find(ctx context.Context, name string) (Authority, error) {
	a, err := c.Authorities.Find(ctx, name)
	if err != nil {
		return nil, err
	}
	return cancelAfterCA{a.(BatchAuthority), c}, nil
}

type cancelAfterCA struct {
	BatchAuthority
	c cancelAfterCAs
}

func (a cancelAfterCA) SignAll(ctx context.Context, csrs []*x509.CertificateRequest, reqs []SignRequest) ([]*x509.Certificate, error) {
	certs, err := a.BatchAuthority.SignAll(ctx, csrs, reqs)
	if *a.c.calls++; *a.c.calls == a.c.at {
		a.c.cancel()
	}
	return certs, err
}

// TestBatchCancelledWhileWritingStops: Ctrl-C while the first batch is
// written and the second signed: the first batch's files are all written
// (each certificate after its record), the second's are not (signed and
// recorded, never written: the next run signs them again), the run fails
// with context.Canceled, leaves no goroutine behind and writes no plan.json.
// The next run completes.
func TestBatchCancelledWhileWritingStops(t *testing.T) {
	e := newEnv(t)
	n := maxBatch + 10
	e.run(manyCerts(n))
	first := batchSize(0, n) // every key exists: the first batch is that size
	for i := range n {
		if err := os.Remove(e.path(fmt.Sprintf("n%04d.crt", i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Remove(e.path("plan.json")); err != nil {
		t.Fatal(err)
	}
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := e.options(e.now)
	o.CAs = cancelAfterCAs{Authorities: o.CAs, at: 2, cancel: cancel, calls: new(int)}
	_, err := Run(ctx, manyCerts(n), o)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want an error wrapping context.Canceled", err)
	}
	for i := range n {
		_, err := os.Stat(e.path(fmt.Sprintf("n%04d.crt", i)))
		if written := err == nil; written != (i < first) {
			t.Errorf("n%04d.crt written %v after Ctrl-C in the second batch's signing", i, written)
		}
	}
	if _, err := os.Stat(e.path("plan.json")); err == nil {
		t.Error("plan.json written by a cancelled run")
	}
	e.run(manyCerts(n))
	e.checkAll(t, n)
}

// TestLoadItemsFirstErrorInPlanOrder: the keys, CSRs and certificates on
// disk are read on every core, yet a run that finds several unreadable
// files names the first in plan order, every time, and writes nothing.
func TestLoadItemsFirstErrorInPlanOrder(t *testing.T) {
	e := newEnv(t)
	n := 64
	e.run(manyCerts(n))
	for _, f := range []string{"n0060.key", "n0007.csr", "n0031.crt"} {
		if err := os.WriteFile(e.path(f), []byte("-----BEGIN GARBAGE-----\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Remove(e.path("plan.json")); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		_, err := Run(context.Background(), manyCerts(n), e.options(e.now))
		if err == nil || !strings.Contains(err.Error(), "n0007.csr") {
			t.Fatalf("Run = %v, want an error naming n0007.csr, the first in plan order", err)
		}
	}
	if _, err := os.Stat(e.path("plan.json")); err == nil {
		t.Error("plan.json written by a run that could not read its files")
	}
}

// withNotes adds an install note to every certificate of p.
func withNotes(p *plan.Plan) *plan.Plan {
	for _, c := range p.Certificates {
		p.Install = append(p.Install, plan.Install{Node: c.Name, File: "install/" + c.Name + ".txt",
			Uploads: []string{c.Files.Key, c.Files.Cert}, Commands: []string{"certs " + c.Files.Key + " " + c.Files.Cert}})
	}
	return p
}

// TestInstallNotesComparedAtOnceWrittenInPlanOrder: the install notes are
// rendered and compared with the files on disk on every core, yet a run
// writes exactly the notes that changed or are missing, reports them in
// plan order, and leaves the others (and their times) alone; plan.json,
// encoded meanwhile, is whole.
func TestInstallNotesComparedAtOnceWrittenInPlanOrder(t *testing.T) {
	e := newEnv(t)
	n := 40
	e.run(withNotes(manyCerts(n)))
	old := time.Unix(1_000_000_000, 0)
	for i := range n {
		if err := os.Chtimes(e.path(fmt.Sprintf("install/n%04d.txt", i)), old, old); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"install/n0031.txt", "install/n0003.txt"} {
		if err := os.WriteFile(e.path(f), []byte("edited by hand\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Remove(e.path("install/n0012.txt")); err != nil {
		t.Fatal(err)
	}
	res := e.run(withNotes(manyCerts(n)))
	var written []string
	for _, c := range res.Changes {
		if strings.HasPrefix(c.Name, "install/") {
			written = append(written, c.Name+" "+c.Why)
		}
	}
	want := []string{"install/n0003.txt content changed", "install/n0012.txt ", "install/n0031.txt content changed"}
	if !slices.Equal(written, want) {
		t.Errorf("install notes written: %q, want %q", written, want)
	}
	for i := range n {
		name := fmt.Sprintf("install/n%04d.txt", i)
		info, err := os.Stat(e.path(name))
		if err != nil {
			t.Fatal(err)
		}
		if rewritten := !info.ModTime().Equal(old); rewritten != slices.Contains([]int{3, 12, 31}, i) {
			t.Errorf("%s rewritten: %v", name, rewritten)
		}
		data, _ := os.ReadFile(e.path(name))
		if !strings.Contains(string(data), fmt.Sprintf("certs n%04d.key n%04d.crt", i, i)) {
			t.Errorf("%s holds:\n%s", name, data)
		}
	}
	data, err := os.ReadFile(e.path(DocumentFile))
	if err != nil {
		t.Fatal(err)
	}
	if doc, err := Document(res.Plan); err != nil || string(data) != string(doc) {
		t.Errorf("plan.json (%d bytes) is not the run's plan document (%d bytes): %v", len(data), len(doc), err)
	}
}

// TestBatchSizesStartAndEndSmall: the batches of a run whose keys all exist
// cover every certificate once, none above maxBatch; a small run is one
// batch; a large one starts and ends with batches of at most minBatch (the
// serial ends of the signing and writing overlap; a rest smaller than that
// joins the last batch) and reaches maxBatch.
func TestBatchSizesStartAndEndSmall(t *testing.T) {
	for _, tc := range []struct{ n, batches int }{{1, 1}, {16, 1}, {minBatch, 1}, {100, 3}, {maxBatch + 10, 6}, {1000, 9}, {5000, 25}} {
		var sizes []int
		for done := 0; done < tc.n; {
			size := min(batchSize(done, tc.n-done), tc.n-done)
			if size <= 0 || size > maxBatch {
				t.Fatalf("%d certificates: batch of %d after %d", tc.n, size, done)
			}
			sizes = append(sizes, size)
			done += size
		}
		if len(sizes) != tc.batches {
			t.Errorf("%d certificates: %d batches %v, want %d", tc.n, len(sizes), sizes, tc.batches)
		}
		if tc.n >= 1000 && (sizes[0] > minBatch || sizes[len(sizes)-1] >= 2*minBatch || !slices.Contains(sizes, maxBatch)) {
			t.Errorf("%d certificates: batches %v, want small ends and one of %d", tc.n, sizes, maxBatch)
		}
	}
}
