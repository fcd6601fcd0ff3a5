package cli

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/inputfile"
)

// pileBatch is how many certificates of a pile file are decoded and indexed
// at a time (a variable for the tests, which cross batch boundaries).
var pileBatch = 2048

// streamPiles is false only in tests that compare the stream with the
// whole read.
var streamPiles = true

// pileIndexed is called after each batch is indexed (tests measure the
// heap there).
var pileIndexed = func() {}

// pileFiles reads the certificates of a chain.Pile again from the files
// they were streamed from, keeping each file open until Close.
type pileFiles struct {
	mu    sync.Mutex
	paths []string
	open  map[int]*os.File
}

// load is the pile's chain.Loader.
func (pf *pileFiles) load(ref chain.Ref) (*x509.Certificate, error) {
	pf.mu.Lock()
	defer pf.mu.Unlock()
	f, ok := pf.open[ref.Input]
	if !ok {
		var err error
		if f, err = inputfile.Open(pf.paths[ref.Input], inputfile.MaxStreamFile); err != nil {
			return nil, &certio.FileError{Name: pf.paths[ref.Input], Err: err}
		}
		pf.open[ref.Input] = f
	}
	der, err := certio.ReadSpan(f, certio.Span{Offset: ref.Offset, Len: ref.Len})
	if err == nil {
		var c *x509.Certificate
		if c, err = x509.ParseCertificate(der); err == nil {
			return c, nil
		}
	}
	return nil, &certio.FileError{Name: pf.paths[ref.Input], Err: fmt.Errorf("%w: %v", chain.ErrChanged, err)}
}

// named gives a certificate read again that is not the one indexed (the
// chain engine's ChangedError) the name of its file.
func (pf *pileFiles) named(err error) error {
	var ce *chain.ChangedError
	if errors.As(err, &ce) && ce.Ref.Input >= 0 && ce.Ref.Input < len(pf.paths) {
		return &certio.FileError{Name: pf.paths[ce.Ref.Input], Err: err}
	}
	return err
}

// Close closes the files.
func (pf *pileFiles) Close() {
	pf.mu.Lock()
	defer pf.mu.Unlock()
	for _, f := range pf.open {
		f.Close()
	}
	pf.open = nil
}

// errReadWhole says a file is to be read whole (certio.ReadFile) rather
// than streamed into the pile.
var errReadWhole = errors.New("read whole")

// streamPile adds the certificates of the PEM file at path to the pile a
// batch at a time, keeping only the pile's compact index. It gives
// errReadWhole, with the pile as it was, for a file to read whole instead:
// standard input, one that cannot be opened, one holding anything but
// certificates, and any file small enough to be read whole whose stream
// fails (so that the whole read names the problem exactly as before).
func (pf *pileFiles) streamPile(p *chain.Pile, path string) error {
	if !streamPiles || path == certio.Stdin {
		return errReadWhole
	}
	f, err := inputfile.Open(path, inputfile.MaxStreamFile)
	if err != nil {
		return errReadWhole
	}
	small := true
	if fi, err := f.Stat(); err == nil {
		small = fi.Size() <= inputfile.MaxCertFile
	}
	s, err := certio.NewFileStream(f)
	if err != nil {
		f.Close()
		return errReadWhole
	}
	mark := p.Mark()
	input := len(pf.paths)
	pf.paths = append(pf.paths, path)
	n, err := streamInto(p, s, input)
	if err == nil {
		// kept open: its certificates are read again from the file
		// indexed, even if another one takes its name meanwhile
		pf.mu.Lock()
		pf.open[input] = f
		pf.mu.Unlock()
		return nil
	}
	f.Close()
	switch {
	case small || errors.Is(err, certio.ErrNotCertificates) && n == 0:
		p.Reset(mark)
		pf.paths = pf.paths[:input]
		return errReadWhole
	case errors.Is(err, certio.ErrNotCertificates):
		err = fmt.Errorf("after certificate %d: a PEM block that is not a certificate (a file over %d MiB is read only when it holds certificates only)",
			n, inputfile.MaxCertFile>>20)
	}
	return &certio.FileError{Name: path, Err: err}
}

// streamInto indexes the certificates of s in p; n is how many were
// indexed before an error.
func streamInto(p *chain.Pile, s *certio.Stream, input int) (n int, err error) {
	var refs []chain.Ref
	for {
		ders, err := s.Next(pileBatch)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		refs = refs[:0]
		for _, sp := range s.Spans() {
			refs = append(refs, chain.Ref{Input: input, Offset: sp.Offset, Len: sp.Len})
		}
		if err := p.AddDER(ders, refs); err != nil {
			var pe *chain.ParseError
			if errors.As(err, &pe) {
				return n, fmt.Errorf("certificate %d: %w", n+pe.Index+1, pe.Err)
			}
			return n, err
		}
		n += len(ders)
		pileIndexed()
	}
}
