package cucm_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/product/producttest"
)

const head = "product: cucm\ndomain: example.com\npublisher: cucm-pub.example.com\n" // lines 1-3

// TestCSRs: multi-server CSRs on the publisher with CN <host>-ms and every
// node as a SAN (Security Guide Release 14; TAC 118731); per node otherwise;
// confcert makes no key.
func TestCSRs(t *testing.T) {
	dep := head + "version: \"15\"\nsubscribers: [cucm-sub1.example.com]\nim_presence: [imp1.example.com]\nunity_connection: [cuc1.example.com]\n"
	p := producttest.PlanOf(t, dep+"multi_server: true\ncertificates: [tomcat, callmanager-ecdsa, ipsec, cup-xmpp]\n", catalog.Options{})
	tom := producttest.CertNamed(t, p, "tomcat-ms")
	producttest.Equal(t, "tomcat SANs", tom.SANs, []string{"cucm-pub.example.com", "cucm-sub1.example.com", "imp1.example.com"})
	if tom.CN != "cucm-pub-ms.example.com" || tom.Files.Key != "" || tom.KeyHeld == nil || tom.KeyHeld.Hint != "tomcat" || tom.Status != plan.StatusAwaitingCA {
		t.Errorf("tomcat-ms: %+v", tom)
	}
	if ec := producttest.CertNamed(t, p, "callmanager-ecdsa-ms"); ec.CN != "cucm-pub-EC-ms.example.com" || ec.KeyHeld.KeyAlgorithm != "ECDSA" || ec.KeyType != "ecdsa-p256" {
		t.Errorf("callmanager-ecdsa-ms: %+v", ec)
	}
	producttest.CertNamed(t, p, "cucm-pub-ipsec") // ipsec has no multi-server form
	producttest.CertNamed(t, p, "cucm-sub1-ipsec")
	producttest.CertNamed(t, p, "cuc1-tomcat") // Unity Connection is its own cluster
	x := producttest.CertNamed(t, p, "cup-xmpp-ms")
	if x.CN != "imp1-ms.example.com" || !strings.Contains(x.KeyHeld.By, "IM and Presence publisher") {
		t.Errorf("cup-xmpp-ms: %+v", x)
	}
	single := producttest.PlanOf(t, dep, catalog.Options{})
	if c := producttest.CertNamed(t, single, "cucm-sub1-callmanager"); c.CN != "cucm-sub1.example.com" || strings.Join(c.ExtKeyUsage, ",") != "serverAuth,clientAuth" {
		t.Errorf("per node: %+v", c)
	}
}

// TestInstallOrder: trust first, then one type at a time (CSR, import,
// upload, restart, wait), CTL update in mixed mode, then a DRS backup.
func TestInstallOrder(t *testing.T) {
	p := producttest.PlanOf(t, head+"version: \"14SU2\"\nmulti_server: true\nmixed_mode: true\nexpressway_c_ca: expc-ca.pem\n", catalog.Options{})
	in := producttest.InstallOf(t, p, "cucm-pub")
	order := []string{"DRS backup", "Purpose tomcat-trust, file exampleca.pem", "Purpose CallManager-trust, file exampleca.pem",
		"Purpose tomcat-trust, file expc-ca.pem", "Purpose CallManager-trust, file expc-ca.pem",
		"Generate CSR: Certificate Purpose tomcat, Distribution Multi-server (SAN)", "--import", "Certificate Purpose tomcat, file tomcat-ms.crt", "Cisco Tomcat",
		"Certificate Purpose CallManager,", "utils ctl update CTLFile", "new DRS backup"}
	at := 0
	for _, want := range order {
		i := indexFrom(in.Commands, at, want)
		if i < 0 {
			t.Fatalf("%q missing or out of order:\n%s", want, strings.Join(in.Commands, "\n"))
		}
		at = i
	}
	if !strings.Contains(strings.Join(in.Notes, "\n"), "Never regenerate CallManager and TVS together") {
		t.Error("notes lack the ITL precaution")
	}
}

