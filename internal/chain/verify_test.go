package chain

import (
	"crypto/x509"
	"errors"
	"testing"
	"time"
)

func TestVerify(t *testing.T) {
	h := newHierarchy(t)
	clientOnly := mk(t, spec{cn: "client.example.com", parent: h.inter1, eku: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	notCA := mk(t, spec{cn: "Not A CA", parent: h.inter2})
	underNotCA := mk(t, spec{cn: "under.example.com", parent: notCA})
	expiredInter := mk(t, spec{cn: "Example Secondary Intermediate", ca: true, key: h.inter1.Key, parent: h.inter2,
		notAfter: testNow.AddDate(0, 0, -2)})
	impostor := mk(t, spec{cn: "Example Secondary Intermediate", ca: true, parent: h.inter2})
	cnOnly := mk(t, spec{cn: "cn.example.com", parent: h.inter1})
	tests := []struct {
		name    string
		leaf    *issued
		inter   []*issued
		roots   []*issued
		opts    VerifyOptions
		depth   int
		reason  string
		subject string
	}{
		{name: "success", leaf: h.leaf, inter: []*issued{h.inter2, h.inter1}, roots: []*issued{h.root}},
		{name: "server purpose and host", leaf: h.leaf, inter: []*issued{h.inter1, h.inter2}, roots: []*issued{h.root},
			opts: VerifyOptions{Purpose: "server", Host: "meet.example.com"}},
		{name: "common name when no SAN", leaf: cnOnly, inter: []*issued{h.inter1, h.inter2}, roots: []*issued{h.root},
			opts: VerifyOptions{Host: "CN.example.com"}},
		{name: "missing intermediate", leaf: h.leaf, inter: []*issued{h.inter1}, roots: []*issued{h.root},
			depth: 1, reason: ReasonNoIssuer, subject: "O = Example, CN = Example Secondary Intermediate"},
		{name: "wrong root", leaf: h.leaf, inter: []*issued{h.inter1, h.inter2, h.root}, roots: []*issued{h.strayRoot},
			depth: 3, reason: ReasonSelfSignedChain},
		{name: "self-signed leaf", leaf: h.strayRoot, roots: []*issued{h.root}, reason: ReasonSelfSigned},
		{name: "self-signed leaf trusted", leaf: h.root, roots: []*issued{h.root}},
		{name: "signature", leaf: h.leaf, inter: []*issued{impostor, h.inter2}, roots: []*issued{h.root},
			reason: ReasonSignature, subject: "O = Example, CN = meet.example.com"},
		{name: "expired leaf", leaf: h.leaf, inter: []*issued{h.inter1, h.inter2}, roots: []*issued{h.root},
			opts: VerifyOptions{At: testNow.AddDate(2, 0, 0)}, depth: 3, reason: ReasonExpired},
		{name: "expired intermediate", leaf: h.leaf, inter: []*issued{expiredInter, h.inter2}, roots: []*issued{h.root},
			depth: 1, reason: ReasonExpired},
		{name: "not yet valid", leaf: h.leaf, inter: []*issued{h.inter1, h.inter2}, roots: []*issued{h.root},
			opts: VerifyOptions{At: testNow.AddDate(-3, 0, 0)}, depth: 3, reason: ReasonNotYetValid},
		{name: "invalid CA", leaf: underNotCA, inter: []*issued{notCA, h.inter2}, roots: []*issued{h.root},
			depth: 1, reason: ReasonInvalidCA},
		{name: "purpose", leaf: clientOnly, inter: []*issued{h.inter1, h.inter2}, roots: []*issued{h.root},
			opts: VerifyOptions{Purpose: "server"}, reason: ReasonPurpose},
		{name: "purpose client ok", leaf: clientOnly, inter: []*issued{h.inter1, h.inter2}, roots: []*issued{h.root},
			opts: VerifyOptions{Purpose: "client"}},
		{name: "hostname", leaf: h.leaf, inter: []*issued{h.inter1, h.inter2}, roots: []*issued{h.root},
			opts: VerifyOptions{Host: "other.example.com"}, reason: ReasonHostname},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.opts.At.IsZero() {
				tt.opts.At = testNow
			}
			err := Verify(tt.leaf.Cert, certs(tt.inter...), certs(tt.roots...), tt.opts)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			var ve *VerifyError
			if !errors.As(err, &ve) {
				t.Fatalf("Verify = %v, want a VerifyError", err)
			}
			if ve.Reason != tt.reason || ve.Depth != tt.depth {
				t.Errorf("got %v, want depth %d %q", ve, tt.depth, tt.reason)
			}
			if tt.subject != "" && ve.Subject != tt.subject {
				t.Errorf("subject %q, want %q", ve.Subject, tt.subject)
			}
		})
	}
}

func TestVerifyPathLength(t *testing.T) {
	root := mk(t, spec{cn: "Root", ca: true})
	tmplLimited := mk(t, spec{cn: "Limited", ca: true, parent: root})
	limited := *tmplLimited.Cert
	limited.MaxPathLen, limited.MaxPathLenZero = 0, true
	sub := mk(t, spec{cn: "Sub", ca: true, parent: tmplLimited})
	leaf := mk(t, spec{cn: "leaf", parent: sub})
	if !pathTooLong(&limited, 2) || pathTooLong(&limited, 1) {
		t.Error("pathTooLong does not apply a zero path length")
	}
	if err := Verify(leaf.Cert, certs(sub, tmplLimited), certs(root), VerifyOptions{At: time.Now()}); err != nil {
		t.Errorf("unconstrained chain: %v", err)
	}
}
