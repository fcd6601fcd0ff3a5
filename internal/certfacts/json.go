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
	bw := bufio.NewWriterSize(w, 256<<10)
	file, err := json.Marshal(r.File)
	if err != nil {
		return err
	}
	fmt.Fprintf(bw, "{\n  \"file\": %s,\n  \"encoding\": %q,\n  \"locked\": %t,\n  \"objects\": [", file, r.Encoding, r.Locked)
	encoded := make([][]byte, jsonBatch)
	for start := 0; start < len(r.Objects); start += jsonBatch {
		batch := r.Objects[start:min(start+jsonBatch, len(r.Objects))]
		if err := encodeBatch(batch, encoded); err != nil {
			return err
		}
		for i := range batch {
			if start+i > 0 {
				bw.WriteByte(',')
			}
			bw.WriteString("\n    ")
			bw.Write(encoded[i])
		}
	}
	if len(r.Objects) > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]\n}\n")
	return bw.Flush()
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
