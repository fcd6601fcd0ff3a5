package cms_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/product"
)

const lab = `product: cms
domain: pod2.cms.lab
callbridge_cluster: cms1.pod2.cms.lab
xmpp_domain: conf.pod2.cms.lab
webbridge: join.pod2.cms.lab
database_cluster: {nodes: [cms1a, cms1b, cms1c]}
nodes:
  - {name: cms1a, fqdn: cms1a.pod2.cms.lab, services: [callbridge, webadmin, webbridge, xmpp, database]}
  - {name: cms1b, fqdn: cms1b.pod2.cms.lab, services: [callbridge, webadmin, webbridge, xmpp, database]}
  - {name: cms1c, fqdn: cms1c.pod2.cms.lab, services: [callbridge, webadmin, webbridge, xmpp, database]}
`

// Rule 1 (seed 003): combined certificate per node, CN = cluster, SANs in order.
func TestCMSCombined(t *testing.T) {
	p := planOf(t, lab, catalog.Options{})
	c := certNamed(t, p, "cms1a")
	if c.CN != "cms1.pod2.cms.lab" || c.Signer != "pod2ca" {
		t.Errorf("cms1a: CN %s signer %s", c.CN, c.Signer)
	}
	equal(t, "SANs", c.SANs, []string{"cms1a.pod2.cms.lab", "pod2.cms.lab", "conf.pod2.cms.lab", "join.pod2.cms.lab", "cms1.pod2.cms.lab"})
	if len(c.UsedBy) != 4 {
		t.Errorf("used by %v, want callbridge, webadmin, webbridge, xmpp", c.UsedBy)
	}
}

// Rule 2: per-service names, CNs and SANs (seed 002 §3.1.1-§3.1.6).
func TestCMSPerService(t *testing.T) {
	y := `product: cms
domain: example.com
certificates: per-service
xmpp_domain: example.com
webbridge: join.example.com
expressway: wb.example.com
lync_fqdn: cms.example.com
nodes:
  - {name: a, fqdn: a.example.com, services: [callbridge, webbridge, xmpp, turn, webadmin, recorder]}
`
	p := planOf(t, y, catalog.Options{})
	tests := []struct {
		name, cn string
		sans     []string
	}{
		{"a-callbridge", "cms.example.com", []string{"a.example.com", "cms.example.com"}},
		{"a-webbridge", "join.example.com", []string{"wb.example.com", "join.example.com"}},
		{"a-xmpp", "a.example.com", []string{"a.example.com", "example.com"}},
		{"a-turn", "join.example.com", []string{"wb.example.com", "join.example.com"}},
		{"a-webadmin", "a.example.com", []string{"a.example.com"}},
		{"a-recorder", "a.example.com", []string{"a.example.com"}},
	}
	for _, tt := range tests {
		c := certNamed(t, p, tt.name)
		if c.CN != tt.cn {
			t.Errorf("%s CN = %s, want %s", tt.name, c.CN, tt.cn)
		}
		equal(t, tt.name+" SANs", c.SANs, tt.sans)
	}
	if r := certNamed(t, p, "a-turn").Roles[0]; r.Role != "cms-turn" || r.PeerCert != "a-webbridge" {
		t.Errorf("turn role %+v", r)
	}
}

// Rules 3 and 4a: EKUs, and public certificates needing clientAuth.
func TestCMSEKUAndPublicClientAuth(t *testing.T) {
	base := `product: cms
domain: example.com
certificates: per-service
webbridge: join.example.com
public: [callbridge, webbridge]
cucm: true
nodes:
  - {name: a, fqdn: a.example.com, services: [callbridge, webbridge, webadmin]}
`
	tests := []struct {
		name       string
		allow      bool
		cert       string
		wantSigner string
		wantEKU    []string
	}{
		{"cucm callbridge public moves internal", false, "a-callbridge", "exampleca", []string{"serverAuth", "clientAuth"}},
		{"allowed stays public", true, "a-callbridge", "public", []string{"serverAuth", "clientAuth"}},
		{"public webbridge serverAuth only", false, "a-webbridge", "public", []string{"serverAuth"}},
		{"internal webadmin both", false, "a-webadmin", "exampleca", []string{"serverAuth", "clientAuth"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := planOf(t, base, catalog.Options{AllowPublicClientAuth: product.Flag{Set: tt.allow, Value: tt.allow}})
			c := certNamed(t, p, tt.cert)
			if c.Signer != tt.wantSigner {
				t.Errorf("signer %s, want %s", c.Signer, tt.wantSigner)
			}
			equal(t, "EKU", c.ExtKeyUsage, tt.wantEKU)
			if !tt.allow && tt.cert == "a-callbridge" && !hasWarning(p, "no longer put clientAuth") {
				t.Errorf("no 4a warning in %q", p.Warnings)
			}
			if c.Signer == plan.SignerPublic && c.Template == "" {
				t.Error("public certificate without a Microsoft CA template")
			}
		})
	}
}

