package chain

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/confcert/confcert/internal/certio"
)

// streamPile indexes the PEM file data in a Pile, batch at a time, through
// certio.Stream and its Spans, as bundle and expiry do; the certificates
// are read again from now (the file as it is at read-back), as bundle's
// loader reads them. ders are the certificates the stream gave.
func streamPile(data, now []byte, batch int) (p *Pile, ders [][]byte, err error) {
	p = NewPile(func(ref Ref) (*x509.Certificate, error) {
		der, err := certio.ReadSpan(bytes.NewReader(now), certio.Span{Offset: ref.Offset, Len: ref.Len})
		if err == nil {
			var c *x509.Certificate
			if c, err = x509.ParseCertificate(der); err == nil {
				return c, nil
			}
		}
		return nil, fmt.Errorf("%w: %v", ErrChanged, err)
	})
	s := certio.NewStream(bytes.NewReader(data))
	for {
		batchDERs, err := s.Next(batch)
		if errors.Is(err, io.EOF) {
			return p, ders, nil
		}
		if err != nil {
			return nil, nil, err
		}
		var refs []Ref
		for _, sp := range s.Spans() {
			refs = append(refs, Ref{Offset: sp.Offset, Len: sp.Len})
		}
		if err := p.AddDER(batchDERs, refs); err != nil {
			return nil, nil, err
		}
		ders = append(ders, batchDERs...)
	}
}

// FuzzPileReadBack: a pile indexed from one file and read back from
// another (the file changed in between: truncated, grown, edited, another
// certificate in a block's place) never panics and never gives a
// certificate that is not the one indexed: Collect and Build either give
// the certificates indexed or fail with ErrChanged; read back from the
// same file, they give what Collect and Build give on the certificates
// parsed whole.
func FuzzPileReadBack(f *testing.F) {
	h := newHierarchy(f)
	all := certio.CertificatesPEM(h.leaf.Cert, h.inter1.Cert, h.inter2.Cert, h.root.Cert, h.leaf.Cert)
	stray := certio.CertificatesPEM(h.strayRoot.Cert)
	f.Add(all, all)
	f.Add(all, all[:len(all)/2])
	f.Add(all, []byte{})
	f.Add(all, append(append([]byte{}, all...), stray...))
	f.Add(all, append(append([]byte{}, stray...), all...))
	f.Add(bytes.ReplaceAll(all, []byte("\n"), []byte("\r\n")), all)
	f.Fuzz(func(t *testing.T, data, now []byte) {
		p, ders, err := streamPile(data, now, 2)
		if err != nil {
			return
		}
		coll, cerr := p.Collect()
		if cerr != nil && !errors.Is(cerr, ErrChanged) {
			t.Fatalf("Collect: %v, want ErrChanged or the certificates", cerr)
		}
		if cerr == nil {
			for _, c := range coll.Unique {
				if !containsDER(ders, c.Raw) {
					t.Fatalf("Collect gave a certificate that was not indexed")
				}
			}
		}
		built, berr := p.Build(Options{At: testNow})
		if berr == nil {
			for _, c := range built.Certificates() {
				if !containsDER(ders, c.Raw) {
					t.Fatalf("Build gave a certificate that was not indexed")
				}
			}
		}
		if !bytes.Equal(data, now) {
			return
		}
		held := make([]*x509.Certificate, 0, len(ders))
		for _, der := range ders {
			c, err := x509.ParseCertificate(der)
			if err != nil {
				t.Fatalf("indexed, yet does not parse: %v", err)
			}
			held = append(held, c)
		}
		if cerr != nil {
			t.Fatalf("Collect of an unchanged file: %v", cerr)
		}
		if d := chainDiff(Collect(held), nil, coll, nil); d != "" || !sameCerts(coll.Unique, Collect(held).Unique) {
			t.Fatalf("Collect of an unchanged file differs: %s", d)
		}
		want, werr := Build(held, Options{At: testNow})
		if d := chainDiff(want, werr, built, berr); d != "" {
			t.Fatalf("Build of an unchanged file differs: %s", d)
		}
	})
}

func containsDER(ders [][]byte, der []byte) bool {
	for _, d := range ders {
		if bytes.Equal(d, der) {
			return true
		}
	}
	return false
}
