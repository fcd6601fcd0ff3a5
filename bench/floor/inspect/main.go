// Command inspect is the streaming floor bench/inspect.sh measures
// `confcert inspect --json` against: one pass over a PEM file of
// certificates, a batch of 2,048 at a time, decoded (certio.Stream), parsed,
// described (certfacts.Cert) and encoded as JSON on every core, written,
// then dropped. It finds no issuer (no index, no second pass) and writes one
// JSON object per line, not inspect's document.
//
//	go run ./bench/floor/inspect FILE > /dev/null
package main

import (
	"bufio"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/confcert/confcert/internal/certfacts"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/parallel"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: inspect FILE")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run(path string, out io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriterSize(out, 256<<10)
	s := certio.NewStream(f)
	now := time.Now()
	for n := 0; ; {
		ders, err := s.Next(2048)
		if errors.Is(err, io.EOF) {
			return w.Flush()
		}
		if err != nil {
			return err
		}
		lines := make([][]byte, len(ders))
		errs := make([]error, len(ders))
		parallel.For(len(ders), func(i int) {
			c, err := x509.ParseCertificate(ders[i])
			if err != nil {
				errs[i] = err
				return
			}
			lines[i], errs[i] = json.Marshal(certfacts.Cert(c, n+i, now))
		})
		if err := errors.Join(errs...); err != nil {
			return err
		}
		for _, l := range lines {
			w.Write(l)
			w.WriteByte('\n')
		}
		n += len(ders)
	}
}
