package apply

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/confcert/confcert/internal/keys"
)

// maxBatch bounds the certificates signed and written together: one
// transaction and one directory sync each.
const maxBatch = 256

// minBatch is the size of the first and last batches of a large run (when
// that many keys are ready): batchSize starts and ends small.
const minBatch = 32

// batchSize is how many certificates the next batch holds at most, done
// being carried out and left to go. Signing a batch overlaps writing the
// one before, so the first batch's signing (nothing is written meanwhile)
// and the last batch's writing (nothing is signed) are the run's serial
// ends: batches start at minBatch, double up to maxBatch, then halve
// towards the end (a rest smaller than minBatch joins the last batch): 9
// batches for 1,000 certificates instead of 4, for two more transactions
// and one more directory sync each.
func batchSize(done, left int) int {
	n := max(minBatch, min(maxBatch, done, left/2))
	if left-n < minBatch {
		return min(left, maxBatch)
	}
	return n
}

// BatchAuthority is an Authority that signs many CSRs in one batch, durable
// in one transaction for the serials and one for the records.
type BatchAuthority interface {
	Authority
	// SignAll signs csrs[i] as reqs[i] asks, for every i, returning the
	// certificates in the same order, each recorded before it is returned.
	SignAll(ctx context.Context, csrs []*x509.CertificateRequest, reqs []SignRequest) ([]*x509.Certificate, error)
}

// keyFeed hands out the items' new keys as they are made: ready[i] is
// closed once item i has its key (at once when it needs none).
type keyFeed struct {
	ready []chan struct{}
	done  chan struct{} // closed when key generation has ended
	err   error         // set before done is closed
}

// writeItems creates the missing local CAs while the keys are made, then
// carries out each certificate as soon as its key exists, in plan order:
// signing and writing overlap the generation of the next keys, and a batch's
// files are written while the next batch is signed (batchWriter).
func (r *run) writeItems(ctx context.Context) error {
	todo, types, err := r.keysToMake()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	caErr := make(chan error, 1)
	go func() { caErr <- r.createCAs(ctx) }()
	feed := r.startKeys(ctx, todo, types)
	defer func() { cancel(); <-feed.done }() // never leave a key being made behind
	if err := <-caErr; err != nil {
		cancel()
		<-feed.done
		return errors.Join(feed.err, err)
	}
	if err := r.recordClusters(ctx); err != nil {
		return err
	}
	w := &batchWriter{r: r}
	for next := 0; next < len(r.items); {
		n, err := feed.readyFrom(next, batchSize(next, len(r.items)-next))
		if err != nil {
			return errors.Join(err, w.wait())
		}
		if err := ctx.Err(); err != nil {
			err = fmt.Errorf("stopped before %s: %w", r.items[next].c.Name, err) // Ctrl-C: the next run goes on from here
			return errors.Join(err, w.wait())
		}
		batch := r.items[next : next+n]
		if r.issueWrites(batch) {
			if err := w.wait(); err != nil {
				return err
			}
		}
		certs, err := r.issueBatch(ctx, batch)
		if werr := w.wait(); err != nil || werr != nil {
			return errors.Join(werr, err)
		}
		if err := ctx.Err(); err != nil {
			// Ctrl-C while the batch before was written and this one
			// signed: its certificates are recorded but not written (the
			// next run signs them again), as a sequential run would not
			// have signed them.
			return fmt.Errorf("stopped before writing %s: %w", batch[0].c.Name, err)
		}
		w.start(batch, certs)
		next += n
	}
	return w.wait()
}

// batchWriter writes one batch's files while the next batch is signed, so
// signing (CPU) and writing (file creation and fsync) overlap. One batch is
// written at a time, in plan order; a batch's certificates are recorded
// before its files are written, as before.
type batchWriter struct {
	r    *run
	done chan error // the batch being written; nil when none
}

// start writes items' files in the background.
func (w *batchWriter) start(items []*item, certs []*x509.Certificate) {
	w.done = make(chan error, 1)
	go func() { w.done <- w.r.writeBatch(items, certs) }()
}

// wait waits for the batch being written, if any, and returns its error.
func (w *batchWriter) wait() error {
	if w.done == nil {
		return nil
	}
	err := <-w.done
	w.done = nil
	return err
}

// keysToMake lists the items that need a new key and the type of each.
func (r *run) keysToMake() ([]*item, []keys.Type, error) {
	var todo []*item
	var types []keys.Type
	for _, it := range r.items {
		if !it.newKey {
			continue
		}
		t, err := keys.ParseType(orDefault(it.c.KeyType), true)
		if err != nil {
			return nil, nil, fmt.Errorf("certificate %s: %w", it.c.Name, err)
		}
		todo, types = append(todo, it), append(types, t)
	}
	return todo, types, nil
}

// startKeys makes the keys of todo in parallel on every core, with a
// progress bar when the progress writer is a terminal. When ctx ends no new
// key is started and no key made after that is handed out.
func (r *run) startKeys(ctx context.Context, todo []*item, types []keys.Type) *keyFeed {
	f := &keyFeed{ready: make([]chan struct{}, len(r.items)), done: make(chan struct{})}
	of := map[*item]chan struct{}{}
	for i, it := range r.items {
		f.ready[i] = make(chan struct{})
		if it.newKey {
			of[it] = f.ready[i]
		} else {
			close(f.ready[i])
		}
	}
	go func() {
		defer close(f.done)
		if len(todo) == 0 {
			return
		}
		bar := r.progress(len(todo))
		err := keys.GenerateEach(ctx, types, func(i int, k crypto.Signer) {
			todo[i].key = k
			close(of[todo[i]])
			bar.Add(1)
		})
		bar.Finish()
		if err != nil {
			f.err = fmt.Errorf("generating keys: %w", err)
		}
	}()
	return f
}

// readyFrom waits until item i has its key and returns how many items from
// i on have theirs (at most limit), or the error that ended key generation.
func (f *keyFeed) readyFrom(i, limit int) (int, error) {
	select {
	case <-f.ready[i]:
	case <-f.done:
		select {
		case <-f.ready[i]:
		default:
			if f.err == nil {
				return 0, errors.New("generating keys: stopped early")
			}
			return 0, f.err
		}
	}
	n := 1
	for j := i + 1; j < len(f.ready) && n < limit; j++ {
		select {
		case <-f.ready[j]:
			n++
		default:
			return n, nil
		}
	}
	return n, nil
}
