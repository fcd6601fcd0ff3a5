package certio

import "errors"

// maxBERDepth bounds the nesting of constructed values handed to the PKCS#7
// parser, whose BER-to-DER conversion costs depth × size: a nesting bomb of
// 20,000 levels took a second per parse. Real .p7b files nest about 10 deep.
const maxBERDepth = 64

// errTooDeep refuses an ASN.1 nesting bomb.
var errTooDeep = errors.New("ASN.1 nesting is too deep")

// tooDeep reports whether the BER in data nests constructed values more than
// limit deep. It walks the encoding without recursion; input it cannot walk
// is left for the real parser to refuse.
func tooDeep(data []byte, limit int) bool {
	ends := []int{len(data)} // end offset of each open value; -1 = indefinite length
	pos := 0
	for pos < len(data) {
		top := ends[len(ends)-1]
		if top >= 0 && pos >= top && len(ends) > 1 {
			ends = ends[:len(ends)-1]
			continue
		}
		if top < 0 && pos+1 < len(data) && data[pos] == 0 && data[pos+1] == 0 {
			pos += 2
			ends = ends[:len(ends)-1]
			continue
		}
		constructed, end, next, ok := header(data, pos)
		if !ok {
			return false
		}
		pos = next
		if !constructed {
			pos = end
			continue
		}
		ends = append(ends, end)
		if len(ends) > limit {
			return true
		}
	}
	return false
}

// header reads the tag and length at pos. end is where the value ends (-1 for
// an indefinite length), next where its contents start.
func header(data []byte, pos int) (constructed bool, end, next int, ok bool) {
	tag := data[pos]
	pos++
	if tag&0x1f == 0x1f {
		for pos < len(data) && data[pos]&0x80 != 0 {
			pos++
		}
		pos++
	}
	if pos >= len(data) {
		return false, 0, 0, false
	}
	constructed = tag&0x20 != 0
	l := data[pos]
	pos++
	if l == 0x80 {
		return constructed, -1, pos, constructed
	}
	n := int(l)
	if l&0x80 != 0 {
		k := int(l & 0x7f)
		if k > 4 || pos+k > len(data) {
			return false, 0, 0, false
		}
		n = 0
		for range k {
			n = n<<8 | int(data[pos])
			pos++
		}
	}
	if n > len(data)-pos {
		return false, 0, 0, false
	}
	return constructed, pos + n, pos, true
}
