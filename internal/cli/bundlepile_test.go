package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/bundler"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/testpki"
)

// fixture is a file of the chain engine's fixtures (internal/chain/testdata).
func fixture(name string) string { return filepath.Join("..", "chain", "testdata", name) }

// cliRun is one run of the CLI: exit code, stdout, stderr and the -o file.
type cliRun struct {
	code                 int
	stdout, stderr, file string
}

func runCLI(t *testing.T, args []string, out string) cliRun {
	t.Helper()
	os.Remove(out)
	var stdout, stderr bytes.Buffer
	code := Main(args, strings.NewReader(""), &stdout, &stderr)
	file, _ := os.ReadFile(out)
	return cliRun{code, stdout.String(), stderr.String(), string(file)}
}

// repeatFiles writes the named fixtures n times over into one file, with
// middle (fixtures too) once in the middle.
func repeatFiles(t *testing.T, path string, n int, files, middle []string) []byte {
	t.Helper()
	var one, mid []byte
	for _, f := range files {
		one = append(one, readFile(t, fixture(f))...)
	}
	for _, f := range middle {
		mid = append(mid, readFile(t, fixture(f))...)
	}
	var data []byte
	for i := range n {
		data = append(data, one...)
		if i == n/2 {
			data = append(data, mid...)
		}
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return data
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestBundleStreamMatchesWholeRead: bundle with its PEM files streamed into
// the pile's index (in batches of 2,048 and of 5, so across batch
// boundaries) writes, prints and exits exactly as with every file read
// whole, on the fixture piles of every layout, with --leaf, --key, --roots
// and --json, on incomplete and ambiguous piles, and on damaged files.
func TestBundleStreamMatchesWholeRead(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.pem")
	pile := filepath.Join(dir, "pile.pem") // 2,107 certificates: more than a batch
	repeatFiles(t, pile, 700, []string{"pki/root2.pem", "pki/stray-inter.pem", "pki/stray-root.pem"},
		[]string{"pki/secondary.pem", "pki/leaf.pem", "pki/root.pem", "pki/primary.pem"})
	damaged := filepath.Join(dir, "damaged.pem")
	d := readFile(t, fixture("pki/leaf.pem"))
	if err := os.WriteFile(damaged, append(readFile(t, fixture("pki/primary.pem")), d[:len(d)/2]...), 0o644); err != nil {
		t.Fatal(err)
	}
	notCert := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(notCert, []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mixed := []string{fixture("piles/shuffled.pem"), fixture("piles/intermediates.p7b"), fixture("piles/leaf.der"), fixture("piles/windows-crlf.cer")}
	cross := []string{fixture("pki/primary.pem"), fixture("pki/leaf.pem"), fixture("pki/root.pem"), fixture("pki/primary-x.pem"), fixture("pki/secondary.pem"), fixture("pki/root2.pem")}
	var cases [][]string
	for _, l := range []chain.Layout{chain.LayoutChain, chain.LayoutCMS, chain.LayoutFullchain, chain.LayoutCWMS1x, chain.LayoutCWMS25, chain.LayoutMeetingPlace, chain.LayoutTrust} {
		cases = append(cases, append([]string{"bundle", "--layout", string(l)}, mixed...))
		cases = append(cases, []string{"bundle", "--layout", string(l), pile})
	}
	cases = append(cases,
		append([]string{"bundle", "--layout", "fullchain", "--roots", fixture("pki/root2.pem")}, cross...),
		append([]string{"bundle", "--layout", "fullchain", "--no-root", "--json", "-o", out}, cross...),
		[]string{"bundle", "--layout", "cms", "--leaf", fixture("pki/leaf.pem"), pile},
		[]string{"bundle", "--layout", "fullchain", "--key", fixture("pki/leaf.key"), "-o", out, pile},
		[]string{"bundle", "--layout", "fullchain", "--key", fixture("pki/other.key"), "-o", out, pile},
		[]string{"bundle", "--layout", "cms", fixture("pki/leaf.pem"), fixture("pki/secondary.pem")},
		[]string{"bundle", "--layout", "cms", "--allow-incomplete", "--json", "-o", out, fixture("pki/leaf.pem"), fixture("pki/secondary.pem")},
		[]string{"bundle", fixture("pki/leaf.pem"), fixture("pki/other-leaf.pem")},
		[]string{"bundle", fixture("pki/root.pem"), damaged},
		[]string{"bundle", notCert, pile},
		[]string{"bundle", "--layout", "trust", "--format", "p7b", "-o", out, pile, fixture("pki/root.pem")},
	)
	defer func(b int) { pileBatch, streamPiles = b, true }(pileBatch)
	codes := map[int]int{}
	for _, args := range cases {
		streamPiles = false
		want := runCLI(t, args, out)
		codes[want.code]++
		streamPiles = true
		for _, batch := range []int{2048, 5} {
			pileBatch = batch
			if got := runCLI(t, args, out); got != want {
				t.Errorf("%q, batch %d:\nstreamed: %+v\nwhole:    %+v", args[1:], batch, got, want)
			}
		}
	}
	if codes[exitOK] < 15 || codes[exitNo] < 2 || codes[exitUser] < 3 {
		t.Errorf("exit codes %v: want bundles written and refusals of both kinds", codes)
	}
}

// TestBundleLargePile: a pile too large to be read whole (over 4 MiB) is
// bundled as the chain engine bundles its certificates held in memory, and
// a damaged block in it is refused with the file named, nothing written.
func TestBundleLargePile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.pem")
	pile := filepath.Join(dir, "pile.pem")
	data := repeatFiles(t, pile, 2500, []string{"pki/root2.pem", "pki/stray-inter.pem", "pki/stray-root.pem"},
		[]string{"pki/secondary.pem", "pki/leaf.pem", "pki/root.pem", "pki/primary.pem"})
	if len(data) <= 4<<20 {
		t.Fatalf("the pile is %d bytes: not larger than a file read whole", len(data))
	}
	got := runCLI(t, []string{"bundle", "--layout", "fullchain", "--json", "-o", out, pile}, out)
	if got.code != exitOK {
		t.Fatalf("bundle: exit %d\n%s", got.code, got.stderr)
	}
	f, err := certio.Parse(pile, data, certio.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundler.Build(context.Background(), bundler.Request{Layout: chain.LayoutFullchain, Pile: f.Certificates()})
	if err != nil {
		t.Fatal(err)
	}
	wantJSON, _ := json.Marshal(newBundleReport(bundleFlags{format: "pem", output: out}, chain.LayoutFullchain, b.Status, nil))
	var gotDoc, wantDoc any
	if err := json.Unmarshal([]byte(got.stdout), &gotDoc); err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(wantJSON, &wantDoc)
	if fmt.Sprint(gotDoc) != fmt.Sprint(wantDoc) {
		t.Errorf("report of the large pile:\n%s\nwant:\n%s", got.stdout, wantJSON)
	}
	if want := string(certio.CertificatesPEM(b.Certs...)); got.file != want {
		t.Errorf("bundle of the large pile:\n%s\nwant:\n%s", got.file, want)
	}

	damaged := filepath.Join(dir, "damaged.pem")
	at := bytes.Index(data[len(data)/2:], []byte("-----END CERTIFICATE-----")) + len(data)/2
	bad := append(append(append([]byte{}, data[:at-10]...), '!'), data[at-9:]...)
	if err := os.WriteFile(damaged, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	got = runCLI(t, []string{"bundle", "-o", out, damaged}, out)
	if got.code != exitUser || !strings.Contains(got.stderr, damaged+": PEM block") || !strings.Contains(got.stderr, "damaged") || got.file != "" {
		t.Errorf("damaged large pile: exit %d, wrote %d bytes, stderr:\n%s", got.code, len(got.file), got.stderr)
	}
}

// TestBundleMemoryIsFlat: ten times the certificates in the pile does not
// make the heap the run uses ten times larger (issue 15), for a pile of
// copies (the system bundle's shape: the index holds each distinct
// certificate once) and for a pile of distinct certificates (the index
// keeps a few hundred bytes of each; each parsed batch is dropped). The
// live heap is measured after each batch (after a collection, so that the
// garbage the collector has not yet reclaimed, which depends on its timing,
// is not counted), less the heap before the run; batches of 256, so that
// the smaller pile too is read in several.
func TestBundleMemoryIsFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("makes 10,000 certificates")
	}
	dir := t.TempDir()
	root := testpki.Issue(t, testpki.CATemplate("Memory Root"), nil)
	rootPEM := certio.CertificatesPEM(root.Cert)
	leafKey := testpki.Key(t)
	distinct := func(n int) []byte {
		var out []byte
		for i := range n {
			tmpl := testpki.LeafTemplate(fmt.Sprintf("host%d.example.com", i))
			tmpl.SerialNumber = big.NewInt(int64(i + 100))
			out = append(out, certio.CertificatesPEM(testpki.Sign(t, tmpl, leafKey.Public(), root))...)
		}
		return out
	}
	write := func(name string, data ...[]byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, bytes.Join(data, nil), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	many := distinct(10000)
	first := many[:bytes.Index(many[1:], []byte("-----BEGIN"))+1]
	leaf := write("leaf.pem", first)
	off := 0
	for range 1000 {
		off += bytes.Index(many[off+1:], []byte("-----BEGIN")) + 1
	}
	files := [][2]string{
		{write("copies-small.pem", rootPEM, bytes.Repeat(first, 1000)), write("copies-big.pem", rootPEM, bytes.Repeat(first, 10000))},
		{write("distinct-small.pem", rootPEM, many[:off]), write("distinct-big.pem", rootPEM, many)},
	}
	many, first = nil, nil
	out := filepath.Join(dir, "out.pem")
	defer func(b int) { pileBatch = b }(pileBatch)
	pileBatch = 256
	peak := func(path string) uint64 {
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		base, top := m.HeapAlloc, m.HeapAlloc
		defer func(f func()) { pileIndexed = f }(pileIndexed)
		pileIndexed = func() {
			runtime.GC()
			runtime.ReadMemStats(&m)
			top = max(top, m.HeapAlloc)
		}
		if got := runCLI(t, []string{"bundle", "--layout", "fullchain", "--leaf", leaf, "-o", out, path}, out); got.code != exitOK {
			t.Fatalf("%s: exit %d\n%s", path, got.code, got.stderr)
		}
		return top - base
	}
	for _, f := range files {
		s, b := peak(f[0]), peak(f[1])
		t.Logf("%s: the run's peak live heap %d KiB, and %d KiB for 10x the certificates (%d bytes more per certificate added)",
			filepath.Base(f[0]), s>>10, b>>10, (int64(b)-int64(s))/9000)
		// The index grows by a few hundred bytes per distinct certificate
		// (a parsed one is 8.5 KB): 10x the pile stays under 4x the heap.
		if b > 4*s {
			t.Errorf("%s: peak heap grew %.1fx for 10x the certificates; want under 4x", filepath.Base(f[0]), float64(b)/float64(s))
		}
	}
}
