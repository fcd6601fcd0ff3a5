package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestBundleStreamOddInput: files of odd shapes give, streamed, the run
// the whole read gives: CRLF text around the blocks, a block with headers,
// a 0-byte file, garbage over 4 MiB, a block split exactly where the
// stream's first read (64 KiB) and its second (1 MiB more) end, a FIFO,
// /dev/zero and a directory given as a pile.
func TestBundleStreamOddInput(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.pem")
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	leaf := readFile(t, fixture("pki/leaf.pem"))
	inter := append(readFile(t, fixture("pki/secondary.pem")), readFile(t, fixture("pki/primary.pem"))...)
	root := readFile(t, fixture("pki/root.pem"))
	chainPEM := bytes.Join([][]byte{leaf, inter, root}, nil)
	crlf := bytes.ReplaceAll(chainPEM, []byte("\n"), []byte("\r\n"))
	crlf = append([]byte("Bag Attributes\r\n    friendlyName: x\r\n"), crlf...)
	headers := bytes.Replace(chainPEM, []byte("-----BEGIN CERTIFICATE-----\n"), []byte("-----BEGIN CERTIFICATE-----\nComment: a header\n\n"), 1)
	// text before the blocks so that a block starts, or its BEGIN line is
	// cut, exactly at the end of the first read and of the second
	var split []string
	for _, at := range []int{64 << 10, 64<<10 + 1<<20} {
		for _, cut := range []int{0, 5, len("-----BEGIN CERTIFICATE-----\n") + 10, len(leaf) - 3} {
			pad := at - cut
			data := append(bytes.Repeat([]byte("x"), pad-1), '\n')
			data = append(data, chainPEM...)
			split = append(split, write(filepath.Base(t.Name())+"-split-"+itoa(at)+"-"+itoa(cut)+".pem", data))
		}
	}
	garbage := write("garbage.pem", bytes.Repeat([]byte("garbage\n"), 5<<17))
	empty := write("empty.pem", nil)
	fifo := filepath.Join(dir, "fifo.pem")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := [][]string{
		{"bundle", "--layout", "fullchain", write("crlf.pem", crlf)},
		{"bundle", "--layout", "fullchain", write("headers.pem", headers)},
		{"bundle", empty},
		{"bundle", empty, write("chain.pem", chainPEM)},
		{"bundle", garbage},
		{"bundle", fifo},
		{"bundle", "/dev/zero"},
		{"bundle", dir},
	}
	for _, s := range split {
		cases = append(cases, []string{"bundle", "--layout", "fullchain", s})
	}
	defer func(b int) { pileBatch, streamPiles = b, true }(pileBatch)
	for _, args := range cases {
		streamPiles = false
		want := runCLI(t, args, out)
		streamPiles = true
		for _, batch := range []int{2048, 1} {
			pileBatch = batch
			if got := runCLI(t, args, out); got != want {
				t.Errorf("%q, batch %d:\nstreamed: %+v\nwhole:    %+v", args[1:], batch, got, want)
			}
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestBundlePileChangedWhileRead: a pile file changed after it was indexed
// and before its certificates are read again (truncated, replaced by
// another certificate in the same place) ends the run with exit 2, the file
// named and nothing written; one that only grew after its blocks, or whose
// name now holds another file or a directory (the file indexed is kept
// open), gives the same bundle.
func TestBundlePileChangedWhileRead(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.pem")
	pile := filepath.Join(dir, "pile.pem")
	leaf := readFile(t, fixture("pki/leaf.pem"))
	other := readFile(t, fixture("pki/other-leaf.pem"))
	inter := append(readFile(t, fixture("pki/secondary.pem")), readFile(t, fixture("pki/primary.pem"))...)
	root := readFile(t, fixture("pki/root.pem"))
	// the leaf last, then a comment long enough that another leaf fits in
	// its span
	orig := bytes.Join([][]byte{inter, root, leaf, bytes.Repeat([]byte("# comment\n"), 300)}, nil)
	at := len(inter) + len(root)
	replaced := append(append(append([]byte{}, orig[:at]...), other...), orig[at+len(other):]...)
	write := func(data []byte) {
		if err := os.WriteFile(pile, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name   string
		change func()
		ok     bool
	}{
		{"grown", func() { write(append(append([]byte{}, orig...), leaf...)) }, true},
		{"truncated", func() { write(orig[:at+len(leaf)/2]) }, false},
		{"emptied", func() { write(nil) }, false},
		{"another certificate in place", func() { write(replaced) }, false},
		{"another file", func() {
			tmp := pile + ".new"
			os.WriteFile(tmp, replaced, 0o644)
			if err := os.Rename(tmp, pile); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"a directory", func() {
			os.Remove(pile)
			if err := os.Mkdir(pile, 0o755); err != nil {
				t.Fatal(err)
			}
		}, true},
	}
	defer func(f func()) { pileIndexed = f }(pileIndexed)
	for _, layout := range []string{"fullchain", "trust"} {
		args := []string{"bundle", "--layout", layout, "-o", out, pile}
		os.RemoveAll(pile)
		write(orig)
		want := runCLI(t, args, out)
		if want.code != exitOK {
			t.Fatalf("%s, unchanged: exit %d\n%s", layout, want.code, want.stderr)
		}
		for _, tt := range tests {
			os.RemoveAll(pile)
			write(orig)
			pileIndexed = tt.change
			got := runCLI(t, args, out)
			pileIndexed = func() {}
			switch {
			case tt.ok && got != want:
				t.Errorf("%s, %s: %+v\nwant %+v", layout, tt.name, got, want)
			case !tt.ok && (got.code != exitUser || got.file != "" || !strings.Contains(got.stderr, "confcert: error: "+pile+": ") ||
				!strings.Contains(got.stderr, "changed while it was read")):
				t.Errorf("%s, %s: exit %d, wrote %d bytes, stderr:\n%s", layout, tt.name, got.code, len(got.file), got.stderr)
			}
		}
	}
}

// TestBundlePileGrowingWhileStreamed: a pile file appended to while it is
// streamed (a log, a copy in progress) is read as it was when opened: the
// stream stops at the size the file had, so a writer that never stops
// cannot keep it reading.
func TestBundlePileGrowingWhileStreamed(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.pem")
	pile := filepath.Join(dir, "pile.pem")
	chainPEM := bytes.Join([][]byte{readFile(t, fixture("pki/leaf.pem")), readFile(t, fixture("pki/secondary.pem")),
		readFile(t, fixture("pki/primary.pem")), readFile(t, fixture("pki/root.pem"))}, nil)
	stray := readFile(t, fixture("pki/stray-root.pem"))
	// larger than the stream's first reads, so that it reads again after
	// the first batches
	if err := os.WriteFile(pile, bytes.Repeat(chainPEM, 500), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"bundle", "--layout", "fullchain", "--json", "-o", out, pile}
	want := runCLI(t, args, out)
	defer func(b int, f func()) { pileBatch, pileIndexed = b, f }(pileBatch, pileIndexed)
	pileBatch = 16
	appended := 0
	pileIndexed = func() {
		if appended < 100 { // a bound, so that the test ends without the fix
			appended++
			f, err := os.OpenFile(pile, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.Write(stray)
			f.Close()
		}
	}
	if got := runCLI(t, args, out); got != want {
		t.Errorf("grown while streamed: %+v\nwant (as opened) %+v", got, want)
	}
}
