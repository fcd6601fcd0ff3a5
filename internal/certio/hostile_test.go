package certio

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"testing"

	"github.com/youmark/pkcs8"
)

// encryptedKeyInfo is an EncryptedPrivateKeyInfo (RFC 5208) with its PBES2
// parameters left raw, so a test can damage them.
type encryptedKeyInfo struct {
	Algo pkix.AlgorithmIdentifier
	Data []byte
}

type pbes2Raw struct {
	KDF    asn1.RawValue
	Scheme struct {
		Algo asn1.ObjectIdentifier
		IV   []byte
	}
}

// damagedPKCS8 returns a valid AES-256-CBC encrypted PKCS#8 key changed by
// damage.
func damagedPKCS8(t *testing.T, damage func(*encryptedKeyInfo, *pbes2Raw)) []byte {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, err := pkcs8.MarshalPrivateKey(key, []byte("pw"), &pkcs8.Opts{
		Cipher: pkcs8.AES256CBC, KDFOpts: pkcs8.PBKDF2Opts{SaltSize: 8, IterationCount: 2, HMACHash: 5},
	})
	if err != nil {
		t.Fatal(err)
	}
	var info encryptedKeyInfo
	if _, err := asn1.Unmarshal(der, &info); err != nil {
		t.Fatal(err)
	}
	var params pbes2Raw
	if _, err := asn1.Unmarshal(info.Algo.Parameters.FullBytes, &params); err != nil {
		t.Fatal(err)
	}
	damage(&info, &params)
	if info.Algo.Parameters.FullBytes, err = asn1.Marshal(params); err != nil {
		t.Fatal(err)
	}
	out, err := asn1.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: out})
}

// Malformed PBES2 keys made the PKCS#8 library panic; they are refused as
// damaged keys, naming the file.
func TestMalformedEncryptedPKCS8IsRefusedNotAPanic(t *testing.T) {
	tests := []struct {
		name   string
		damage func(*encryptedKeyInfo, *pbes2Raw)
	}{
		{"ciphertext not whole blocks", func(i *encryptedKeyInfo, _ *pbes2Raw) { i.Data = i.Data[:len(i.Data)-3] }},
		{"empty ciphertext", func(i *encryptedKeyInfo, _ *pbes2Raw) { i.Data = nil }},
		{"short IV", func(_ *encryptedKeyInfo, p *pbes2Raw) { p.Scheme.IV = p.Scheme.IV[:5] }},
		{"no IV", func(_ *encryptedKeyInfo, p *pbes2Raw) { p.Scheme.IV = nil }},
		{"long IV", func(_ *encryptedKeyInfo, p *pbes2Raw) { p.Scheme.IV = append(p.Scheme.IV, 1, 2, 3) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := damagedPKCS8(t, tt.damage)
			_, err := Parse("bad.key", data, Options{Password: func() ([]byte, error) { return []byte("pw"), nil }})
			var fe *FileError
			if !errors.As(err, &fe) || fe.Name != "bad.key" {
				t.Fatalf("Parse = %v, want an error naming bad.key", err)
			}
		})
	}
}

func TestRecoverTurnsAPanicIntoAnError(t *testing.T) {
	err := recovered("the PKCS#7 parser", func() error { panic("index out of range") })
	if err == nil || !errors.Is(err, ErrMalformed) {
		t.Fatalf("recovered = %v, want ErrMalformed", err)
	}
	if err := recovered("x", func() error { return nil }); err != nil {
		t.Fatalf("recovered without a panic = %v", err)
	}
}