func indexFrom(list []string, from int, sub string) int {
	for i := from; i < len(list); i++ {
		if strings.Contains(list[i], sub) {
			return i
		}
	}
	return -1
}

func TestCallManagerKeyWarning(t *testing.T) {
	p := producttest.PlanOf(t, head+"version: \"15\"\nkey: rsa4096\n", catalog.Options{})
	if !producttest.HasWarning(p, "CallManager RSA key above 2048 bits may stop some phone models registering") {
		t.Errorf("warnings %v", p.Warnings)
	}
}

func TestValidation(t *testing.T) {
	tests := []struct {
		name, yaml string
		line       int
		want       string
	}{
		{"no version", head, 1, `required key "version"`},
		{"bad version", head + "version: \"X15\"\n", 4, "12.5, 14, 14SU2"},
		{"old version", head + "version: \"11.5\"\n", 4, "12.5 to 15"},
		{"wildcard node", head + "version: \"15\"\nsubscribers: ['*.example.com']\n", 5, "does not support wildcard"},
		{"capf with ca_server", head + "version: \"15\"\nca_server: https://ca.example.com\ncertificates: [capf]\n", 6, "only a local CA"},
		{"unknown type", head + "version: \"15\"\ncertificates: [tomcats]\n", 5, "unknown type"},
		{"cup-xmpp without imp", head + "version: \"15\"\ncertificates: [cup-xmpp]\n", 5, "im_presence"},
		{"ecdsa key", head + "version: \"15\"\nkey: ecdsa-p256\n", 5, "ec_key"},
		{"same first label", head + "version: \"15\"\nsubscribers: [cucm-pub.example.org]\n", 5, "also starts with"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			de := producttest.ProblemsOf(t, tt.yaml)
			want := fmt.Sprintf("test.yaml:%d: ", tt.line)
			for _, l := range de.Lines() {
				if strings.HasPrefix(l, want) && strings.Contains(l, tt.want) {
					return
				}
			}
			t.Errorf("want %q with %q, got:\n%s", want, tt.want, de.Error())
		})
	}
}

// TestIMPTrustsExpresswayC: IM and Presence trusts the CA chain that signed
// Expressway-C in cup-xmpp-trust and tomcat-trust (UCM-11; spec plan.md
// "and cup-xmpp-trust on IM and Presence"), whichever certificate types are
// planned: with expressway_c_ca and im_presence, the IM and Presence
// publisher gets its install file even when none of its certificates is
// planned there, and then it lists no internal CA upload it never uses.
func TestIMPTrustsExpresswayC(t *testing.T) {
	dep := head + "version: \"15\"\nim_presence: [imp1.example.com]\nexpressway_c_ca: expc-ca.pem\n"
	tests := []struct {
		name, certificates string
		internalCA         bool // the IM and Presence file uploads the internal CA
	}{
		{"multi-server, default types", "multi_server: true\n", false}, // tomcat-ms is made on the Unified CM publisher
		{"per node tomcat", "certificates: [tomcat]\n", true},
		{"cup-xmpp planned", "multi_server: true\ncertificates: [tomcat, cup-xmpp]\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := producttest.PlanOf(t, dep+tt.certificates, catalog.Options{})
			in := producttest.InstallOf(t, p, "imp1")
			all := strings.Join(in.Commands, "\n")
			for _, want := range []string{"Purpose cup-xmpp-trust, file expc-ca.pem", "Purpose tomcat-trust, file expc-ca.pem"} {
				if !strings.Contains(all, want) {
					t.Errorf("imp1 lacks %q:\n%s", want, all)
				}
			}
			if got := strings.Contains(strings.Join(in.Uploads, "\n"), "exampleca.pem"); got != tt.internalCA {
				t.Errorf("internal CA upload %v, want %v: %q", got, tt.internalCA, in.Uploads)
			}
		})
	}
	without := producttest.PlanOf(t, head+"version: \"15\"\nim_presence: [imp1.example.com]\n", catalog.Options{})
	for _, in := range without.Install {
		if in.Node == "imp1" {
			t.Errorf("an IM and Presence install file with nothing to do: %+v", in)
		}
	}
}
