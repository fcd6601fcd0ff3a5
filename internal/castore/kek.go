package castore

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/confcert/confcert/internal/fileout"
)

// KEKFile is the default name of the key-encryption key in the confcert home.
const KEKFile = "confcert.kek"

// kekSize is the size of the key-encryption key: AES-256 (spec serve.md).
const kekSize = 32

// KEK is the key-encryption key that seals CA private keys in the store with
// AES-256-GCM. Each sealed key is bound to its CA's name (the GCM additional
// data), so a sealed key copied onto another CA's row does not open.
type KEK struct {
	aead cipher.AEAD
}

// NewKEK makes a KEK from 32 raw bytes.
func NewKEK(raw []byte) (*KEK, error) {
	if len(raw) != kekSize {
		return nil, fmt.Errorf("a key-encryption key is %d bytes, not %d", kekSize, len(raw))
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &KEK{aead: aead}, nil
}

// LoadKEK reads the KEK file at path, creating it (32 random bytes, mode
// 0600) when it is absent. created says whether it was made now. Two
// processes creating it at once end with the same key: the file appears
// whole under its name by a hard link, which only one of them can make.
func LoadKEK(path string) (k *KEK, created bool, err error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		created, err = createKEK(path)
		if err != nil {
			return nil, false, err
		}
		raw, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading key-encryption key: %w", err)
	}
	k, err = NewKEK(raw)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", path, err)
	}
	return k, created, nil
}

func createKEK(path string) (bool, error) {
	raw := make([]byte, kekSize)
	if _, err := rand.Read(raw); err != nil {
		return false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return false, fmt.Errorf("creating key-encryption key: %w", err)
	}
	staged := path + ".staged-" + base64.RawURLEncoding.EncodeToString(raw[:6])
	if err := fileout.Write(fileout.File{Path: staged, Data: raw, Private: true}); err != nil {
		return false, fmt.Errorf("creating key-encryption key: %w", err)
	}
	defer os.Remove(staged)
	err := os.Link(staged, path)
	if errors.Is(err, fs.ErrExist) {
		return false, nil // another process made it first: use theirs
	}
	if err != nil {
		return false, fmt.Errorf("creating key-encryption key %s: %w", path, err)
	}
	return true, nil
}

// seal encrypts a CA's PEM private key: base64 of nonce and ciphertext.
func (k *KEK) seal(ca string, keyPEM []byte) (string, error) {
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := k.aead.Seal(nonce, nonce, keyPEM, additional(ca))
	return base64.StdEncoding.EncodeToString(out), nil
}

// ErrWrongKEK says a sealed CA key does not open with the KEK given: another
// KEK sealed it, or the row was altered.
var ErrWrongKEK = errors.New("the CA key does not open with this key-encryption key")

// open decrypts what seal made for the same CA.
func (k *KEK) open(ca, sealed string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil || len(raw) < k.aead.NonceSize() {
		return nil, fmt.Errorf("CA %s: sealed key is not readable", ca)
	}
	n := k.aead.NonceSize()
	out, err := k.aead.Open(nil, raw[:n], raw[n:], additional(ca))
	if err != nil {
		return nil, fmt.Errorf("CA %s: %w", ca, ErrWrongKEK)
	}
	return out, nil
}

func additional(ca string) []byte { return []byte("confcert CA key:" + ca) }
