package certio

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/confcert/confcert/internal/inputfile"
	"github.com/confcert/confcert/internal/parallel"
)

// streamChunk is how much of a file a Stream reads at a time.
const streamChunk = 1 << 20

// maxSegment bounds one PEM block's text in a stream: far above any real
// certificate, it keeps a file with no second block start from being held
// whole.
const maxSegment = 4 << 20

// ErrNotCertificates says a stream met a block that is not a certificate:
// the caller reads the file whole instead (ReadFile).
var ErrNotCertificates = errors.New("not a PEM file of certificates only")

// Stream reads a PEM file of certificates in batches, never holding more than
// a batch and one read chunk: the blocks are found and cut exactly as
// ReadFile cuts them, each block's base64 is decoded straight into its DER
// buffer, and the blocks of a batch are decoded in parallel.
type Stream struct {
	r     io.Reader
	buf   []byte // unread text: whole segments, then the start of the next
	eof   bool
	seen  int    // blocks returned so far
	any   bool   // a block start was found
	read  int    // bytes read so far
	start int64  // the offset the stream started at
	spans []Span // where the blocks of the last batch lie
}

// Span is where one PEM block lies in a streamed file: from its BEGIN line
// to the next block's BEGIN line (or the end of the file), the text Next
// decoded it from. ReadSpan decodes it again.
type Span struct {
	Offset int64
	Len    int64
}

// Spans returns where the blocks of the batch the last Next returned lie,
// one Span per certificate, in the same order. The slice is reused by the
// next call to Next.
func (s *Stream) Spans() []Span {
	return s.spans
}

// ReadSpan reads the block at sp of a file streamed earlier and returns its
// certificate's DER, decoded exactly as Next decoded it; a block that is
// not (or no longer) a certificate is an error.
func ReadSpan(r io.ReaderAt, sp Span) ([]byte, error) {
	if sp.Len <= 0 || sp.Len > 2*maxSegment { // a last block may carry up to a chunk more than maxSegment
		return nil, fmt.Errorf("no PEM block at offset %d", sp.Offset)
	}
	seg := make([]byte, sp.Len)
	if _, err := r.ReadAt(seg, sp.Offset); err != nil {
		return nil, fmt.Errorf("reading the PEM block at offset %d: %w", sp.Offset, err)
	}
	b := decodeBlock(seg)
	if b == nil {
		return nil, fmt.Errorf("the PEM block at offset %d is damaged or truncated", sp.Offset)
	}
	der, ok, err := certificateDER(b)
	switch {
	case !ok:
		return nil, fmt.Errorf("the PEM block at offset %d (%s) is not a certificate", sp.Offset, b.Type)
	case err != nil:
		return nil, fmt.Errorf("the PEM block at offset %d (%s): %w", sp.Offset, b.Type, err)
	}
	return der, nil
}

// NewStream reads PEM certificates from r.
func NewStream(r io.Reader) *Stream {
	return &Stream{r: r}
}

// NewFileStream is NewStream over the file f as it is now: the stream
// stops at the size f has when it is called, so a file appended to while
// it is read (a log, a copy in progress) cannot keep it reading.
func NewFileStream(f *os.File) (*Stream, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return NewStream(io.NewSectionReader(f, 0, fi.Size())), nil
}

// NewStreamAt is NewStream over r from offset bytes on, an Offset of an
// earlier Stream of the same file: it seeks when r can, and reads the bytes
// before offset away when it cannot.
func NewStreamAt(r io.Reader, offset int64) (*Stream, error) {
	if sk, ok := r.(io.Seeker); ok {
		if _, err := sk.Seek(offset, io.SeekStart); err != nil {
			return nil, err
		}
		return &Stream{r: r, any: true, start: offset}, nil
	}
	if _, err := io.CopyN(io.Discard, r, offset); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return &Stream{r: r, any: true, start: offset}, nil
}

// Offset is where in the file the certificates not yet returned start.
func (s *Stream) Offset() int64 {
	return s.start + int64(s.read-len(s.buf))
}

