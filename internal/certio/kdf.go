package certio

import (
	"errors"
	"math"
)

// Limits on the key-derivation work a file may ask for. Real files use 2,048
// (openssl) to 600,000 PBKDF2 iterations and scrypt N=16384, r=8; a hostile
// PKCS#12 or encrypted key asking for 2^31 iterations or gigabytes of scrypt
// memory must be refused, not computed. A million iterations of the legacy
// PKCS#12 KDF take about a second here.
const (
	DefaultMaxKDFIterations = 1_000_000
	maxScryptWork           = 1 << 21 // N*r*p: 128*N*r bytes of memory
)

// errCostlyKDF refuses a file whose key derivation would take too long.
var errCostlyKDF = errors.New("its key derivation asks for an unreasonable iteration count or scrypt cost")

// costlyKDF reports whether a PKCS#12 file or encrypted PKCS#8 key (DER or
// BER) holds key-derivation parameters beyond the limits. Parameters are
// found by shape: a SEQUENCE holding an OCTET STRING (the salt) followed by
// INTEGERs (iterations; or scrypt's N, r, p). OCTET STRINGs holding DER,
// as PKCS#12 nests its contents, are searched too.
//
// The limit is a budget for the whole input: the iterations of every
// key-derivation found are added up (a PKCS#12 file's MAC and each of its
// bags; each key of a PEM file, see costlyKDFBlocks), so twenty keys at the
// limit cost no more than one.
func costlyKDF(data []byte, maxIterations int) bool {
	return costlyKDFBlocks([][]byte{data}, maxIterations)
}

// costlyKDFBlocks is costlyKDF for the blocks of one file together.
func costlyKDFBlocks(blocks [][]byte, maxIterations int) bool {
	s := kdfScan{maxIterations: int64(maxIterations)}
	if s.maxIterations <= 0 {
		s.maxIterations = DefaultMaxKDFIterations
	}
	for _, b := range blocks {
		s.list(b, 0, false)
	}
	return s.costly
}

type kdfScan struct {
	maxIterations int64
	total         int64 // iterations of every derivation seen so far
	costly        bool
}

// list walks the values in data and returns how many bytes it used (up to
// and including the end-of-contents octets when indefinite is set).
func (s *kdfScan) list(data []byte, depth int, indefinite bool) int {
	var ints []int64
	salt := false
	pos := 0
	for pos < len(data) {
		if indefinite && pos+1 < len(data) && data[pos] == 0 && data[pos+1] == 0 {
			pos += 2
			break
		}
		constructed, end, next, ok := header(data, pos)
		if !ok {
			pos = len(data)
			break
		}
		tag := data[pos]
		if end < 0 {
			pos = next + s.nested(data[next:], depth, true)
			continue
		}
		content := data[next:end]
		switch {
		case constructed:
			s.nested(content, depth, false)
		case tag == 0x04: // OCTET STRING: a salt, or nested DER
			salt, ints = true, ints[:0]
			if len(content) > 1 && content[0] == 0x30 {
				s.nested(content, depth, false)
			}
		case tag == 0x02 && salt:
			ints = append(ints, intValue(content))
		}
		pos = end
	}
	s.check(ints)
	return pos
}

func (s *kdfScan) nested(data []byte, depth int, indefinite bool) int {
	if depth >= maxBERDepth || s.costly {
		return len(data)
	}
	return s.list(data, depth+1, indefinite)
}

// check judges the INTEGERs that followed a salt.
func (s *kdfScan) check(ints []int64) {
	if len(ints) == 0 {
		return
	}
	s.total = saturatingSum(s.total, ints[0])
	if s.total > s.maxIterations {
		s.costly = true
	}
	if len(ints) >= 3 && saturatingProduct(ints[:3]) > maxScryptWork {
		s.costly = true
	}
}

// intValue returns a non-negative DER INTEGER, MaxInt64 when it does not fit
// and 0 when negative.
func intValue(b []byte) int64 {
	if len(b) == 0 || b[0]&0x80 != 0 {
		return 0
	}
	for len(b) > 1 && b[0] == 0 {
		b = b[1:]
	}
	if len(b) > 7 {
		return math.MaxInt64
	}
	var v int64
	for _, c := range b {
		v = v<<8 | int64(c)
	}
	return v
}

func saturatingProduct(vs []int64) int64 {
	p := int64(1)
	for _, v := range vs {
		if v != 0 && p > math.MaxInt64/v {
			return math.MaxInt64
		}
		p *= v
	}
	return p
}

func saturatingSum(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
