package catalog_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/golden"
)

// TestExamplesGolden plans every example of examples/ and compares the plan
// document with testdata/<example>.golden.json.
func TestExamplesGolden(t *testing.T) {
	examples, err := filepath.Glob("../../examples/*.yaml")
	if err != nil || len(examples) < 7 {
		t.Fatalf("examples: %v (found %d)", err, len(examples))
	}
	for _, ex := range examples {
		name := strings.TrimSuffix(filepath.Base(ex), ".yaml")
		t.Run(name, func(t *testing.T) {
			p, err := catalog.Load(ex, catalog.Options{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(p, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Compare(t, filepath.Join("testdata", name+".golden.json"), append(got, '\n'))
		})
	}
}
