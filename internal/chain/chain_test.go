package chain

import (
	"crypto/x509"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/testpki"
)

// summary renders a chain compactly for comparisons.
func summary(c *Chain) string {
	var b strings.Builder
	b.WriteString(c.Leaf.Subject.CommonName)
	for _, i := range c.Intermediates {
		b.WriteString(" < " + i.Subject.CommonName)
	}
	if c.Root != nil {
		b.WriteString(" < [" + c.Root.Subject.CommonName + "]")
	}
	if !c.Complete {
		b.WriteString(" ? " + c.MissingIssuer)
	}
	if c.Trusted {
		b.WriteString(" trusted")
	}
	return b.String()
}

func droppedSummary(c *Chain) []string {
	var out []string
	for _, d := range c.Dropped {
		out = append(out, d.Cert.Subject.CommonName+": "+d.Reason)
	}
	return out
}

func TestBuild(t *testing.T) {
	h := newHierarchy(t)
	full := "meet.example.com < Example Secondary Intermediate < Example Primary Intermediate < [Example Root]"
	tests := []struct {
		name    string
		pile    []*issued
		opts    Options
		want    string
		dropped []string
	}{
		{name: "in order", pile: []*issued{h.leaf, h.inter1, h.inter2, h.root}, want: full},
		{name: "shuffled", pile: []*issued{h.root, h.inter1, h.leaf, h.inter2}, want: full},
		{
			name: "duplicates and strays",
			pile: []*issued{h.inter2, h.strayCA, h.root, h.inter1, h.leaf, h.inter2, h.strayRoot, h.leaf},
			want: full,
			dropped: []string{"Example Primary Intermediate: duplicate", "Other Intermediate: unrelated",
				"Other Root: unrelated", "meet.example.com: duplicate"},
		},
		{
			name: "incomplete", pile: []*issued{h.inter1, h.leaf},
			want: "meet.example.com < Example Secondary Intermediate ? O = Example, CN = Example Primary Intermediate",
		},
		{
			name: "completed by roots", pile: []*issued{h.inter1, h.leaf, h.inter2},
			opts: Options{Roots: certs(h.root, h.strayRoot)},
			want: full + " trusted",
		},
		{
			name: "root in pile and roots", pile: []*issued{h.inter1, h.leaf, h.inter2, h.root},
			opts: Options{Roots: certs(h.root)},
			want: full + " trusted",
		},
		{
			name: "intermediate anchor", pile: []*issued{h.inter1, h.leaf},
			opts: Options{Roots: certs(h.inter2)},
			want: "meet.example.com < Example Secondary Intermediate < Example Primary Intermediate trusted",
		},
		{
			name: "given leaf", pile: []*issued{h.inter1, h.inter2, h.root},
			opts: Options{Leaf: h.leaf.Cert}, want: full,
		},
		{
			name: "intermediate as leaf", pile: []*issued{h.inter2, h.root, h.leaf, h.inter1},
			opts:    Options{Leaf: h.inter1.Cert},
			want:    "Example Secondary Intermediate < Example Primary Intermediate < [Example Root]",
			dropped: []string{"meet.example.com: unrelated"},
		},
		{name: "lone self-signed", pile: []*issued{h.root}, want: "Example Root"},
		{
			name: "only CAs", pile: []*issued{h.root, h.inter1, h.inter2},
			want: "Example Secondary Intermediate < Example Primary Intermediate < [Example Root]",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.At = testNow
			c, err := buildBoth(t, certs(tt.pile...), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(c); got != tt.want {
				t.Errorf("chain\n got %s\nwant %s", got, tt.want)
			}
			got := droppedSummary(c)
			slices.Sort(got)
			if !slices.Equal(got, tt.dropped) {
				t.Errorf("dropped %q, want %q", got, tt.dropped)
			}
		})
	}
}

