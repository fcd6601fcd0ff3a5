package cucm_test

import (
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/product/producttest"
)

// TestCAPF: capf is one certificate on the publisher, whatever the cluster
// and multi_server, planned as a subordinate CA (CA:TRUE, pathlen 0) with
// keyUsage digitalSignature and keyCertSign, serverAuth and, from 14SU2,
// clientAuth (Security Guide Release 14SU2, "Certificate Authority Proxy
// Function"; research §2.1); the plan warns that it issues a CA certificate.
func TestCAPF(t *testing.T) {
	tests := []struct {
		version string
		eku     string
	}{
		{"12.5", "serverAuth"},
		{"14", "serverAuth"},
		{"14SU1", "serverAuth"},
		{"14SU2", "serverAuth,clientAuth"},
		{"15", "serverAuth,clientAuth"},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			dep := head + "version: \"" + tt.version + "\"\nsubscribers: [cucm-sub1.example.com]\nmulti_server: true\ncertificates: [tomcat, capf]\n"
			p := producttest.PlanOf(t, dep, catalog.Options{})
			c := producttest.CertNamed(t, p, "cucm-pub-capf")
			producttest.Equal(t, "SANs", c.SANs, []string{"cucm-pub.example.com"})
			producttest.Equal(t, "key usage", c.KeyUsage, []string{"digitalSignature", "keyCertSign"})
			if got := strings.Join(c.ExtKeyUsage, ","); got != tt.eku {
				t.Errorf("EKU %s, want %s", got, tt.eku)
			}
			if !c.SubordinateCA || c.CN != "cucm-pub.example.com" || c.Signer != "exampleca" || c.Files.Key != "" ||
				c.KeyHeld == nil || c.KeyHeld.Hint != "CAPF" || c.KeyHeld.KeyAlgorithm != "RSA" || len(c.Roles) != 0 {
				t.Errorf("capf: %+v", c)
			}
			if tom := producttest.CertNamed(t, p, "tomcat-ms"); tom.SubordinateCA {
				t.Error("tomcat-ms planned as a CA")
			}
			if !producttest.HasWarning(p, "cucm-pub-capf: this issues a CA certificate") {
				t.Errorf("no CA warning: %v", p.Warnings)
			}
		})
	}
	if p := producttest.PlanOf(t, head+"version: \"15\"\n", catalog.Options{}); producttest.HasWarning(p, "CA certificate") {
		t.Errorf("a CA warning without capf: %v", p.Warnings)
	}
}

// TestCAPFInstallOrder: the CA chain into CAPF-trust first (node-local, on
// the publisher), then the CAPF certificate, then in mixed mode the CTL
// update, the phone reset by Phone Interaction on Certificate Update and the
// 802.1x warning, before the final CTL update and DRS backup.
func TestCAPFInstallOrder(t *testing.T) {
	tests := []struct {
		name, mixed string
		order       []string
	}{
		{"mixed mode", "mixed_mode: true\n", []string{"DRS backup", "Purpose CallManager-trust, file exampleca.pem",
			"Purpose CAPF-trust, file exampleca.pem", "CAPF-trust is node-local: upload it on the publisher",
			"Certificate Purpose CallManager,", "Generate CSR: Certificate Purpose CAPF, Distribution the node cucm-pub.example.com",
			"--import <the downloaded CAPF.csr>", "Certificate Purpose CAPF, file cucm-pub-capf.crt",
			"Cisco Certificate Authority Proxy Function", "utils ctl update CTLFile on the publisher now",
			"Phone Interaction on Certificate Update", "802.1x Authentication: Failed", "new DRS backup"}},
		{"non-secure", "", []string{"Purpose CAPF-trust, file exampleca.pem", "Certificate Purpose CAPF, file cucm-pub-capf.crt",
			"Phone Interaction on Certificate Update", "802.1x", "new DRS backup"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := producttest.PlanOf(t, head+"version: \"15\"\nsubscribers: [cucm-sub1.example.com]\n"+tt.mixed+"certificates: [callmanager, capf]\n", catalog.Options{})
			in := producttest.InstallOf(t, p, "cucm-pub")
			at := 0
			for _, want := range tt.order {
				i := indexFrom(in.Commands, at, want)
				if i < 0 {
					t.Fatalf("%q missing or out of order:\n%s", want, strings.Join(in.Commands, "\n"))
				}
				at = i
			}
			all := strings.Join(in.Commands, "\n")
			if got := strings.Count(all, "Certificate Purpose CAPF, file"); got != 1 {
				t.Errorf("%d CAPF uploads, want 1 (publisher only):\n%s", got, all)
			}
			if tt.mixed == "" && strings.Contains(all, "utils ctl update CTLFile on the publisher now") {
				t.Errorf("a CTL update without mixed mode:\n%s", all)
			}
		})
	}
}
