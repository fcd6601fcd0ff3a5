package strictyaml

import (
	"strings"
	"testing"
)

type inner struct {
	A    Str `key:"a,required"`
	Line int `key:",line"`
}

type outer struct {
	Name  Str     `key:"name,required"`
	N     Int     `key:"n"`
	B     Bool    `key:"b"`
	List  []Str   `key:"list"`
	In    *inner  `key:"in"`
	Items []inner `key:"items"`
}

func decodeString(t *testing.T, s string) (outer, []Problem) {
	t.Helper()
	root, probs := Document([]byte(s))
	if len(probs) > 0 {
		return outer{}, probs
	}
	var o outer
	return o, Into(root, &o, "the test")
}

func TestInto(t *testing.T) {
	o, probs := decodeString(t, "name: x\nn: 3\nb: true\nlist: [p, q]\nin: {a: z}\nitems:\n  - a: 1\n")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if o.Name.Value != "x" || o.Name.Line != 1 || o.N.Value != 3 || !o.B.Value || len(o.List) != 2 || o.List[1].Line != 4 ||
		o.In == nil || o.In.A.Value != "z" || o.In.Line != 5 || o.Items[0].A.Value != "1" || o.Items[0].Line != 7 {
		t.Errorf("decoded %+v", o)
	}
}

func TestIntoProblems(t *testing.T) {
	tests := []struct {
		name, yaml string
		line       int
		want       string
	}{
		{"unknown", "name: x\nnmae2: y\n", 2, "unknown key"},
		{"suggest", "name: x\nlsit: []\n", 2, `did you mean "list"`},
		{"twice", "name: x\nname: y\n", 2, "appears twice"},
		{"required", "n: 1\n", 1, `required key "name"`},
		{"nested required", "name: x\nin: {}\n", 2, `required key "a"`},
		{"empty", "name:\n", 1, "has no value"},
		{"not list", "name: x\nlist: p\n", 2, "must be a list"},
		{"not mapping", "name: x\nin: [1]\n", 2, "must be a mapping"},
		{"not scalar", "name: [x]\n", 1, "must be a text value"},
		{"int", "name: x\nn: 1.5\n", 2, "whole number"},
		{"bool", "name: x\nb: 1\n", 2, "true or false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs := decodeString(t, tt.yaml)
			for _, p := range probs {
				if p.Line == tt.line && strings.Contains(p.Msg, tt.want) {
					return
				}
			}
			t.Errorf("want line %d %q, got %+v", tt.line, tt.want, probs)
		})
	}
}

func TestAliasBomb(t *testing.T) {
	doc := "c: &c [" + strings.Repeat("v, ", 399) + "v]\nitems: [&i {l: *c}" + strings.Repeat(", *i", 399) + "]\n"
	root, probs := Document([]byte(doc))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	var o struct {
		C     []Str `key:"c"`
		Items []struct {
			L []Str `key:"l"`
		} `key:"items"`
	}
	probs = Into(root, &o, "the test")
	if len(probs) != 1 || !strings.Contains(probs[0].Msg, "too large") {
		t.Errorf("alias expansion was not bounded: %v", probs)
	}
}

func FuzzDocument(f *testing.F) {
	f.Add([]byte("name: x\nlist: [a]\nin: {a: b}\n"))
	f.Add([]byte("a: &x {b: *x}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		root, probs := Document(data)
		if root == nil {
			if len(probs) == 0 {
				t.Fatal("no root and no problem")
			}
			return
		}
		var o outer
		Into(root, &o, "the fuzz")
	})
}