func TestBuildIncompleteNamesMissing(t *testing.T) {
	h := newHierarchy(t)
	c, err := buildBoth(t, certs(h.leaf, h.inter1), Options{At: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if c.Complete || c.MissingFor != h.inter1.Cert {
		t.Errorf("Complete=%v MissingFor=%v, want incomplete at the secondary intermediate", c.Complete, c.MissingFor)
	}
}

func TestBuildLeafDetection(t *testing.T) {
	h := newHierarchy(t)
	other := mk(t, spec{cn: "other.example.com", parent: h.strayCA})
	lonely := mk(t, spec{cn: "lonely.example.com", parent: mk(t, spec{cn: "Absent CA", ca: true})})
	t.Run("the one with an issuer wins", func(t *testing.T) {
		c, err := buildBoth(t, certs(lonely, h.inter1, h.leaf), Options{At: testNow})
		if err != nil {
			t.Fatal(err)
		}
		if c.Leaf != h.leaf.Cert {
			t.Errorf("leaf %s, want meet.example.com", c.Leaf.Subject.CommonName)
		}
	})
	t.Run("ambiguous", func(t *testing.T) {
		_, err := buildBoth(t, certs(h.leaf, h.inter1, other, h.strayCA), Options{At: testNow})
		var amb *AmbiguousLeafError
		if !errors.As(err, &amb) || len(amb.Candidates) != 2 {
			t.Fatalf("err = %v, want two candidates", err)
		}
		if !strings.Contains(err.Error(), `"meet.example.com", "other.example.com"`) {
			t.Errorf("message %q does not name the candidates", err)
		}
	})
	t.Run("empty", func(t *testing.T) {
		if _, err := buildBoth(t, nil, Options{}); !errors.Is(err, ErrNoCertificates) {
			t.Errorf("err = %v, want ErrNoCertificates", err)
		}
	})
}

// crossSigned is one intermediate key and name certified by two roots, the
// second root also cross-signed by the first.
type crossSigned struct {
	r1, r2, r2x, i1, i2, leaf *issued
}

func newCrossSigned(t testing.TB, i1Expired bool) *crossSigned {
	x := &crossSigned{}
	x.r1 = mk(t, spec{cn: "Old Root", ca: true})
	x.r2 = mk(t, spec{cn: "New Root", ca: true})
	x.r2x = mk(t, spec{cn: "New Root", ca: true, key: x.r2.Key, parent: x.r1})
	key := testpki.Key(t)
	s1 := spec{cn: "Issuing CA", ca: true, key: key, parent: x.r1}
	if i1Expired {
		s1.notAfter = testNow.AddDate(0, 0, -1)
	}
	x.i1 = mk(t, s1)
	x.i2 = mk(t, spec{cn: "Issuing CA", ca: true, key: key, parent: x.r2})
	x.leaf = mk(t, spec{cn: "meet.example.com", parent: x.i2})
	return x
}

func TestBuildCrossSigned(t *testing.T) {
	x := newCrossSigned(t, false)
	xe := newCrossSigned(t, true)
	tests := []struct {
		name     string
		x        *crossSigned
		pile     []*issued
		roots    []*issued
		wantPath []*issued
		wantRoot *issued
	}{
		{name: "roots choose old", x: x, pile: []*issued{x.leaf, x.i2, x.i1, x.r2x, x.r2, x.r1},
			roots: []*issued{x.r1}, wantPath: []*issued{x.i1}, wantRoot: x.r1},
		{name: "roots choose new", x: x, pile: []*issued{x.leaf, x.i1, x.i2, x.r2x, x.r1, x.r2},
			roots: []*issued{x.r2}, wantPath: []*issued{x.i2}, wantRoot: x.r2},
		{name: "only the long path is trusted", x: x, pile: []*issued{x.leaf, x.i2, x.r2x},
			roots: []*issued{x.r1}, wantPath: []*issued{x.i2, x.r2x}, wantRoot: x.r1},
		{name: "shortest wins", x: x, pile: []*issued{x.leaf, x.r2x, x.i2, x.r1}, wantPath: []*issued{x.i2, x.r2x}, wantRoot: x.r1},
		{name: "shortest of three", x: x, pile: []*issued{x.r2x, x.leaf, x.i2, x.r1, x.r2}, wantPath: []*issued{x.i2}, wantRoot: x.r2},
		{name: "unexpired wins", x: xe, pile: []*issued{xe.leaf, xe.i1, xe.r1, xe.i2, xe.r2}, wantPath: []*issued{xe.i2}, wantRoot: xe.r2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := buildBoth(t, certs(tt.pile...), Options{Roots: certs(tt.roots...), At: testNow})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(c.Intermediates, certs(tt.wantPath...)) || c.Root != tt.wantRoot.Cert {
				t.Errorf("got %s", summary(c))
			}
			if !c.Complete || c.Trusted != (len(tt.roots) > 0) {
				t.Errorf("Complete=%v Trusted=%v", c.Complete, c.Trusted)
			}
			for _, d := range c.Dropped {
				if d.Reason != ReasonAlternative {
					t.Errorf("%s dropped as %q, want %q", d.Cert.Subject.CommonName, d.Reason, ReasonAlternative)
				}
			}
		})
	}
}

func TestBuildCycle(t *testing.T) {
	ka, kb := testpki.Key(t), testpki.Key(t)
	// Bootstrap: A and B self-signed, then each certified by the other.
	a0 := mk(t, spec{cn: "CA A", ca: true, key: ka})
	b0 := mk(t, spec{cn: "CA B", ca: true, key: kb})
	aByB := mk(t, spec{cn: "CA A", ca: true, key: ka, parent: b0})
	bByA := mk(t, spec{cn: "CA B", ca: true, key: kb, parent: a0})
	leaf := mk(t, spec{cn: "meet.example.com", parent: aByB})
	c, err := buildBoth(t, certs(bByA, leaf, aByB), Options{At: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if c.Complete || len(c.Intermediates) != 2 || c.MissingFor != bByA.Cert {
		t.Errorf("got %s, want the cycle walked once and left incomplete", summary(c))
	}
	c, err = buildBoth(t, certs(bByA, leaf, aByB, b0), Options{At: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if want := "meet.example.com < CA A < [CA B]"; summary(c) != want {
		t.Errorf("got %s, want %s", summary(c), want)
	}
}

func TestDisplayName(t *testing.T) {
	h := newHierarchy(t)
	if got := DisplayName(h.leaf.Cert); got != "meet.example.com" {
		t.Errorf("DisplayName = %q", got)
	}
	noCN := &x509.Certificate{RawSubject: h.leaf.Cert.RawIssuer}
	if got := DisplayName(noCN); got != "O = Example, CN = Example Secondary Intermediate" {
		t.Errorf("DisplayName without CN = %q", got)
	}
}