func TestCMSKeyUsage(t *testing.T) {
	y := strings.Replace(lab, "domain:", "key: ecdsa-p256\ndomain:", 1)
	equal(t, "ECDSA key usage", certNamed(t, planOf(t, y, catalog.Options{}), "cms1a").KeyUsage, []string{"digitalSignature"})
	equal(t, "RSA key usage", certNamed(t, planOf(t, lab, catalog.Options{}), "cms1a").KeyUsage, []string{"digitalSignature", "keyEncipherment"})
}

// Rule 5: Web Bridge 3 certificates with full chains; Call Bridge clientAuth.
func TestCMSWebBridge3(t *testing.T) {
	y := `product: cms
version: "3.2"
domain: example.com
public: [webbridge3]
webbridge3: {https: meet.example.com, c2w: [wb3.example.com, 10.1.1.1]}
nodes:
  - {name: n1, fqdn: n1.example.com, services: [callbridge, webbridge3]}
`
	p := planOf(t, y, catalog.Options{})
	https, c2w := certNamed(t, p, "n1-wb3https"), certNamed(t, p, "n1-wb3c2w")
	if https.CN != "meet.example.com" || https.Signer != "public" || https.Files.FullChain != "n1-wb3https-fullchain.crt" {
		t.Errorf("wb3https %+v", https)
	}
	if c2w.CN != "wb3.example.com" || c2w.Signer != "exampleca" || c2w.Files.FullChain != "n1-wb3c2w-fullchain.crt" {
		t.Errorf("wb3c2w %+v", c2w)
	}
	equal(t, "c2w SANs", c2w.SANs, []string{"wb3.example.com", "10.1.1.1"})
	equal(t, "c2w EKU", c2w.ExtKeyUsage, []string{"serverAuth"})
	equal(t, "callbridge EKU", certNamed(t, p, "n1").ExtKeyUsage, []string{"serverAuth", "clientAuth"})
	if b := bundleNamed(p, "n1-wb3c2w-fullchain"); b == nil || b.Layout != "fullchain" {
		t.Errorf("fullchain bundle %+v", b)
	}
	cmds := installOf(t, p, "n1").Commands
	for _, want := range []string{"webbridge3 https certs n1-wb3https.key n1-wb3https-fullchain.crt",
		"webbridge3 c2w certs n1-wb3c2w.key n1-wb3c2w-fullchain.crt", "callbridge trust c2w exampleca-bundle.crt"} {
		if !slices.Contains(cmds, want) {
			t.Errorf("install lacks %q", want)
		}
	}
}

// Rule 6: the database cluster's dedicated CA and its two certificates.
func TestCMSDatabase(t *testing.T) {
	y := lab + "  - {name: cb4, fqdn: cb4.pod2.cms.lab, services: [callbridge]}\n"
	p := planOf(t, y, catalog.Options{})
	server, client := certNamed(t, p, "dbserver"), certNamed(t, p, "dbclient")
	if server.CN != "cms1a.pod2.cms.lab" || server.Signer != "pod2-dbca" {
		t.Errorf("dbserver %s %s", server.CN, server.Signer)
	}
	equal(t, "dbserver SANs", server.SANs, []string{"cms1b.pod2.cms.lab", "cms1c.pod2.cms.lab", "cms1a.pod2.cms.lab"})
	if client.CN != "postgres" || client.Signer != "pod2-dbca" || len(client.SANs) != 0 {
		t.Errorf("dbclient %+v", client)
	}
	equal(t, "dbclient EKU", client.ExtKeyUsage, []string{"clientAuth"})
	if b := bundleNamed(p, "pod2-dbca"); b == nil || b.File != "pod2-dbca.crt" {
		t.Errorf("dbca bundle %+v", b)
	}
	cb4 := installOf(t, p, "cb4")
	if !slices.Contains(cb4.Commands, "database cluster certs dbclient.key dbclient.crt pod2-dbca.crt") || slices.Contains(cb4.Uploads, "dbserver.key") {
		t.Errorf("cb4 gets %v / %v", cb4.Commands, cb4.Uploads)
	}
	if !slices.Contains(installOf(t, p, "cms1b").Commands, "database cluster certs dbserver.key dbserver.crt dbclient.key dbclient.crt pod2-dbca.crt") {
		t.Error("cms1b lacks the server and client pair")
	}
}

