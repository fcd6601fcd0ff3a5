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
	mixed := filepath.Join(dir, "mixed.pem")
	if err := os.WriteFile(mixed, append(bytes.Repeat(chain, copies), key...), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	stderr.Reset()
	if code := Main([]string{"inspect", "--json", mixed}, nil, &stdout, &stderr); code != exitUser ||
		stdout.Len() > 0 || !strings.Contains(stderr.String(), "larger than") {
		t.Errorf("inspect of a large file with a key: exit %d, %d bytes out\n%s", code, stdout.Len(), &stderr)
	}
}
