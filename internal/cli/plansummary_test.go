package cli

import (
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/plan"
)

// Next steps: a public certificate that needs clientAuth gets a Microsoft CA
// template allowing it; a planned template wins (seed 002 §3.3, seed 003).
func TestNextStepsTemplates(t *testing.T) {
	p := &plan.Plan{Certificates: []*plan.Certificate{
		{Name: "srv", CN: "srv.example.com", Signer: plan.SignerPublic, ExtKeyUsage: []string{"serverAuth"}, Files: plan.Files{CSR: "srv.csr", Cert: "srv.crt"}},
		{Name: "both", CN: "both.example.com", Signer: plan.SignerPublic, ExtKeyUsage: []string{"serverAuth", "clientAuth"}, Files: plan.Files{CSR: "both.csr", Cert: "both.crt"}},
		{Name: "own", CN: "own.example.com", Signer: plan.SignerPublic, ExtKeyUsage: []string{"serverAuth"}, Files: plan.Files{CSR: "own.csr", Cert: "own.crt"}},
	}}
	p.Certificates[2].Template = "MyTemplate"
	for _, c := range p.Certificates {
		c.Status = plan.StatusAwaitingCA
	}
	var b strings.Builder
	writeNextSteps(&b, p, "confcert plan d.yaml -o out --import <files>")
	for _, want := range []string{
		`certreq -submit -attrib "CertificateTemplate:WebServer" srv.csr srv.crt`,
		`certreq -submit -attrib "CertificateTemplate:ClientandServerAuthentication" both.csr both.crt`,
		`certreq -submit -attrib "CertificateTemplate:MyTemplate" own.csr own.crt`,
		"confcert plan d.yaml -o out --import <files>",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("next steps lack %q:\n%s", want, b.String())
		}
	}
}

// TestNextStepsInvalidImport: an imported certificate that does not fit its
// plan (status invalid) is to be asked of the CA again, and "Next steps" sends
// no one to the install file of a node that uses it (issue 10 item 12).
func TestNextStepsInvalidImport(t *testing.T) {
	p := &plan.Plan{
		Certificates: []*plan.Certificate{
			{Name: "cms1a-webbridge", CN: "join.example.com", Signer: plan.SignerPublic, Status: plan.StatusInvalid,
				Files: plan.Files{CSR: "cms1a-webbridge.csr", Cert: "cms1a-webbridge.crt"}, UsedBy: []plan.Use{{Node: "cms1a", Service: "webbridge"}}},
			{Name: "cms1b", CN: "cms1b.example.com", Signer: "podca", Status: plan.StatusSigned,
				Files: plan.Files{CSR: "cms1b.csr", Cert: "cms1b.crt"}, UsedBy: []plan.Use{{Node: "cms1b", Service: "callbridge"}}},
		},
		Install: []plan.Install{{Node: "cms1a", File: "install/cms1a.txt"}, {Node: "cms1b", File: "install/cms1b.txt"}},
	}
	var b strings.Builder
	writeNextSteps(&b, p, "confcert plan ...")
	out := b.String()
	if strings.Contains(out, "follow install/cms1a.txt") || !strings.Contains(out, "ask the CA again with cms1a-webbridge.csr; do not install it") {
		t.Errorf("next steps:\n%s", out)
	}
	if !strings.Contains(out, "follow install/cms1b.txt") {
		t.Errorf("next steps lack the node whose certificates fit:\n%s", out)
	}
}
