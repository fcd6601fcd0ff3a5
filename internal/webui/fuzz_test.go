package webui

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"html"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/confcert/confcert/internal/caservice"
	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/certfacts"
)

// FuzzAsksCA reads the basicConstraints a CSR asks for, from any bytes.
func FuzzAsksCA(f *testing.F) {
	yes, _ := asn1.Marshal(struct{ IsCA bool }{true})
	no, _ := asn1.Marshal(struct{}{})
	for _, seed := range [][]byte{yes, no, {0x30}, {0x30, 0x03, 0x01, 0x01, 0xff}, nil} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		csr := &x509.CertificateRequest{Extensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 19}, Value: der}}}
		got := askedExtensions(csr)
		if len(got) != 1 || !strings.HasPrefix(got[0], "basicConstraints") {
			t.Fatalf("askedExtensions = %q", got)
		}
		if asksCA(der) != strings.Contains(got[0], "CA:TRUE") {
			t.Fatal("the CA:TRUE note disagrees with asksCA")
		}
	})
}

// FuzzNameIsText renders a request whose names come from a CSR: whatever
// they are, each appears on the page only as escaped text.
func FuzzNameIsText(f *testing.F) {
	for _, seed := range []string{"cb1.example.com", `<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`,
		"{{.}}", "a&b", "</dd><script>", "javascript:alert(1)"} {
		f.Add(seed)
	}
	pages, err := parsePages()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if !utf8.ValidString(name) || strings.ContainsRune(name, 0) {
			t.Skip()
		}
		req := caservice.Request{Request: castore.Request{ID: strings.Repeat("a", 32), SubjectCN: name, SANs: []string{name},
			Status: caservice.StatusPending, RequestedBy: "alice", RequestedAt: time.Unix(0, 0)}}
		d := requestPage{Req: req, CSR: &certfacts.CSR{Subject: "CN = " + name, SubjectCN: name, DNSNames: []string{name}}, CanDecide: true}
		p := caservice.Principal{Name: "bob", Role: caservice.RoleApprover}
		var buf bytes.Buffer
		if err := pages["request"].ExecuteTemplate(&buf, "layout", newView(&call{p: p, csrf: "t"}, "requests", "Request for "+name, d)); err != nil {
			t.Fatal(err)
		}
		_, after, ok := strings.Cut(buf.String(), `id="csr-cn">`)
		shown, _, ok2 := strings.Cut(after, `</dd>`)
		if !ok || !ok2 || strings.ContainsAny(shown, "<>") || html.UnescapeString(shown) != name {
			t.Fatalf("the CN %q is shown as %q, not as escaped text", name, shown)
		}
	})
}
