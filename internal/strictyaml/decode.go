// Package strictyaml reads a YAML document strictly into Go structs: every key
// must be known, required keys must be there, scalars must have the right
// type, and every problem is reported with its line number, all of them at
// once. It keeps the line of each value so that later checks can point at it.
package strictyaml

import (
	"bytes"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// maxNodes bounds the nodes visited in one document, so that aliases that
// expand to a huge tree ("billion laughs") are refused instead of walked.
const maxNodes = 100000

// Problem is one thing wrong with a document, at a line (0 when unknown).
type Problem struct {
	Line int
	Msg  string
}

// Problemf makes a Problem at line.
func Problemf(line int, format string, args ...any) Problem {
	return Problem{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// Str is a scalar read as a string, with the line it was on. Value is ""
// (and Line 0) when the key is absent; an empty value is a problem.
type Str struct {
	Value string
	Line  int
}

// Int is a scalar read as an integer, with its line; Set is false when absent.
type Int struct {
	Value int
	Line  int
	Set   bool
}

// Bool is a scalar read as a boolean, with its line; Set is false when absent.
type Bool struct {
	Value bool
	Line  int
	Set   bool
}

var (
	strType  = reflect.TypeOf(Str{})
	intType  = reflect.TypeOf(Int{})
	boolType = reflect.TypeOf(Bool{})
)

// Document parses data as exactly one YAML document whose top is a mapping.
func Document(data []byte) (root *yaml.Node, problems []Problem) {
	defer func() {
		if r := recover(); r != nil {
			root, problems = nil, []Problem{Problemf(0, "cannot parse the YAML: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err.Error() == "EOF" {
			return nil, []Problem{Problemf(0, "the file is empty: a deployment starts with product: cms, cwms or meetingplace")}
		}
		return nil, []Problem{yamlProblem(err)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, []Problem{Problemf(extra.Line, "a second YAML document (---): a deployment file holds one")}
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, []Problem{Problemf(doc.Line, "the top of the file must be a mapping of keys (product:, ...)")}
	}
	return doc.Content[0], nil
}

var yamlLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^yaml: line (\d+): (.*)$`) })

// yamlProblem turns a yaml.v3 syntax error into a Problem with its line.
func yamlProblem(err error) Problem {
	if m := yamlLine().FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return Problemf(line, "YAML syntax: %s", m[2])
	}
	return Problemf(0, "YAML syntax: %s", strings.TrimPrefix(err.Error(), "yaml: "))
}

// Lookup returns the value node of key in mapping m (nil if absent).
func Lookup(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// Into decodes mapping n into out, a pointer to a struct whose fields carry
// `key:"name"`, `key:"name,required"` or `key:",line"` (an int that receives
// the mapping's line). Field types: Str, Int, Bool, a struct, a pointer to a
// struct (nil when absent), or slices of Str or of structs. what names the
// mapping in messages ("the deployment", "nodes entry 2").
func Into(n *yaml.Node, out any, what string) []Problem {
	d := &decoder{}
	d.mapping(n, reflect.ValueOf(out).Elem(), what)
	return d.problems
}

type decoder struct {
	problems []Problem
	visited  int
}

func (d *decoder) add(line int, format string, args ...any) {
	d.problems = append(d.problems, Problemf(line, format, args...))
}

// resolve follows aliases, counting nodes against maxNodes.
func (d *decoder) resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	d.visited++
	if d.visited == maxNodes {
		d.add(n.Line, "the document is too large (aliases expand to more than %d values)", maxNodes)
	}
	return n
}

// field is one decodable field of a struct.
type field struct {
	key      string
	required bool
	index    int
}

func fields(t reflect.Type) (keyed []field, lineIndex int) {
	lineIndex = -1
	for i := range t.NumField() {
		tag, ok := t.Field(i).Tag.Lookup("key")
		if !ok {
			continue
		}
		name, opt, _ := strings.Cut(tag, ",")
		if opt == "line" {
			lineIndex = i
			continue
		}
		keyed = append(keyed, field{key: name, required: opt == "required", index: i})
	}
	return keyed, lineIndex
}

func (d *decoder) mapping(n *yaml.Node, v reflect.Value, what string) {
	n = d.resolve(n)
	if d.visited >= maxNodes {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.add(n.Line, "%s must be a mapping of keys, not %s", what, kindName(n))
		return
	}
	keyed, lineIndex := fields(v.Type())
	if lineIndex >= 0 {
		v.Field(lineIndex).SetInt(int64(n.Line))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := d.resolve(n.Content[i]), n.Content[i+1]
		f, ok := findField(keyed, k.Value)
		switch {
		case !ok:
			d.add(k.Line, "unknown key %q in %s%s", k.Value, what, suggest(k.Value, keyed))
		case seen[k.Value]:
			d.add(k.Line, "key %q appears twice in %s", k.Value, what)
		default:
			seen[k.Value] = true
			d.value(val, v.Field(f.index), fmt.Sprintf("%q", k.Value))
		}
	}
	for _, f := range keyed {
		if f.required && !seen[f.key] {
			d.add(n.Line, "%s lacks the required key %q", what, f.key)
		}
	}
}

func findField(keyed []field, key string) (field, bool) {
	for _, f := range keyed {
		if f.key == key {
			return f, true
		}
	}
	return field{}, false
}

// suggest names the closest known key, or lists them all.
func suggest(key string, keyed []field) string {
	names := make([]string, len(keyed))
	for i, f := range keyed {
		names[i] = f.key
		if distance(strings.ToLower(key), f.key) <= 2 {
			return fmt.Sprintf(" (did you mean %q?)", f.key)
		}
	}
	return " (known keys: " + strings.Join(names, ", ") + ")"
}

func (d *decoder) value(n *yaml.Node, v reflect.Value, what string) {
	n = d.resolve(n)
	if d.visited >= maxNodes {
		return
	}
	switch {
	case v.Type() == strType:
		d.str(n, v, what)
	case v.Type() == intType:
		d.integer(n, v, what)
	case v.Type() == boolType:
		d.boolean(n, v, what)
	case v.Kind() == reflect.Struct:
		d.mapping(n, v, what)
	case v.Kind() == reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		d.mapping(n, p.Elem(), what)
		v.Set(p)
	case v.Kind() == reflect.Slice:
		d.sequence(n, v, what)
	default:
		panic(fmt.Sprintf("decode: unsupported field type %s", v.Type()))
	}
}

func (d *decoder) scalar(n *yaml.Node, what, want string) bool {
	if n.Kind != yaml.ScalarNode {
		d.add(n.Line, "%s must be %s, not %s", what, want, kindName(n))
		return false
	}
	if n.Tag == "!!null" || n.Value == "" {
		d.add(n.Line, "%s has no value: give %s or remove the key", what, want)
		return false
	}
	return true
}

func (d *decoder) str(n *yaml.Node, v reflect.Value, what string) {
	if d.scalar(n, what, "a text value") {
		v.Set(reflect.ValueOf(Str{Value: n.Value, Line: n.Line}))
	}
}

func (d *decoder) integer(n *yaml.Node, v reflect.Value, what string) {
	if !d.scalar(n, what, "a whole number") {
		return
	}
	i, err := strconv.Atoi(n.Value)
	if err != nil || n.Tag != "!!int" {
		d.add(n.Line, "%s must be a whole number, not %q", what, n.Value)
		return
	}
	v.Set(reflect.ValueOf(Int{Value: i, Line: n.Line, Set: true}))
}

func (d *decoder) boolean(n *yaml.Node, v reflect.Value, what string) {
	if !d.scalar(n, what, "true or false") {
		return
	}
	b, err := strconv.ParseBool(n.Value)
	if err != nil || n.Tag != "!!bool" {
		d.add(n.Line, "%s must be true or false, not %q", what, n.Value)
		return
	}
	v.Set(reflect.ValueOf(Bool{Value: b, Line: n.Line, Set: true}))
}

func (d *decoder) sequence(n *yaml.Node, v reflect.Value, what string) {
	if n.Kind != yaml.SequenceNode {
		d.add(n.Line, "%s must be a list ([a, b] or lines starting with -), not %s", what, kindName(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.value(item, s.Index(i), fmt.Sprintf("%s entry %d", what, i+1))
		if d.visited >= maxNodes {
			return
		}
	}
	v.Set(s)
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	default:
		return fmt.Sprintf("%q", n.Value)
	}
}

// distance is the Levenshtein edit distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
