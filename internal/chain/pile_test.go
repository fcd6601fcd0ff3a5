package chain

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/testpki"
)

// newTestPile indexes certs in a Pile, batch at a time, whose loader parses
// a certificate again from certs; loads counts the certificates read again.
func newTestPile(tb testing.TB, certs []*x509.Certificate, batch int, loads *int) *Pile {
	tb.Helper()
	p := NewPile(func(ref Ref) (*x509.Certificate, error) {
		if loads != nil {
			*loads++
		}
		return x509.ParseCertificate(certs[ref.Input].Raw)
	})
	for i := 0; i < len(certs); i += batch {
		end := min(i+batch, len(certs))
		var ders [][]byte
		var refs []Ref
		for j := i; j < end; j++ {
			ders = append(ders, certs[j].Raw)
			refs = append(refs, Ref{Input: j})
		}
		if err := p.AddDER(ders, refs); err != nil {
			tb.Fatal(err)
		}
	}
	return p
}

// buildBoth is Build, checked against Pile.Build and Pile.Collect over the
// same certificates (indexed in batches of 2, so across batch boundaries):
// the chain, what was dropped and the error must be the same.
func buildBoth(tb testing.TB, pile []*x509.Certificate, o Options) (*Chain, error) {
	tb.Helper()
	if o.At.IsZero() {
		o.At = time.Now()
	}
	want, werr := Build(pile, o)
	got, gerr := newTestPile(tb, pile, 2, nil).Build(o)
	if d := chainDiff(want, werr, got, gerr); d != "" {
		tb.Fatalf("Pile.Build differs from Build: %s", d)
	}
	checkPileVerify(tb, pile, o)
	coll, err := newTestPile(tb, pile, 3, nil).Collect()
	if err != nil {
		tb.Fatal(err)
	}
	if d := chainDiff(Collect(pile), nil, coll, nil); d != "" || !sameCerts(coll.Unique, Collect(pile).Unique) {
		tb.Fatalf("Pile.Collect differs from Collect: %s", d)
	}
	return want, werr
}

// chainDiff says how two results of Build differ, or "".
func chainDiff(a *Chain, aerr error, b *Chain, berr error) string {
	switch {
	case (aerr == nil) != (berr == nil):
		return fmt.Sprintf("errors %v and %v", aerr, berr)
	case aerr != nil && aerr.Error() != berr.Error():
		return fmt.Sprintf("errors %q and %q", aerr, berr)
	case aerr != nil:
		return ""
	case !sameCerts([]*x509.Certificate{a.Leaf, a.Root, a.MissingFor}, []*x509.Certificate{b.Leaf, b.Root, b.MissingFor}):
		return "leaf, root or missing differ"
	case !sameCerts(a.Intermediates, b.Intermediates):
		return "intermediates differ"
	case a.Complete != b.Complete || a.Trusted != b.Trusted || a.MissingIssuer != b.MissingIssuer:
		return fmt.Sprintf("complete %v/%v trusted %v/%v missing %q/%q", a.Complete, b.Complete, a.Trusted, b.Trusted, a.MissingIssuer, b.MissingIssuer)
	case len(a.Dropped) != len(b.Dropped):
		return fmt.Sprintf("%d and %d dropped", len(a.Dropped), len(b.Dropped))
	}
	for i := range a.Dropped {
		x, y := a.Dropped[i], b.Dropped[i]
		if x.Name != y.Name || x.Reason != y.Reason || x.Name != DisplayName(x.Cert) || y.Cert != nil && !y.Cert.Equal(x.Cert) {
			return fmt.Sprintf("dropped %d: %q (%s) and %q (%s)", i, x.Name, x.Reason, y.Name, y.Reason)
		}
	}
	return ""
}

func sameCerts(a, b []*x509.Certificate) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if (a[i] == nil) != (b[i] == nil) || a[i] != nil && !bytes.Equal(a[i].Raw, b[i].Raw) {
			return false
		}
	}
	return true
}

// TestPileReadsLittleAgain: a leaf among many unrelated roots, repeated,
// gives Build's chain and drops; the pile holds each distinct certificate
// once and reads again only the few whose signatures are checked or that
// are returned.
func TestPileReadsLittleAgain(t *testing.T) {
	h := newHierarchy(t)
	var pile []*x509.Certificate
	var strays []*x509.Certificate
	for i := range 40 {
		strays = append(strays, mk(t, spec{cn: fmt.Sprintf("Stray Root %d", i), ca: true, key: testpki.Key(t)}).Cert)
	}
	for i := range 5 {
		pile = append(pile, strays...)
		if i == 2 {
			pile = append(pile, certs(h.inter2, h.leaf, h.root, h.inter1)...)
		}
	}
	var loads int
	p := newTestPile(t, pile, 7, &loads)
	if p.Len() != len(pile) || p.Distinct() != 44 {
		t.Fatalf("Len %d Distinct %d, want %d and 44", p.Len(), p.Distinct(), len(pile))
	}
	got, err := p.Build(Options{At: testNow})
	want, werr := Build(pile, Options{At: testNow})
	if d := chainDiff(want, werr, got, err); d != "" {
		t.Fatal(d)
	}
	if loads > 12 {
		t.Errorf("%d certificates read again, want a few (the chain's, and those whose signatures were checked)", loads)
	}
}

