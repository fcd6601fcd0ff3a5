package certfacts

// SetStreamBatch sets how many certificates a stream takes at a time and
// returns a function that puts it back: the tests cross batch boundaries
// with a few certificates.
func SetStreamBatch(n int) (restore func()) {
	old := streamBatch
	streamBatch = n
	return func() { streamBatch = old }
}
