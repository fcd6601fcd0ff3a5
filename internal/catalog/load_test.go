package catalog

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadExample(t *testing.T) {
	p, err := Load("../../examples/cms-3node-lab.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Product != "cms" || len(p.Certificates) != 5 {
		t.Errorf("product %s with %d certificates", p.Product, len(p.Certificates))
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "none.yaml"), Options{})
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("want not-exist, got %v", err)
	}
}

func TestErrorFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.yaml")
	if err := os.WriteFile(path, []byte("product: cms\nfoo: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path, Options{})
	var de *Error
	if !errors.As(err, &de) {
		t.Fatalf("want *Error, got %v", err)
	}
	want := []string{path + `:2: unknown key "foo" in the deployment`, path + `:1: the deployment lacks the required key "domain"`}
	for _, w := range want {
		if !strings.Contains(de.Error(), w) {
			t.Errorf("error lacks %q:\n%s", w, de.Error())
		}
	}
}

func TestParseNonDeployments(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"empty", "", "the file is empty"},
		{"list", "- a\n- b\n", "must be a mapping"},
		{"two documents", "product: cms\n---\nproduct: cwms\n", "a second YAML document"},
		{"product is a list", "product: [cms]\n", "unknown product"},
		{"binary", "\x00\x01\x02", "YAML syntax"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tt.data), Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "x.yaml") {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	examples, _ := filepath.Glob("../../examples/*.yaml")
	for _, ex := range examples {
		data, err := os.ReadFile(ex)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("product: cms\na: &a [*a]\n"))
	f.Add([]byte("product: cwms\nversion: 2.5mr5\ndatacenters: [{name: x}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("fuzz.yaml", data, Options{})
		if (p == nil) == (err == nil) {
			t.Fatalf("plan %v and error %v", p, err)
		}
		var de *Error
		if err != nil && !errors.As(err, &de) {
			t.Fatalf("error of type %T: %v", err, err)
		}
	})
}
