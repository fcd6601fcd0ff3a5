package certio

import (
	"encoding/binary"
	"os"
	"testing"
	"unicode/utf16"
)

// utf16File encodes text as Windows Notepad saves "Unicode" (UTF-16 with a
// byte-order mark) in the given byte order.
func utf16File(text string, order binary.AppendByteOrder) []byte {
	out := order.AppendUint16(nil, 0xFEFF)
	for _, u := range utf16.Encode([]rune(text)) {
		out = order.AppendUint16(out, u)
	}
	return out
}

func TestReadsUTF16PEM(t *testing.T) {
	pem, err := os.ReadFile("testdata/chain.pem")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Parse("chain.pem", pem, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		order binary.AppendByteOrder
	}{{"little-endian", binary.LittleEndian}, {"big-endian", binary.BigEndian}} {
		t.Run(tc.name, func(t *testing.T) {
			crlf := string(ToCRLF(pem))
			got, err := Parse("chain-utf16.pem", utf16File("Certificate chain\r\n"+crlf, tc.order), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Objects) != len(want.Objects) {
				t.Fatalf("read %d objects, want %d", len(got.Objects), len(want.Objects))
			}
			for i, o := range got.Objects {
				if !o.Certificate.Equal(want.Objects[i].Certificate) {
					t.Errorf("certificate %d differs from the UTF-8 file's", i)
				}
			}
		})
	}
	if _, err := Parse("odd.bin", []byte{0xFF, 0xFE, 0x41}, Options{}); err == nil {
		t.Error("odd-length UTF-16 garbage was read without error")
	}
}
