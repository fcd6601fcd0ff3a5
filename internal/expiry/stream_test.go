package expiry

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/testpki"
)

// streamedScan is Scan with every PEM file of certificates streamed in
// batches of batch (files of other kinds are still read whole).
func streamedScan(t *testing.T, args []string, o Options, batch int) Report {
	t.Helper()
	defer func(b int) { streamBatch = b }(streamBatch)
	streamBatch = batch
	return scan(t, args, o)
}

// wholeScan is Scan with every file read whole, as before issue 15.
func wholeScan(t *testing.T, args []string, o Options) Report {
	t.Helper()
	defer func(above int64) { streamAbove = above }(streamAbove)
	streamAbove = maxFileSize
	return scan(t, args, o)
}

// sameReport says how two reports differ, or "".
func sameReport(a, b Report) string {
	if !reflect.DeepEqual(a.Items, b.Items) {
		return fmt.Sprintf("items:\n%+v\n%+v", a.Items, b.Items)
	}
	if !reflect.DeepEqual(a.Skipped, b.Skipped) || a.Unreachable != b.Unreachable || fmt.Sprint(a.Errors) != fmt.Sprint(b.Errors) {
		return fmt.Sprintf("skipped %v / %v, errors %v / %v", a.Skipped, b.Skipped, a.Errors, b.Errors)
	}
	return ""
}

// TestScanStreamMatchesWholeRead: every PEM file streamed (in batches of
// 2,048 and of 2, so across batch boundaries) gives the report of the
// whole read: the directory of every format, chains whose CAs come before
// and after what they signed, with and without a public root (Public and
// the next renewal), a chain repeated 700 times, the engine's fixture piles.
func TestScanStreamMatchesWholeRead(t *testing.T) {
	dir := tree(t)
	pw := func() ([]byte, error) { return []byte("s3cret"), nil }
	root := testpki.Issue(t, testpki.CATemplate("Stream Root"), nil)
	inter := testpki.Issue(t, testpki.CATemplate("Stream Intermediate"), root)
	leaf := testpki.Issue(t, testpki.LeafTemplate("edge.example.com"), inter)
	stray := testpki.Issue(t, testpki.LeafTemplate("stray.example.com"), testpki.Issue(t, testpki.CATemplate("Elsewhere"), nil))
	write(t, filepath.Join(dir, "chains", "up.pem"), certio.CertificatesPEM(leaf.Cert, inter.Cert, root.Cert, stray.Cert))
	write(t, filepath.Join(dir, "chains", "down.pem"), certio.CertificatesPEM(root.Cert, stray.Cert, inter.Cert, leaf.Cert, inter.Cert))
	write(t, filepath.Join(dir, "chains", "many.pem"), bytes.Repeat(certio.CertificatesPEM(leaf.Cert, root.Cert, inter.Cert), 700))
	for _, name := range []string{"shuffled.pem", "windows-crlf.cer"} {
		write(t, filepath.Join(dir, "piles", name), readTestFile(t, filepath.Join("..", "chain", "testdata", "piles", name)))
	}
	args := []string{dir, filepath.Join(dir, "chains", "up.pem")}
	type run struct {
		args  []string
		roots []*x509.Certificate
	}
	runs := []run{{args, nil}, {args, []*x509.Certificate{root.Cert}}}
	// The system trust bundle, its own roots public: cross-signed and
	// renewed roots, every signature algorithm in use.
	if system, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt"); err == nil {
		path := filepath.Join(t.TempDir(), "system.pem")
		write(t, path, system)
		f, err := certio.ReadFile(path, certio.Options{})
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, run{[]string{path}, f.Certificates()})
	}
	for _, r := range runs {
		o := Options{Now: now, WithinDays: 30, Password: pw, SystemRoots: func() ([]*x509.Certificate, error) { return r.roots, nil }}
		want := wholeScan(t, r.args, o)
		if len(r.roots) > 0 && !publicIn(want) {
			t.Fatal("no certificate is public: the test proves less than it says")
		}
		for _, batch := range []int{2048, 2} {
			if d := sameReport(want, streamedScan(t, r.args, o, batch)); d != "" {
				t.Errorf("%v, %d roots, batch %d: streamed and whole reports differ: %s", r.args, len(r.roots), batch, d)
			}
		}
	}
}

func publicIn(r Report) bool {
	for _, it := range r.Items {
		if it.Public {
			return true
		}
	}
	return false
}

func readTestFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestScanLargeFile: a PEM file of certificates too large to be read whole
// (over 4 MiB, refused until issue 15) is listed as the whole read would
// list it; a damaged block in one, or a key after its certificates, is an
// error naming the file (a named file) or a skip with the reason (walked);
// as large a file that is not PEM is refused as before.
func TestScanLargeFile(t *testing.T) {
	dir := t.TempDir()
	root := testpki.Issue(t, testpki.CATemplate("Large Root"), nil)
	leaf := testpki.Issue(t, testpki.LeafTemplate("large.example.com"), root)
	data := bytes.Repeat(certio.CertificatesPEM(leaf.Cert, root.Cert), 4000)
	if len(data) <= maxFileSize {
		t.Fatalf("%d bytes: not larger than a file read whole", len(data))
	}
	big := filepath.Join(dir, "ok", "big.pem")
	write(t, big, data)
	o := Options{Now: now, WithinDays: 30, SystemRoots: func() ([]*x509.Certificate, error) { return []*x509.Certificate{root.Cert}, nil }}
	got := scan(t, []string{big}, o)
	// The whole read of so large a file is quadratic (each certificate is
	// checked against every other): its rows are those of one copy, at
	// each copy's position, which is what the whole read gives repeats.
	one := filepath.Join(dir, "one.pem")
	write(t, one, certio.CertificatesPEM(leaf.Cert, root.Cert))
	f, err := certio.ReadFile(one, certio.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var want Report
	for k := range 4000 {
		for _, it := range items(big, f.Certificates(), o) {
			it.Index += 2 * k
			want.Items = append(want.Items, it)
		}
	}
	want.sort()
	if d := sameReport(want, got); d != "" {
		t.Fatalf("large file: %s", d)
	}

	at := bytes.Index(data[len(data)/2:], []byte("-----END CERTIFICATE-----")) + len(data)/2
	damaged := filepath.Join(dir, "bad", "damaged.pem")
	write(t, damaged, append(append(append([]byte{}, data[:at-10]...), '!'), data[at-9:]...))
	key, err := certio.PrivateKeyPEM(leaf.Key)
	if err != nil {
		t.Fatal(err)
	}
	keyed := filepath.Join(dir, "bad", "keyed.pem")
	write(t, keyed, append(append([]byte{}, data...), key...))
	zeros := filepath.Join(dir, "bad", "zeros.pem")
	write(t, zeros, make([]byte, maxFileSize+1))
	named := scan(t, []string{damaged, keyed, zeros}, o)
	walked := scan(t, []string{filepath.Join(dir, "bad")}, o)
	for path, reason := range map[string]string{damaged: "PEM block 4001 is damaged or truncated",
		keyed: "a PEM block that is not a certificate (a file over 4 MiB is read only when it holds certificates only)", zeros: "larger than 4 MiB: not a certificate file"} {
		named := slices.ContainsFunc(named.Errors, func(err error) bool {
			return strings.HasPrefix(err.Error(), path+": ") && strings.Contains(err.Error(), reason)
		})
		if !named {
			t.Errorf("named %s: want an error naming it with %q", filepath.Base(path), reason)
		}
		found := false
		for _, s := range walked.Skipped {
			found = found || s.Source == path && strings.Contains(s.Reason, reason)
		}
		if !found {
			t.Errorf("walked %s: skipped %v, want %q", filepath.Base(path), walked.Skipped, reason)
		}
	}
	if len(named.Items) != 0 || len(walked.Items) != 0 || len(walked.Errors) != 0 {
		t.Errorf("items %d and %d, walk errors %v: want none", len(named.Items), len(walked.Items), walked.Errors)
	}
}

// TestScanMemoryIsFlat: ten times the certificates in a streamed file does
// not make the live heap ten times larger (issue 15). Every certificate is
// a row of the report (about 150 bytes, the output itself); the parsed
// certificates are dropped after each batch, and a distinct certificate
// keeps its row's template and its index entry (about 800 bytes in all,
// where a parsed certificate is 8.5 KB). Measured after each batch of 256,
// after a collection, less the heap before the scan.
func TestScanMemoryIsFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("makes 10,000 certificates")
	}
	dir := t.TempDir()
	root := testpki.Issue(t, testpki.CATemplate("Memory Root"), nil)
	key := testpki.Key(t)
	var many []byte
	for i := range 10000 {
		tmpl := testpki.LeafTemplate(fmt.Sprintf("host%d.example.com", i))
		tmpl.SerialNumber = big.NewInt(int64(i + 100))
		many = append(many, certio.CertificatesPEM(testpki.Sign(t, tmpl, key.Public(), root))...)
	}
	rootPEM := certio.CertificatesPEM(root.Cert)
	first := many[:bytes.Index(many[1:], []byte("-----BEGIN"))+1]
	off := 0
	for range 1000 {
		off += bytes.Index(many[off+1:], []byte("-----BEGIN")) + 1
	}
	files := [][2]string{
		{filepath.Join(dir, "copies-small.pem"), filepath.Join(dir, "copies-big.pem")},
		{filepath.Join(dir, "distinct-small.pem"), filepath.Join(dir, "distinct-big.pem")},
	}
	write(t, files[0][0], append(append([]byte{}, rootPEM...), bytes.Repeat(first, 1000)...))
	write(t, files[0][1], append(append([]byte{}, rootPEM...), bytes.Repeat(first, 10000)...))
	write(t, files[1][0], append(append([]byte{}, rootPEM...), many[:off]...))
	write(t, files[1][1], append(append([]byte{}, rootPEM...), many...))
	many, first = nil, nil
	o := Options{Now: now, WithinDays: 30, SystemRoots: func() ([]*x509.Certificate, error) { return []*x509.Certificate{root.Cert}, nil }}
	defer func(b int, f func()) { streamBatch, batchDone = b, f }(streamBatch, batchDone)
	streamBatch = 256
	peak := func(path string) uint64 {
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		base, top := m.HeapAlloc, m.HeapAlloc
		batchDone = func() {
			runtime.GC()
			runtime.ReadMemStats(&m)
			top = max(top, m.HeapAlloc)
		}
		r, err := Scan(context.Background(), []string{path}, o)
		if err != nil || len(r.Items) < 1000 || len(r.Errors) > 0 {
			t.Fatalf("%s: %d items, %v %v", path, len(r.Items), err, r.Errors)
		}
		return top - base
	}
	for _, f := range files {
		s, b := peak(f[0]), peak(f[1])
		t.Logf("%s: the scan's peak live heap %d KiB, and %d KiB for 10x the certificates (%d bytes more per certificate added)",
			filepath.Base(f[0]), s>>10, b>>10, (int64(b)-int64(s))/9000)
		if b > 5*s {
			t.Errorf("%s: peak heap grew %.1fx for 10x the certificates; want under 5x", filepath.Base(f[0]), float64(b)/float64(s))
		}
	}
}