// Rule 7: distinct trunk and load balancer certificates, trusting each other.
func TestCMSSplit(t *testing.T) {
	y := `product: cms
domain: example.com
xmpp_domain: example.com
nodes:
  - {name: core1, fqdn: core1.example.com, services: [callbridge, xmpp]}
  - {name: edge1, fqdn: edge1.example.com, services: [webbridge, loadbalancer]}
trunks: [{core: core1, edge: edge1}]
`
	p := planOf(t, y, catalog.Options{})
	lb, tr := certNamed(t, p, "edge1-loadbalancer"), certNamed(t, p, "core1-trunk")
	if lb.Files.Key == tr.Files.Key {
		t.Error("trunk and load balancer share a key")
	}
	if lb.Roles[0].PeerCert != "core1-trunk" || tr.Roles[0].PeerCert != "edge1-loadbalancer" {
		t.Errorf("peer roles %+v %+v", lb.Roles, tr.Roles)
	}
	if !slices.Contains(installOf(t, p, "edge1").Commands, "loadbalancer auth edge1 edge1-loadbalancer.key edge1-loadbalancer.crt edge1-trunktrust.crt") {
		t.Errorf("edge1 commands %q", installOf(t, p, "edge1").Commands)
	}
	if !slices.Contains(installOf(t, p, "core1").Commands, "trunk auth core1toedge1 core1-trunk.key core1-trunk.crt edge1-loadbalancer.crt") {
		t.Errorf("core1 commands %q", installOf(t, p, "core1").Commands)
	}
}

// Rule 8: trust bundles and their members.
func TestCMSTrustBundles(t *testing.T) {
	p := planOf(t, lab, catalog.Options{})
	for _, name := range []string{"xmpp-trust", "callbridge-trust", "cluster-trust"} {
		b := bundleNamed(p, name)
		if b == nil || b.Layout != "trust" {
			t.Fatalf("bundle %s: %+v", name, b)
		}
		equal(t, name, b.Members, []string{"cms1a", "cms1b", "cms1c"})
	}
	single := `product: cms
domain: example.com
xmpp_domain: example.com
nodes:
  - {name: a, fqdn: a.example.com, services: [callbridge, xmpp]}
  - {name: b, fqdn: b.example.com, services: [callbridge]}
`
	p = planOf(t, single, catalog.Options{})
	if bundleNamed(p, "xmpp-trust") != nil {
		t.Error("xmpptrust.crt planned for a single XMPP server")
	}
}

// Rule 9: the install file's order and its checks before any change.
func TestCMSInstallOrder(t *testing.T) {
	in := installOf(t, planOf(t, lab, catalog.Options{}), "cms1a")
	if in.File != "install/cms1a.txt" {
		t.Errorf("file %s", in.File)
	}
	order := []string{"webbridge disable", "webbridge certs cms1a.key cms1a.crt pod2ca-bundle.crt", "webbridge trust callbridgetrust.crt",
		"webbridge enable", "callbridge certs cms1a.key cms1a.crt pod2ca-bundle.crt", "callbridge restart", "xmpp disable", "xmpp enable",
		"database cluster certs dbserver.key dbserver.crt dbclient.key dbclient.crt pod2-dbca.crt"}
	last := -1
	for _, c := range order {
		i := slices.Index(in.Commands, c)
		if i <= last {
			t.Fatalf("%q at %d, not after %d in %q", c, i, last, in.Commands)
		}
		last = i
	}
	equal(t, "checks before any change", in.Checks[:3], []string{"pki list", "pki match cms1a.key cms1a.crt", "pki verify cms1a.crt pod2ca-bundle.crt"})
	for _, f := range in.Uploads {
		base := strings.TrimSuffix(f, f[strings.LastIndex(f, "."):])
		if strings.ContainsAny(base, "._") {
			t.Errorf("upload %s breaks the MMP file name rules", f)
		}
	}
}

func TestCMSLoadBalancerNameWithoutCombined(t *testing.T) {
	y := `product: cms
domain: example.com
xmpp_domain: example.com
certificates: per-service
nodes:
  - {name: core1, fqdn: core1.example.com, services: [xmpp]}
  - {name: edge1, fqdn: edge1.example.com, services: [loadbalancer]}
trunks: [{core: core1, edge: edge1}]
`
	certNamed(t, planOf(t, y, catalog.Options{}), "edge1")
}