// Next returns the DER of up to max more certificates, in file order, and
// io.EOF once there are none. A block that is not a certificate gives
// ErrNotCertificates; a damaged block gives the error ReadFile gives.
func (s *Stream) Next(max int) ([][]byte, error) {
	segs, err := s.segments(max)
	if err != nil {
		return nil, err
	}
	if len(segs) == 0 {
		if !s.any {
			return nil, ErrNotCertificates // no PEM at all: ReadFile says what it is
		}
		return nil, io.EOF
	}
	ders := make([][]byte, len(segs))
	errs := make([]error, len(segs))
	parallel.For(len(segs), func(i int) {
		b := decodeBlock(segs[i])
		if b == nil {
			errs[i] = fmt.Errorf("PEM block %d is damaged or truncated", s.seen+i+1)
			return
		}
		der, ok, err := certificateDER(b)
		switch {
		case !ok:
			errs[i] = ErrNotCertificates
		case err != nil:
			errs[i] = fmt.Errorf("PEM block %d (%s): %w", s.seen+i+1, b.Type, err)
		}
		ders[i] = der
	})
	for _, err := range errs {
		if errors.Is(err, ErrNotCertificates) {
			return nil, err
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, firstError(errs)
	}
	s.seen += len(segs)
	return ders, nil
}

func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// segments cuts up to max whole segments (a block start up to the next
// block start, or the end of the file) off the text read so far, reading
// more as needed. Segments share the read buffer (fill only ever appends
// after the unread text, or moves it to a new buffer), so no text is copied.
func (s *Stream) segments(max int) ([][]byte, error) {
	var segs [][]byte
	s.spans = s.spans[:0]
	for len(segs) < max {
		start := bytes.Index(s.buf, pemStart)
		if start < 0 {
			if s.eof {
				return segs, nil
			}
			if !s.any && s.read >= streamChunk {
				return nil, ErrNotCertificates // a PEM file starts with its blocks, not a MiB of something else
			}
			s.buf = s.buf[max0(len(s.buf)-len(pemStart)):] // text before a block start is ignored
			if err := s.fill(); err != nil {
				return nil, err
			}
			continue
		}
		s.any = true
		next := bytes.Index(s.buf[start+len(pemStart):], pemStart)
		if next < 0 && !s.eof {
			if len(s.buf)-start > maxSegment {
				return nil, fmt.Errorf("PEM block %d is larger than %d MiB", s.seen+len(segs)+1, maxSegment>>20)
			}
			s.buf = s.buf[start:]
			if err := s.fill(); err != nil {
				return nil, err
			}
			continue
		}
		end := len(s.buf)
		if next >= 0 {
			end = start + len(pemStart) + next
		}
		s.spans = append(s.spans, Span{Offset: s.start + int64(s.read-len(s.buf)+start), Len: int64(end - start)})
		segs = append(segs, s.buf[start:end:end]) // read only: fill never writes before len(buf)
		s.buf = s.buf[end:]
	}
	return segs, nil
}

func max0(n int) int { return max(n, 0) }

// firstChunk is the first read of a stream: most certificate files are
// smaller, and a directory of them (list, expiry) should not cost a
// buffer of streamChunk each.
const firstChunk = 64 << 10

// fill appends the next chunk of the file to buf: firstChunk, then
// streamChunk at a time.
func (s *Stream) fill() error {
	chunk := streamChunk
	if s.read == 0 {
		chunk = firstChunk
	}
	if len(s.buf)+chunk > cap(s.buf) {
		nb := make([]byte, len(s.buf), len(s.buf)+2*chunk)
		copy(nb, s.buf)
		s.buf = nb
	}
	n, err := io.ReadFull(s.r, s.buf[len(s.buf):len(s.buf)+chunk])
	s.buf = s.buf[:len(s.buf)+n]
	s.read += n
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		s.eof = true
		return nil
	case err != nil:
		return err
	}
	return nil
}

// StreamFile reads the PEM file of certificates at path a batch at a time,
// parsing each batch on every core and handing it to fn in file order; the
// certificates of a batch are dropped once fn returns, so memory stays flat
// however large the file (up to inputfile.MaxStreamFile). A file that is not
// PEM certificates only gives ErrNotCertificates, possibly after some
// batches were handed out: the caller then reads it whole with ReadFile.
// Other errors are *FileError, as ReadFile's.
func StreamFile(path string, batch int, fn func([]*x509.Certificate) error) error {
	f, err := inputfile.Open(path, inputfile.MaxStreamFile)
	if err != nil {
		return ErrNotCertificates // ReadFile names the problem
	}
	defer f.Close()
	s, err := NewFileStream(f)
	if err != nil {
		return &FileError{Name: path, Err: err}
	}
	for n := 0; ; {
		ders, err := s.Next(batch)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if errors.Is(err, ErrNotCertificates) {
			return err
		}
		if err != nil {
			return &FileError{Name: path, Err: err}
		}
		certs := make([]*x509.Certificate, len(ders))
		errs := make([]error, len(ders))
		parallel.For(len(ders), func(i int) {
			certs[i], errs[i] = x509.ParseCertificate(ders[i])
		})
		for i, err := range errs {
			if err != nil {
				return &FileError{Name: path, Err: fmt.Errorf("certificate %d: %w", n+i+1, err)}
			}
		}
		if err := fn(certs); err != nil {
			return err
		}
		n += len(ders)
	}
}
