package expiry

import (
	"bytes"
	"crypto/x509"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/testpki"
)

// TestScanStreamOddFiles: a directory of odd files gives, streamed, the
// report of the whole read, walked and named: CRLF text around the blocks,
// a block with headers, a 0-byte file, garbage over 4 MiB, blocks cut where
// the stream's reads end, a FIFO, a link to /dev/zero, a link to a file out
// of the directory, a link to a directory above (a loop, not followed) and
// a dangling link.
func TestScanStreamOddFiles(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "odd")
	root := testpki.Issue(t, testpki.CATemplate("Odd Root"), nil)
	inter := testpki.Issue(t, testpki.CATemplate("Odd Intermediate"), root)
	leaf := testpki.Issue(t, testpki.LeafTemplate("odd.example.com"), inter)
	pemChain := certio.CertificatesPEM(leaf.Cert, inter.Cert, root.Cert)
	first := certio.CertificatesPEM(leaf.Cert)
	files := map[string][]byte{
		"crlf.pem":    append([]byte("Bag Attributes\r\n    friendlyName: x\r\n"), bytes.ReplaceAll(pemChain, []byte("\n"), []byte("\r\n"))...),
		"headers.pem": bytes.Replace(pemChain, []byte("-----BEGIN CERTIFICATE-----\n"), []byte("-----BEGIN CERTIFICATE-----\nComment: a header\n\n"), 1),
		"empty.pem":   nil,
		"garbage.pem": bytes.Repeat([]byte("garbage\n"), 5<<17),
	}
	for i, at := range []int{64 << 10, 64<<10 + 1<<20} {
		for j, cut := range []int{3, len(first) - 3} {
			data := append(append([]byte{}, first...), bytes.Repeat([]byte("#"), at-cut-len(first)-1)...)
			files["split"+string(rune('a'+i))+string(rune('a'+j))+".pem"] = append(append(data, '\n'), pemChain...)
		}
	}
	for name, data := range files {
		write(t, filepath.Join(dir, name), data)
	}
	outside := filepath.Join(base, "outside.pem")
	write(t, outside, pemChain)
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.pem"), 0o600); err != nil {
		t.Fatal(err)
	}
	for link, to := range map[string]string{"zero.pem": "/dev/zero", "out.pem": outside, "loop": base, "dangling.pem": filepath.Join(base, "gone")} {
		if err := os.Symlink(to, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	o := Options{Now: now, WithinDays: 30, SystemRoots: func() ([]*x509.Certificate, error) { return []*x509.Certificate{root.Cert}, nil }}
	args := [][]string{{dir}}
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, n := range names {
		if !strings.HasSuffix(n, "loop") {
			args = append(args, []string{n})
		}
	}
	for _, a := range args {
		want := wholeScan(t, a, o)
		for _, batch := range []int{2048, 1} {
			if d := sameReport(streamedScan(t, a, o, batch), want); d != "" {
				t.Errorf("%s, batch %d: %s", filepath.Base(a[0]), batch, d)
			}
		}
	}
	if r := scan(t, []string{dir}, o); len(r.Items) < 3*8 {
		t.Errorf("%d rows: want those of every readable file", len(r.Items))
	}
}

// TestScanFileChangedWhileRead: a file over 4 MiB changed after its blocks
// were indexed and before a certificate of it is read again (truncated,
// emptied, a certificate replaced by another in the same place) is an error
// naming the file when named, a skip with the reason when walked, and no
// row of it is listed; one that only grew, or lost only text no
// certificate is read again from, gives the same rows (what is read again
// is checked, not the whole file).
func TestScanFileChangedWhileRead(t *testing.T) {
	dir := t.TempDir()
	root := testpki.Issue(t, testpki.CATemplate("Changed Root"), nil)
	leaf := testpki.Issue(t, testpki.LeafTemplate("changed.example.com"), root)
	other := testpki.Issue(t, testpki.LeafTemplate("change.example.com"), root)
	one := certio.CertificatesPEM(root.Cert, leaf.Cert)
	data := bytes.Repeat(one, 4000)
	data = append(data, bytes.Repeat([]byte("# padding\n"), 100)...)
	if len(data) <= maxFileSize {
		t.Fatalf("%d bytes: not over 4 MiB", len(data))
	}
	// the leaf of the first copy, the root's only child, replaced in place
	at := len(certio.CertificatesPEM(root.Cert))
	swap := certio.CertificatesPEM(other.Cert)
	replaced := append(append(append([]byte{}, data[:at]...), swap...), data[at+len(swap):]...)
	path := filepath.Join(dir, "sub", "big.pem")
	o := Options{Now: now, WithinDays: 30, SystemRoots: func() ([]*x509.Certificate, error) { return []*x509.Certificate{root.Cert}, nil }}
	write(t, path, data)
	want := scan(t, []string{path}, o)
	if len(want.Items) != 8000 || len(want.Errors) != 0 {
		t.Fatalf("unchanged: %d rows, errors %v", len(want.Items), want.Errors)
	}
	tests := []struct {
		name string
		data []byte
		ok   bool
	}{
		{"grown", append(append([]byte{}, data...), one...), true},
		{"truncated in the middle of a certificate read again", data[:at+len(swap)/2], false},
		{"truncated after the certificates read again", data[:len(data)/2], true},
		{"emptied", nil, false},
		{"a certificate replaced", replaced, false},
	}
	defer func(f func()) { batchDone = f }(batchDone)
	for _, tt := range tests {
		for _, walked := range []bool{false, true} {
			write(t, path, data)
			batches := 0
			batchDone = func() {
				// after the last batch: the file is indexed, and read
				// again once judged
				if batches++; batches == (8000+streamBatch-1)/streamBatch {
					if err := os.WriteFile(path, tt.data, 0o644); err != nil {
						t.Error(err)
					}
				}
			}
			arg := path
			if walked {
				arg = filepath.Dir(path)
			}
			got := scan(t, []string{arg}, o)
			batchDone = func() {}
			if tt.ok {
				if !walked && (!reflect.DeepEqual(got.Items, want.Items) || len(got.Errors) != 0) {
					t.Errorf("%s: %d rows, errors %v; want the %d rows unchanged", tt.name, len(got.Items), got.Errors, len(want.Items))
				}
				continue
			}
			reason := "changed while it was read"
			switch {
			case len(got.Items) != 0:
				t.Errorf("%s (walked %v): %d rows listed", tt.name, walked, len(got.Items))
			case !walked && (len(got.Errors) != 1 || !strings.HasPrefix(got.Errors[0].Error(), path+": ") || !strings.Contains(got.Errors[0].Error(), reason)):
				t.Errorf("%s: errors %v, want one naming %s: %s", tt.name, got.Errors, path, reason)
			case walked && (len(got.Skipped) != 1 || got.Skipped[0].Source != path || !strings.Contains(got.Skipped[0].Reason, reason)):
				t.Errorf("%s, walked: skipped %+v, want %s: %s", tt.name, got.Skipped, path, reason)
			}
		}
	}
}
