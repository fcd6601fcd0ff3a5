package keys

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"
	"golang.org/x/crypto/ssh"

	"github.com/confcert/confcert/internal/parallel"
)

func TestParseType(t *testing.T) {
	tests := []struct {
		name        string
		in          string
		allowLegacy bool
		want        Type
		wantErr     error
	}{
		{"default", "rsa2048", false, RSA2048, nil},
		{"upper case", "ECDSA-P256", false, ECDSAP256, nil},
		{"spaces", " ed25519 ", false, Ed25519, nil},
		{"p384", "ecdsa-p384", false, ECDSAP384, nil},
		{"rsa4096", "rsa4096", false, RSA4096, nil},
		{"legacy refused", "rsa1024", false, "", ErrLegacyType},
		{"legacy allowed", "rsa1024", true, RSA1024, nil},
		{"unknown", "dsa", true, "", ErrUnknownType},
		{"empty", "", false, "", ErrUnknownType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseType(tt.in, tt.allowLegacy)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ParseType(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ParseType(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestUnknownTypeNamesKnownOnes(t *testing.T) {
	_, err := ParseType("rsa512", false)
	if err == nil || !strings.Contains(err.Error(), `"rsa512"`) || !strings.Contains(err.Error(), "ecdsa-p256") {
		t.Fatalf("error %v should name the bad type and the known ones", err)
	}
}

func TestGenerateAndDescribe(t *testing.T) {
	tests := []struct {
		typ      Type
		wantAlg  string
		wantBits int
		label    string
	}{
		{RSA1024, "RSA", 1024, "RSA 1024"},
		{RSA2048, "RSA", 2048, "RSA 2048"},
		{ECDSAP256, "ECDSA", 256, "ECDSA P-256"},
		{ECDSAP384, "ECDSA", 384, "ECDSA P-384"},
		{Ed25519, "Ed25519", 256, "Ed25519"},
	}
	for _, tt := range tests {
		t.Run(string(tt.typ), func(t *testing.T) {
			key, err := Generate(tt.typ)
			if err != nil {
				t.Fatal(err)
			}
			alg, bits := Describe(key.Public())
			if alg != tt.wantAlg || bits != tt.wantBits {
				t.Errorf("Describe = %s %d, want %s %d", alg, bits, tt.wantAlg, tt.wantBits)
			}
			if got, ok := TypeOf(key); !ok || got != tt.typ {
				t.Errorf("TypeOf = %q %v, want %q", got, ok, tt.typ)
			}
			if got := Label(key); got != tt.label {
				t.Errorf("Label = %q, want %q", got, tt.label)
			}
		})
	}
}

// TestRSABits checks the sizes of the RSA types too slow to generate in
// every test run (3072 and 4096 bits).
func TestRSABits(t *testing.T) {
	tests := map[Type]int{RSA1024: 1024, RSA2048: 2048, RSA3072: 3072, RSA4096: 4096, ECDSAP256: 0, Ed25519: 0}
	for typ, want := range tests {
		if got := rsaBits(typ); got != want {
			t.Errorf("rsaBits(%s) = %d, want %d", typ, got, want)
		}
	}
}

func TestGenerateUnknown(t *testing.T) {
	if _, err := Generate("dsa"); !errors.Is(err, ErrUnknownType) {
		t.Fatalf("Generate(dsa) error = %v, want ErrUnknownType", err)
	}
}

func TestDescribeUnknown(t *testing.T) {
	if alg, bits := Describe("not a key"); alg != "unknown" || bits != 0 {
		t.Errorf("Describe(string) = %s %d", alg, bits)
	}
	if _, ok := TypeOf(nil); ok {
		t.Error("TypeOf(nil) reported a known type")
	}
}

func TestGenerateAll(t *testing.T) {
	types := []Type{ECDSAP256, Ed25519, RSA2048, ECDSAP384, ECDSAP256}
	var done atomic.Int32
	got, err := GenerateAll(context.Background(), types, func() { done.Add(1) })
	if err != nil {
		t.Fatal(err)
	}
	if int(done.Load()) != len(types) {
		t.Errorf("onDone called %d times, want %d", done.Load(), len(types))
	}
	for i, key := range got {
		if typ, _ := TypeOf(key); typ != types[i] {
			t.Errorf("key %d is %q, want %q", i, typ, types[i])
		}
	}
	if got[0].Public().(*ecdsa.PublicKey).Equal(got[4].Public()) {
		t.Error("two generated keys are equal")
	}
}

func TestGenerateAllError(t *testing.T) {
	types := []Type{ECDSAP256, "bogus", ECDSAP256, ECDSAP256, ECDSAP256}
	if _, err := GenerateAll(context.Background(), types, nil); !errors.Is(err, ErrUnknownType) {
		t.Fatalf("GenerateAll error = %v, want ErrUnknownType", err)
	}
	if got, err := GenerateAll(context.Background(), nil, nil); err != nil || len(got) != 0 {
		t.Fatalf("GenerateAll(nil) = %v, %v", got, err)
	}
}

func TestMatch(t *testing.T) {
	keys, err := GenerateAll(context.Background(), []Type{ECDSAP256, ECDSAP256, Ed25519, RSA1024}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		key  crypto.Signer
		pub  crypto.PublicKey
		want bool
	}{
		{"same ecdsa", keys[0], keys[0].Public(), true},
		{"copy of public key", keys[0], &ecdsa.PublicKey{Curve: keys[0].Public().(*ecdsa.PublicKey).Curve, X: keys[0].Public().(*ecdsa.PublicKey).X, Y: keys[0].Public().(*ecdsa.PublicKey).Y}, true},
		{"other ecdsa", keys[0], keys[1].Public(), false},
		{"same ed25519", keys[2], keys[2].Public().(ed25519.PublicKey), true},
		{"same rsa", keys[3], keys[3].Public().(*rsa.PublicKey), true},
		{"cross type", keys[2], keys[3].Public(), false},
		{"nil pub", keys[0], nil, false},
		{"nil key", nil, keys[0].Public(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Match(tt.key, tt.pub); got != tt.want {
				t.Errorf("Match = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAuthorizedKey(t *testing.T) {
	keys, err := GenerateAll(context.Background(), []Type{RSA2048, ECDSAP256, ECDSAP384, Ed25519}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range keys {
		t.Run(Label(key), func(t *testing.T) {
			line, err := AuthorizedKey(key, "john")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(string(line), " john\n") || strings.Count(string(line), "\n") != 1 {
				t.Errorf("line %q: want one line ending in the comment", line)
			}
			parsed, comment, _, _, err := ssh.ParseAuthorizedKey(line)
			if err != nil || comment != "john" {
				t.Fatalf("ParseAuthorizedKey: %v (comment %q)", err, comment)
			}
			want, _ := ssh.NewPublicKey(key.Public())
			if string(parsed.Marshal()) != string(want.Marshal()) {
				t.Error("round trip changed the key")
			}
			sshKeygenAccepts(t, line)
		})
	}
}

// sshKeygenAccepts checks the line with OpenSSH's own parser.
func sshKeygenAccepts(t *testing.T, line []byte) {
	t.Helper()
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Log("ssh-keygen not in PATH: cross-check skipped")
		return
	}
	path := filepath.Join(t.TempDir(), "john.pub")
	if err := os.WriteFile(path, line, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("ssh-keygen", "-l", "-f", path).CombinedOutput(); err != nil {
		t.Errorf("ssh-keygen -l refused the line: %v\n%s", err, out)
	}
}

func TestAuthorizedKeyRefusesNonKey(t *testing.T) {
	if _, err := AuthorizedKey("nope", ""); err == nil {
		t.Fatal("AuthorizedKey accepted a string")
	}
}

// TestGenerateAllStops: a context cancelled while keys are being made
// (Ctrl-C) stops the handing out of new keys: besides the key that saw the
// cancel, each other core finishes at most the one key it had started. The
// error wraps context.Canceled, no key is returned, and no goroutine is left.
func TestGenerateAllStops(t *testing.T) {
	defer goleak.VerifyNone(t)
	types := slices.Repeat([]Type{ECDSAP256}, 200)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var done int
	got, err := GenerateAll(ctx, types, func() {
		done++
		cancel()
	})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "key generation stopped") {
		t.Errorf("err = %v, want one that says key generation stopped, wrapping context.Canceled", err)
	}
	if got != nil {
		t.Errorf("%d keys returned after the cancel, want none", len(got))
	}
	if done > parallel.Workers() {
		t.Errorf("%d keys made after a cancel at the first, want at most one per core (%d)", done, parallel.Workers())
	}
}

// TestGenerateContextCancelled: with a context already ended no key is
// started at all.
func TestGenerateContextCancelled(t *testing.T) {
	defer goleak.VerifyNone(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var done int
	if _, err := GenerateAll(ctx, []Type{RSA4096, RSA4096}, func() { done++ }); !errors.Is(err, context.Canceled) || done != 0 {
		t.Errorf("GenerateAll = %v after %d keys, want context.Canceled after none", err, done)
	}
	if k, err := GenerateContext(ctx, RSA4096); !errors.Is(err, context.Canceled) || k != nil {
		t.Errorf("GenerateContext = %v, %v, want no key and context.Canceled", k, err)
	}
}
