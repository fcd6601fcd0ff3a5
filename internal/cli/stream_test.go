package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLargeCertificateFilesStream: inspect and list read a PEM file of
// certificates larger than any file read whole (inputfile.MaxCertFile) a
// batch at a time, and inspect --json writes every certificate with who
// issued it; a file as large that is not certificates only is still refused.
func TestLargeCertificateFilesStream(t *testing.T) {
	chain, err := os.ReadFile("../certio/testdata/chain.pem") // leaf, intermediate, root
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	const copies = 2000 // 4.6 MiB, 6,000 certificates
	big := filepath.Join(dir, "big.pem")
	if err := os.WriteFile(big, bytes.Repeat(chain, copies), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"inspect", "--json", big}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("inspect: exit %d\n%s", code, &stderr)
	}
	var doc struct {
		Objects []struct {
			Index         int  `json:"index"`
			IssuedByIndex *int `json:"issued_by_index"`
		} `json:"objects"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil || len(doc.Objects) != 3*copies {
		t.Fatalf("inspect --json: %d objects, %v; want %d", len(doc.Objects), err, 3*copies)
	}
	for _, o := range doc.Objects {
		// Every leaf and intermediate is issued by the first copy of its
		// issuer (indexes 1 and 2), every root by itself.
		want := map[int]int{0: 1, 1: 2, 2: o.Index}[o.Index%3]
		if o.IssuedByIndex == nil || *o.IssuedByIndex != want {
			t.Fatalf("object %d: issued_by_index %v, want %d", o.Index, o.IssuedByIndex, want)
		}
	}
	stdout.Reset()
	if code := Main([]string{"list", "--dir", dir}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("list: exit %d\n%s", code, &stderr)
	}
	if !strings.Contains(stdout.String(), "bundle of 6000 certificates") {
		t.Errorf("list:\n%s", &stdout)
	}
	key, err := os.ReadFile("../certio/testdata/ec-sec1.pem")
	if err != nil {
		t.Fatal(err)
	}
	// A file the whole read takes, more than a batch of certificates then a
	// key: read whole, one document, as before.
	small := filepath.Join(dir, "small.pem")
	if err := os.WriteFile(small, append(bytes.Repeat(chain, 1000), key...), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	if code := Main([]string{"inspect", "--json", small}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("inspect of certificates and a key: exit %d\n%s", code, &stderr)
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil || len(doc.Objects) != 3001 {
		t.Errorf("inspect --json of certificates and a key: %d objects, %v; want 3001", len(doc.Objects), err)
	}
	// Too large to be read whole: refused (after the certificates before
	// the key were written, as the stream goes).
	mixed := filepath.Join(dir, "mixed.pem")
	if err := os.WriteFile(mixed, append(bytes.Repeat(chain, copies), key...), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"inspect", "--json", mixed}, {"inspect", mixed}} {
		stdout.Reset()
		stderr.Reset()
		if code := Main(args, nil, &stdout, &stderr); code != exitUser ||
			!strings.Contains(stderr.String(), "certificates only") && !strings.Contains(stderr.String(), "larger than") {
			t.Errorf("%v of a large file with a key: exit %d\n%s", args, code, &stderr)
		}
	}
}

// appendOnFirstWrite is a stdout that, when inspect writes its first batch,
// appends more certificates to the file being streamed.
type appendOnFirstWrite struct {
	bytes.Buffer
	path  string
	extra []byte
	done  bool
}

func (w *appendOnFirstWrite) Write(p []byte) (int, error) {
	if !w.done {
		w.done = true
		f, err := os.OpenFile(w.path, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return 0, err
		}
		_, err = f.Write(w.extra)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return 0, err
		}
	}
	return w.Buffer.Write(p)
}

// TestInspectGrowingWhileStreamed: inspect --json streams a large file only
// as long as it was when opened (as bundle, expiry and list do): text
// appended while it runs, by a writer that never stops (a log, a copy in
// progress), is not read.
func TestInspectGrowingWhileStreamed(t *testing.T) {
	chain, err := os.ReadFile("../certio/testdata/chain.pem")
	if err != nil {
		t.Fatal(err)
	}
	const copies = 2000 // 4.6 MiB: streamed, not walked first
	big := filepath.Join(t.TempDir(), "big.pem")
	if err := os.WriteFile(big, bytes.Repeat(chain, copies), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout := &appendOnFirstWrite{path: big, extra: bytes.Repeat(chain, 10)}
	var stderr bytes.Buffer
	if code := Main([]string{"inspect", "--json", big}, nil, stdout, &stderr); code != exitOK {
		t.Fatalf("inspect: exit %d\n%s", code, &stderr)
	}
	if !stdout.done {
		t.Fatal("inspect wrote nothing while it streamed")
	}
	var doc struct {
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil || len(doc.Objects) != 3*copies {
		t.Errorf("inspect --json of a file grown while streamed: %d objects, %v; want %d, the file as opened", len(doc.Objects), err, 3*copies)
	}
}
