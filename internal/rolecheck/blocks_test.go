package rolecheck

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

const blockA = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
const blockK = "-----BEGIN PRIVATE KEY-----\nBBBB\n-----END PRIVATE KEY-----\n"

func TestScanBlocks(t *testing.T) {
	tests := []struct {
		name     string
		data     string
		types    []string
		problems []string // substrings, in order
	}{
		{"clean", blockA + blockA, []string{"CERTIFICATE", "CERTIFICATE"}, nil},
		{"key first", blockK + blockA, []string{"PRIVATE KEY", "CERTIFICATE"}, nil},
		{"trailing blank line is fine (D.2)", blockA + "\n", []string{"CERTIFICATE"}, nil},
		{"blank between", blockA + "\n" + blockA, []string{"CERTIFICATE", "CERTIFICATE"}, []string{"blank line between blocks (line 4)"}},
		{"bag attributes", "Bag Attributes\n" + blockA, []string{"CERTIFICATE"}, []string{"text outside the blocks (line 1)"}},
		{"crlf", strings.ReplaceAll(blockA, "\n", "\r\n"), []string{"CERTIFICATE"}, []string{"CR"}},
		{"no final newline", strings.TrimSuffix(blockA, "\n"), []string{"CERTIFICATE"}, []string{"no newline"}},
		{"unterminated", "-----BEGIN CERTIFICATE-----\nAAAA\n", []string{"CERTIFICATE"}, []string{"without its END"}},
		{"DER", "\x30\x82\x01\x00", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := scanBlocks([]byte(tt.data))
			var types []string
			for _, b := range l.Blocks {
				types = append(types, b.Type)
			}
			if !slices.Equal(types, tt.types) {
				t.Errorf("types = %q, want %q", types, tt.types)
			}
			got := l.problems()
			if len(got) != len(tt.problems) {
				t.Fatalf("problems = %q, want %q", got, tt.problems)
			}
			for i := range got {
				if !strings.Contains(got[i], tt.problems[i]) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got[i], tt.problems[i])
				}
			}
		})
	}
}

func FuzzScanBlocks(f *testing.F) {
	f.Add([]byte(blockA + blockA))
	f.Add([]byte(blockK + "\r\n\r\n" + blockA))
	f.Add([]byte("junk\n-----BEGIN X-----\n-----BEGIN Y-----\n"))
	f.Add([]byte("-----BEGIN -----\n-----END -----"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l := scanBlocks(data)
		if len(l.Blocks) > bytes.Count(data, []byte("-----BEGIN ")) {
			t.Fatalf("%d blocks from %d BEGIN markers", len(l.Blocks), bytes.Count(data, []byte("-----BEGIN ")))
		}
		if l.PEM != (len(l.Blocks) > 0) {
			t.Fatalf("PEM = %v with %d blocks", l.PEM, len(l.Blocks))
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, b := range l.Blocks {
			if b.Line < 1 || b.Line > lines {
				t.Fatalf("block line %d outside 1..%d", b.Line, lines)
			}
		}
		_ = l.problems()
	})
}
