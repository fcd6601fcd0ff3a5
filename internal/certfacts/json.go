package certfacts

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	"github.com/confcert/confcert/internal/parallel"
)

// jsonBatch is how many objects are encoded (in parallel) before being written.
const jsonBatch = 2048

// WriteJSON writes r as one JSON document, each object compact on its own
// line (easy to grep and to diff). Objects are encoded in batches, in
// parallel, and streamed out in file order, so a bundle of many thousands of
// certificates is never held as one big buffer.
func WriteJSON(w io.Writer, r *Report) error {
	jw, err := newJSONWriter(w, r.File, r.Encoding, r.Locked)
	if err != nil {
		return err
	}
	for start := 0; start < len(r.Objects); start += jsonBatch {
		if err := jw.objects(r.Objects[start:min(start+jsonBatch, len(r.Objects))]); err != nil {
			return err
		}
	}
	return jw.close()
}

// jsonWriter writes the inspect --json document a batch of objects at a
// time: WriteJSON and the streaming inspect (stream.go) share it, so their
// bytes are the same.
type jsonWriter struct {
	bw      *bufio.Writer
	encoded [][]byte
	n       int // objects written
}

func newJSONWriter(w io.Writer, file, encoding string, locked bool) (*jsonWriter, error) {
	bw := bufio.NewWriterSize(w, 256<<10)
	name, err := json.Marshal(file)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(bw, "{\n  \"file\": %s,\n  \"encoding\": %q,\n  \"locked\": %t,\n  \"objects\": [", name, encoding, locked)
	return &jsonWriter{bw: bw, encoded: make([][]byte, jsonBatch)}, nil
}

// objects encodes a batch of objects in parallel and writes them in order.
func (jw *jsonWriter) objects(batch []Object) error {
	for start := 0; start < len(batch); start += jsonBatch {
		part := batch[start:min(start+jsonBatch, len(batch))]
		if err := encodeBatch(part, jw.encoded); err != nil {
			return err
		}
		jw.write(jw.encoded[:len(part)])
	}
	return nil
}

// write writes objects already encoded, in order, and lets go of them.
func (jw *jsonWriter) write(encoded [][]byte) {
	for i, e := range encoded {
		if jw.n > 0 {
			jw.bw.WriteByte(',')
		}
		jw.bw.WriteString("\n    ")
		jw.bw.Write(e)
		encoded[i] = nil
		jw.n++
	}
}

// close ends the document and flushes it.
func (jw *jsonWriter) close() error {
	if jw.n > 0 {
		jw.bw.WriteString("\n  ")
	}
	jw.bw.WriteString("]\n}\n")
	return jw.bw.Flush()
}

func encodeBatch(batch []Object, out [][]byte) error {
	errs := make([]error, len(batch))
	parallel.For(len(batch), func(i int) {
		out[i], errs[i] = json.Marshal(batch[i])
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