// TestPileChanged: a certificate read again that is not the one indexed is
// an error, never a wrong chain.
func TestPileChanged(t *testing.T) {
	h := newHierarchy(t)
	pile := certs(h.leaf, h.inter1, h.inter2, h.root)
	p := NewPile(func(Ref) (*x509.Certificate, error) { return h.strayRoot.Cert, nil })
	var refs []Ref
	for i := range pile {
		refs = append(refs, Ref{Input: i})
	}
	if err := p.AddDER([][]byte{pile[0].Raw, pile[1].Raw, pile[2].Raw, pile[3].Raw}, refs); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Build(Options{At: testNow}); !errors.Is(err, ErrChanged) {
		t.Errorf("Build: %v, want ErrChanged", err)
	}
	if _, err := p.Collect(); !errors.Is(err, ErrChanged) {
		t.Errorf("Collect: %v, want ErrChanged", err)
	}
	bad := NewPile(nil)
	err := bad.AddDER([][]byte{pile[0].Raw, []byte("junk")}, []Ref{{}, {Input: 1}})
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Index != 1 {
		t.Errorf("AddDER of junk: %v, want a ParseError at 1", err)
	}
}

// TestPileLeafForKeyAndWith: the leaf found by its key, and a pile grown by
// fetched certificates, are what the in-memory pile gives.
func TestPileLeafForKeyAndWith(t *testing.T) {
	h := newHierarchy(t)
	pile := certs(h.inter1, h.leaf, h.inter2, h.leaf)
	p := newTestPile(t, pile, 2, nil)
	match := func(pub crypto.PublicKey) bool { return keys.Match(h.leaf.Key, pub) }
	leaf, err := p.LeafForKey(match)
	if err != nil || leaf == nil || !leaf.Equal(h.leaf.Cert) {
		t.Fatalf("LeafForKey: %v, %v", leaf, err)
	}
	if c, err := p.LeafForKey(func(crypto.PublicKey) bool { return true }); c != nil || err != nil {
		t.Errorf("LeafForKey matching every key: %v, %v, want none", c, err)
	}
	grown := p.With(h.root.Cert, h.inter2.Cert)
	if p.Len() != 4 || grown.Len() != 6 {
		t.Fatalf("Len %d and %d, want 4 and 6", p.Len(), grown.Len())
	}
	all := append(append([]*x509.Certificate{}, pile...), h.root.Cert, h.inter2.Cert)
	got, gerr := grown.Build(Options{At: testNow})
	want, werr := Build(all, Options{At: testNow})
	if d := chainDiff(want, werr, got, gerr); d != "" || !got.Complete {
		t.Errorf("grown pile: %s (complete %v)", d, got.Complete)
	}
}

// checkPileVerify checks, for each distinct certificate of pile, that
// Pile.Verify gives Verify's answer with the whole pile as intermediates,
// and that Children holds every other certificate its key verifies (as
// x509's CheckSignatureFrom judges).
func checkPileVerify(tb testing.TB, pile []*x509.Certificate, o Options) {
	tb.Helper()
	p := newTestPile(tb, pile, 2, nil)
	anchors := NewAnchors(o.Roots)
	for i := range p.Distinct() {
		c, err := p.Load(i)
		if err != nil {
			tb.Fatal(err)
		}
		for _, at := range []time.Time{o.At, c.NotBefore.Add(time.Minute)} {
			want := Verify(c, pile, o.Roots, VerifyOptions{At: at})
			got := p.Verify(i, anchors, VerifyOptions{At: at})
			if fmt.Sprint(want) != fmt.Sprint(got) {
				tb.Fatalf("Pile.Verify of %q: %v, Verify: %v", DisplayName(c), got, want)
			}
		}
		children := p.Children(i)
		for j := range p.Distinct() {
			o, _ := p.Load(j)
			if j != i && o.CheckSignatureFrom(c) == nil && !slices.Contains(children, j) {
				tb.Fatalf("%q signed %q, which Children leaves out", DisplayName(c), DisplayName(o))
			}
		}
	}
}
