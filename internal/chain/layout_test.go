package chain

import (
	"slices"
	"testing"
)

func TestArrange(t *testing.T) {
	h := newHierarchy(t)
	c, err := buildBoth(t, certs(h.inter2, h.root, h.leaf, h.inter1, h.inter2), Options{At: testNow})
	if err != nil {
		t.Fatal(err)
	}
	const (
		leaf = "meet.example.com"
		i1   = "Example Secondary Intermediate"
		i2   = "Example Primary Intermediate"
		root = "Example Root"
	)
	tests := []struct {
		layout      Layout
		includeRoot bool
		want        []string
	}{
		{LayoutChain, true, []string{i1, i2}},
		{LayoutCMS, true, []string{i1, i2, root}},
		{LayoutCMS, false, []string{i1, i2}},
		{LayoutFullchain, true, []string{leaf, i1, i2, root}},
		{LayoutFullchain, false, []string{leaf, i1, i2}},
		{LayoutCWMS1x, true, []string{leaf, i1, i2}},
		{LayoutCWMS25, true, []string{i2, i1, leaf}},
		{LayoutMeetingPlace, true, []string{leaf, i1, i2}},
		{LayoutTrust, true, []string{i2, root, leaf, i1}},
	}
	for _, tt := range tests {
		if got := cns(Arrange(c, tt.layout, tt.includeRoot)); !slices.Equal(got, tt.want) {
			t.Errorf("Arrange(%s, root=%v) = %q, want %q", tt.layout, tt.includeRoot, got, tt.want)
		}
	}
}

func TestArrangeWithoutRoot(t *testing.T) {
	h := newHierarchy(t)
	c, err := buildBoth(t, certs(h.leaf, h.inter1), Options{At: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if got := cns(Arrange(c, LayoutCMS, true)); !slices.Equal(got, []string{"Example Secondary Intermediate"}) {
		t.Errorf("cms without a root = %q", got)
	}
}

func TestParseLayout(t *testing.T) {
	for _, l := range Layouts() {
		if got, err := ParseLayout(string(l)); err != nil || got != l {
			t.Errorf("ParseLayout(%q) = %q, %v", l, got, err)
		}
	}
	if _, err := ParseLayout("cwms"); err == nil {
		t.Error("ParseLayout(cwms) succeeded, want an error")
	}
}

func TestInSequence(t *testing.T) {
	h := newHierarchy(t)
	tests := []struct {
		name string
		pile []*issued
		ok   bool
		bad  int
	}{
		{"empty", nil, true, -1},
		{"one", []*issued{h.leaf}, true, -1},
		{"full", []*issued{h.leaf, h.inter1, h.inter2, h.root}, true, -1},
		{"swapped", []*issued{h.leaf, h.inter2, h.inter1, h.root}, false, 1},
		{"root twice", []*issued{h.inter2, h.root, h.root}, true, -1},
		{"cwms-25 order", []*issued{h.inter2, h.inter1, h.leaf}, false, 1},
		{"same name other key", []*issued{h.leaf, mk(t, spec{cn: "Example Secondary Intermediate", ca: true})}, false, 1},
	}
	for _, tt := range tests {
		ok, bad := InSequence(certs(tt.pile...))
		if ok != tt.ok || bad != tt.bad {
			t.Errorf("%s: InSequence = %v, %d; want %v, %d", tt.name, ok, bad, tt.ok, tt.bad)
		}
	}
}
