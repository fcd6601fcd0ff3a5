package meetingplace_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/certio"
	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/rolecheck"
	"github.com/confcert/confcert/internal/testpki"
)

const mpYAML = "product: meetingplace\nhome_page: mp.example.com\nweb_conferencing: w.example.com\nsubject: {O: Example Inc., OU: IT, L: San Jose, ST: California, C: US}\n"

// Issue 10 item 8 (Cisco Unified MeetingPlace web conferencing SSL guide,
// "Importing the Private Key in to the MPWEB Database", step 10: the key
// "begins with Begin RSA Private key"): the keys are planned in the
// traditional form.
func TestMeetingPlaceKeysTraditional(t *testing.T) {
	p := planOf(t, mpYAML, catalog.Options{})
	for _, name := range []string{"homepage", "webconf"} {
		if c := certNamed(t, p, name); c.Files.KeyFormat != plan.KeyTraditional {
			t.Errorf("%s key format %q", name, c.Files.KeyFormat)
		}
	}
}

// Issue 10 item 15 (the SSL guide's Restrictions: from Release 6.0 MR5 no
// key stronger than 1024 bits): with a version, the key-size rule runs at
// plan time and in the role checks of --check.
func TestMeetingPlaceVersionRunsKeySize(t *testing.T) {
	p := planOf(t, mpYAML+"version: 6.0MR5\n", catalog.Options{})
	if !hasWarning(p, "does not support keys stronger than 1024 bits") {
		t.Errorf("no key-size warning: %q", p.Warnings)
	}
	if c := certNamed(t, p, "homepage"); c.Roles[0].Version != "6.0MR5" {
		t.Errorf("role %+v carries no version", c.Roles[0])
	}
	if p := planOf(t, mpYAML+"version: 6.0MR5\nlegacy_keysize: true\n", catalog.Options{}); hasWarning(p, "these keys are 2048-bit") {
		t.Errorf("legacy_keysize: true still warned: %q", p.Warnings)
	}
	if p := planOf(t, mpYAML+"version: 6.0MR4\n", catalog.Options{}); hasWarning(p, "these keys are 2048-bit") {
		t.Errorf("6.0MR4 warned: %q", p.Warnings)
	}
	if de := problemsOf(t, mpYAML+"version: seven\n"); !strings.Contains(de.Error(), "test.yaml:5:") {
		t.Errorf("a bad version: %v", de)
	}
}

// Issue 10 item 11 (the SSL guide, "How to Replace an Expired Intermediate
// Certificate": the intermediate goes with the server certificate): check
// --role meetingplace fails a file without the intermediate (MP-CHAIN).
func TestMeetingPlaceCheckFailsIncompleteChain(t *testing.T) {
	root := testpki.Issue(t, testpki.CATemplate("Test Root"), nil)
	inter := testpki.Issue(t, testpki.CATemplate("Test Issuing CA"), root)
	leaf := testpki.Issue(t, testpki.LeafTemplate("mp.example.com"), inter)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	trust := write("root.pem", certio.CertificatesPEM(root.Cert))
	for _, tt := range []struct {
		file string
		want rolecheck.Severity
	}{
		{write("full.pem", certio.CertificatesPEM(leaf.Cert, inter.Cert)), rolecheck.Success},
		{write("short.pem", certio.CertificatesPEM(leaf.Cert)), rolecheck.Failure},
	} {
		chk, err := catalog.Roles().Run(rolecheck.Request{Role: "meetingplace", Cert: tt.file, Trust: trust}, rolecheck.Options{NoLints: true})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range chk.Results {
			if r.Rule == "MP-CHAIN" {
				found = true
				if r.Severity != tt.want {
					t.Errorf("%s: %+v, want %s", filepath.Base(tt.file), r, tt.want)
				}
			}
		}
		if !found {
			t.Errorf("%s: no MP-CHAIN result", tt.file)
		}
	}
}
