package chain

import (
	"encoding/pem"
	"os"
	"testing"
)

// FuzzSystemRoots feeds the system-roots loader (issue 11 item 12) damaged
// trust bundles: no panic, and only parsed certificates come back.
func FuzzSystemRoots(f *testing.F) {
	if data, err := os.ReadFile("testdata/pki/root.pem"); err == nil {
		f.Add(data)
		f.Add(append(append([]byte("# comment\n"), data...), []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")...))
	}
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{0x30, 0x03, 0x02, 0x01, 0x01}}))
	f.Add([]byte("-----BEGIN TRUSTED CERTIFICATE-----\n-----END TRUSTED CERTIFICATE-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range parsePEMCertificates(data) {
			if c == nil || len(c.Raw) == 0 {
				t.Fatal("a nil or empty certificate came back")
			}
		}
	})
}
