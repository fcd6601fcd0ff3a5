package pkiattr

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/certgen"
	"github.com/confcert/confcert/internal/testpki"
)

// names flattens a request's SANs as "DNS:x", "IP:y", "email:z", "URI:u".
func names(r certgen.Request) string {
	var out []string
	for _, d := range r.DNSNames {
		out = append(out, "DNS:"+d)
	}
	for _, ip := range r.IPAddresses {
		out = append(out, "IP:"+ip.String())
	}
	for _, e := range r.EmailAddresses {
		out = append(out, "email:"+e)
	}
	for _, u := range r.URIs {
		out = append(out, "URI:"+u.String())
	}
	return strings.Join(out, ",")
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		subject string
		sans    string
	}{
		{"seed 002 Appendix C example", []string{"CN:www.example.com", "OU:My Desk", "O:My Office",
			"L:San Jose", "ST:California", "C:US"},
			"CN=www.example.com,OU=My Desk,O=My Office,L=San Jose,ST=California,C=US", "DNS:www.example.com"},
		{"CN appended to the SAN list", []string{"CN:cms1.pod2.cms.lab",
			"subjectAltName:cms1a.pod2.cms.lab,pod2.cms.lab,conf.pod2.cms.lab,join.pod2.cms.lab"},
			"CN=cms1.pod2.cms.lab",
			"DNS:cms1a.pod2.cms.lab,DNS:pod2.cms.lab,DNS:conf.pod2.cms.lab,DNS:join.pod2.cms.lab,DNS:cms1.pod2.cms.lab"},
		{"CN already in the list", []string{"CN:example.com", "subjectAltName:a.example.com,EXAMPLE.com"},
			"CN=example.com", "DNS:a.example.com,DNS:EXAMPLE.com"},
		{"mixed list", []string{"CN:example.exampledemo.com",
			"subjectAltName:exampledemo.com,192.168.1.25,2001:db8::1,admin@example.com"},
			"CN=example.exampledemo.com",
			"DNS:exampledemo.com,DNS:example.exampledemo.com,IP:192.168.1.25,IP:2001:db8::1,email:admin@example.com"},
		{"prefixes", []string{"CN:x.example.com",
			"subjectAltName:DNS:a.example.com,IP:10.0.0.1,ip:fe80::1,email:me@example.com,URI:sip:cms@example.com,dns:b.example.com"},
			"CN=x.example.com",
			"DNS:a.example.com,DNS:b.example.com,DNS:x.example.com,IP:10.0.0.1,IP:fe80::1,email:me@example.com,URI:sip:cms@example.com"},
		{"wildcard CN", []string{"CN:*.example.com", "O:Example Inc.", "subjectAltName:example.com"},
			"CN=*.example.com,O=Example Inc.", "DNS:example.com,DNS:*.example.com"},
		{"IP CN", []string{"CN:192.0.2.7"}, "CN=192.0.2.7", "IP:192.0.2.7"},
		{"CN not a host name", []string{"CN:My company CA"}, "CN=My company CA", ""},
		{"CN not a host name with a list", []string{"CN:My company CA", "subjectAltName:ca.example.com"},
			"CN=My company CA", "DNS:ca.example.com"},
		{"database client", []string{"CN:postgres"}, "CN=postgres", "DNS:postgres"},
		{"case-insensitive names", []string{"cn:a.example.com", "SUBJECTALTNAME:b.example.com", "c:gb"},
			"CN=a.example.com,C=GB", "DNS:b.example.com,DNS:a.example.com"},
		{"duplicates dropped", []string{"subjectAltName:a.example.com,a.example.com,10.0.0.1,10.0.0.1"},
			"", "DNS:a.example.com,IP:10.0.0.1"},
		{"nothing", nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Subject.String(); got != tt.subject {
				t.Errorf("subject %q, want %q", got, tt.subject)
			}
			if got := names(r); got != tt.sans {
				t.Errorf("SANs %q, want %q", got, tt.sans)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string // substrings of the error
	}{
		{"unknown attribute", []string{"CN:a.example.com", "SAN:b.example.com"}, []string{`unknown attribute "SAN"`}},
		{"typo", []string{"commonName:x"}, []string{`"commonName"`, "CN, O, OU"}},
		{"no colon", []string{"CN:a.example.com", "example"}, []string{`"example" is not ATTR:VALUE`}},
		{"space in the list", []string{"subjectAltName:a.example.com, b.example.com"},
			[]string{"space in subjectAltName at character 15", "no spaces"}},
		{"list cut by a space", []string{"CN:x.example.com", "subjectAltName:a.example.com,", "b.example.com"},
			[]string{`space in subjectAltName after "a.example.com,", before "b.example.com"`}},
		{"trailing comma", []string{"subjectAltName:a.example.com,"}, []string{"item 2 is empty"}},
		{"double comma", []string{"subjectAltName:a.example.com,,b.example.com"}, []string{"item 2 is empty"}},
		{"bad DNS", []string{"subjectAltName:a_b.example.com"}, []string{`item 1 "a_b.example.com"`, "'_'"}},
		{"bad IP", []string{"subjectAltName:IP:10.0.0.300"}, []string{"not an IPv4 or IPv6 address"}},
		{"bad email", []string{"subjectAltName:email:nobody"}, []string{"not an email address"}},
		{"bad URI", []string{"subjectAltName:URI:nothing"}, []string{"not an absolute URI"}},
		{"unknown SAN type", []string{"subjectAltName:otherName:x"}, []string{`unknown type "otherName"`}},
		{"twice", []string{"CN:a", "cn:b"}, []string{"CN is given twice"}},
		{"empty value", []string{"OU:"}, []string{"OU has an empty value"}},
		{"country", []string{"C:USA"}, []string{"two-letter ISO country code"}},
		{"country digits", []string{"C:1A"}, []string{"two-letter"}},
		{"long CN", []string{"CN:" + strings.Repeat("a", 65)}, []string{"65 characters long; the limit is 64"}},
		{"control character", []string{"O:Example\nInc"}, []string{"control character at character 8"}},
		{"bad UTF-8", []string{"O:\xff"}, []string{"not valid UTF-8"}},
		{"bad subject email", []string{"emailAddress:admin"}, []string{"emailAddress", "not an email address"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.args)
			if err == nil {
				t.Fatalf("Parse(%q) succeeded", tt.args)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}

func TestCheckBasename(t *testing.T) {
	tests := []struct {
		name string
		want string // "" = accepted, else a substring of the error
	}{
		{"callbridge", ""},
		{"cms1a", ""},
		{"db-cluster-server", ""},
		{"web.bridge", `'.' (a dot) at position 4`},
		{"web_bridge", `'_' (an underscore) at position 4`},
		{"web bridge", "a space at position 4"},
		{"ca/key", `'/' at position 3`},
		{"été", `'é' at position 1`},
		{"tab\there", "a tab at position 4"},
		{"", "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckBasename(tt.name)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestCheckDNSName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"example.com", true},
		{"*.example.com", true},
		{"xn--bcher-kva.example", true},
		{"a-b.example.com", true},
		{"*", false},
		{"a.*.example.com", false},
		{"-a.example.com", false},
		{"a..example.com", false},
		{"example.com.", false},
		{strings.Repeat("a", 64) + ".com", false},
		{strings.Repeat("a.", 127) + "com", false},
		{"", false},
	}
	for _, tt := range tests {
		if err := CheckDNSName(tt.name); (err == nil) != tt.ok {
			t.Errorf("CheckDNSName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

// TestSubjectWithOpenSSL makes a CSR from parsed attributes and checks that
// openssl reads every field back, emailAddress included.
func TestSubjectWithOpenSSL(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not in PATH")
	}
	r, err := Parse([]string{"CN:www.example.com", "O:Example Inc.", "OU:Human Resources", "L:Milan",
		"ST:New Jersey", "C:it", "emailAddress:pki@example.com", "subjectAltName:guest.example.com,192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	der, err := certgen.CSR(testpki.Key(t), r)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "w.csr")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("openssl", "req", "-in", path, "-noout", "-verify", "-text",
		"-nameopt", "RFC2253,show_type").CombinedOutput()
	if err != nil {
		t.Fatalf("openssl: %v\n%s", err, out)
	}
	for _, want := range []string{"emailAddress=IA5STRING:pki@example.com", "CN=PRINTABLESTRING:www.example.com", "O=PRINTABLESTRING:Example Inc.",
		"C=PRINTABLESTRING:IT", "ST=PRINTABLESTRING:New Jersey", "DNS:guest.example.com",
		"DNS:www.example.com", "IP Address:192.0.2.1"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("openssl output lacks %q:\n%s", want, out)
		}
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil || len(csr.IPAddresses) != 1 || !csr.IPAddresses[0].Equal(net.ParseIP("192.0.2.1")) {
		t.Errorf("Go reads back %v, %v", csr, err)
	}
}

func FuzzParse(f *testing.F) {
	for _, args := range [][]string{
		{"CN:www.example.com", "O:Example Inc.", "subjectAltName:a.example.com,192.0.2.1,2001:db8::1"},
		{"CN:*.example.com", "subjectAltName:DNS:x.example.com,IP:10.0.0.1,email:a@b.example,URI:sip:a@b"},
		{"subjectAltName:a.example.com,", "b.example.com"},
		{"C:US", "ST:California", "L:San Jose", "OU:My Desk", "emailAddress:x@example.com"},
		{"CN:postgres"},
		{"cn:", "foo"},
		{"subjectAltName:a, b"},
	} {
		f.Add(strings.Join(args, "\x00"))
	}
	f.Fuzz(func(t *testing.T, joined string) {
		r, err := Parse(strings.Split(joined, "\x00"))
		if err != nil {
			return
		}
		for _, d := range r.DNSNames {
			if CheckDNSName(d) != nil {
				t.Errorf("accepted invalid DNS name %q", d)
			}
		}
		for _, ip := range r.IPAddresses {
			if ip == nil {
				t.Error("nil IP accepted")
			}
		}
		if fmt.Sprint(r.Subject) == "" && len(r.DNSNames)+len(r.IPAddresses)+len(r.EmailAddresses)+len(r.URIs) == 0 &&
			joined != "" {
			t.Errorf("%q parsed to nothing", joined)
		}
	})
}

func FuzzCheckBasename(f *testing.F) {
	for _, s := range []string{"callbridge", "web.bridge", "web_bridge", "a b", "été", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := CheckBasename(s)
		clean := s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == ""
		if (err == nil) != clean {
			t.Errorf("CheckBasename(%q) = %v", s, err)
		}
	})
}

// TestArg: a suggested ATTR:VALUE is one shell word whatever the value; a
// POSIX shell (sh -c) gives it back unchanged.
func TestArg(t *testing.T) {
	tests := []struct{ attr, value, want string }{
		{"CN", "cms1.example.com", "CN:cms1.example.com"},
		{"subjectAltName", "a.example.com,192.0.2.1,user@example.com", "subjectAltName:a.example.com,192.0.2.1,user@example.com"},
		{"CN", "*.example.com", "'CN:*.example.com'"},
		{"CN", "My CA", "'CN:My CA'"},
		{"O", "O'Brien & Sons", `'O:O'\''Brien & Sons'`},
		{"CN", "$(reboot)", "'CN:$(reboot)'"},
	}
	for _, tt := range tests {
		got := Arg(tt.attr, tt.value)
		if got != tt.want {
			t.Errorf("Arg(%q, %q) = %s, want %s", tt.attr, tt.value, got, tt.want)
		}
		out, err := exec.Command("sh", "-c", "printf %s "+got).Output()
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != tt.attr+":"+tt.value {
			t.Errorf("sh gives %q back for %s", out, got)
		}
	}
}
