package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/confcert/confcert/internal/certio"
)

// TestBundleJSONShape checks the --json report against the fields fixed by
// spec cli.md: layout, order[{subject_cn, role}], dropped[{subject_cn,
// reason}], warnings[]; stdout holds that one document and nothing else.
func TestBundleJSONShape(t *testing.T) {
	root := fetchCert(t, "Shape Root", nil, "")
	inter := fetchCert(t, "Shape Intermediate", root, "")
	leaf := fetchCert(t, "leaf.example.com", inter, "")
	stray := fetchCert(t, "Stray Root", nil, "")
	dir := t.TempDir()
	pile := filepath.Join(dir, "pile.pem")
	data := certio.CertificatesPEM(inter.Cert, stray.Cert, leaf.Cert, root.Cert, inter.Cert)
	if err := os.WriteFile(pile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	args := []string{"bundle", "--layout", "cms", "--json", "-o", filepath.Join(dir, "out.pem"), pile}
	if code := Main(args, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d\n%s", code, &stderr)
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr not empty with --json:\n%s", &stderr)
	}
	var doc struct {
		Layout   *string          `json:"layout"`
		Order    []map[string]any `json:"order"`
		Dropped  []map[string]any `json:"dropped"`
		Warnings []string         `json:"warnings"`
	}
	dec := json.NewDecoder(&stdout)
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v", err)
	}
	if dec.More() {
		t.Error("stdout holds more than one JSON document")
	}
	if doc.Layout == nil || *doc.Layout != "cms" {
		t.Errorf("layout = %v, want \"cms\"", doc.Layout)
	}
	wantOrder := [][2]string{{"Shape Intermediate", "intermediate"}, {"Shape Root", "root"}}
	checkPairs(t, "order", doc.Order, "role", wantOrder)
	wantDropped := [][2]string{{"Stray Root", "unrelated"}, {"Shape Intermediate", "duplicate"}}
	slices.SortFunc(doc.Dropped, func(x, y map[string]any) int { return -cmpString(x["reason"], y["reason"]) })
	checkPairs(t, "dropped", doc.Dropped, "reason", wantDropped)
	if doc.Warnings == nil {
		t.Error("warnings missing: want a list")
	}
}

// checkPairs compares a list of {subject_cn, <field>} objects with want.
func checkPairs(t *testing.T, name string, got []map[string]any, field string, want [][2]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s = %v, want %d entries", name, got, len(want))
	}
	for i, w := range want {
		if got[i]["subject_cn"] != w[0] || got[i][field] != w[1] {
			t.Errorf("%s[%d] = %v, want subject_cn %q %s %q", name, i, got[i], w[0], field, w[1])
		}
	}
}

func cmpString(x, y any) int {
	xs, _ := x.(string)
	ys, _ := y.(string)
	switch {
	case xs < ys:
		return -1
	case xs > ys:
		return 1
	}
	return 0
}
