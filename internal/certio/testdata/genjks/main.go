// Command genjks writes ../keystore.jks from the gen.sh fixtures: a key entry
// (the RSA leaf key with its chain) and a trusted root, store password from
// ../password.txt, as keytool writes a JKS. Java is not needed:
//
//	go run ./internal/certio/testdata/genjks
package main

import (
	"bytes"
	"encoding/pem"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/pavlo-v-chernykh/keystore-go/v4"
)

func main() {
	dir := filepath.Join("internal", "certio", "testdata")
	pass, err := os.ReadFile(filepath.Join(dir, "password.txt"))
	if err != nil {
		log.Fatal(err)
	}
	der := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			log.Fatal(err)
		}
		b, _ := pem.Decode(data)
		return b.Bytes
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ks := keystore.New()
	chain := []keystore.Certificate{{Type: "X509", Content: der("leaf.pem")}, {Type: "X509", Content: der("int.pem")}, {Type: "X509", Content: der("root.pem")}}
	if err := ks.SetPrivateKeyEntry("cms", keystore.PrivateKeyEntry{CreationTime: at, PrivateKey: der("rsa-pkcs8.pem"), CertificateChain: chain}, pass); err != nil {
		log.Fatal(err)
	}
	if err := ks.SetTrustedCertificateEntry("root", keystore.TrustedCertificateEntry{CreationTime: at, Certificate: chain[2]}); err != nil {
		log.Fatal(err)
	}
	var buf bytes.Buffer
	if err := ks.Store(&buf, pass); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "keystore.jks"), buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
