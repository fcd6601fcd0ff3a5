package expressway_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/catalog"
	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/product/producttest"
)

const head = "product: expressway\ndomain: example.com\n" // lines 1-2

func deployment(version string, extra string) string {
	return head + "version: \"" + version + "\"\n" + extra +
		"clusters:\n" +
		"  - {name: expc, role: c, fqdn: expc.example.com, peers: [expc1.example.com, expc2.example.com]}\n" +
		"  - {name: expe, role: e, fqdn: expe.example.com, peers: [expe1.example.com, expe2.example.com]}\n"
}

// TestSANsByRole: CN the cluster, SANs the peer, the cluster and the names
// each role requires (Certificate Creation and Use Deployment Guide X15.5,
// "Server Certificate Requirements for Unified Communications").
func TestSANsByRole(t *testing.T) {
	p := producttest.PlanOf(t, deployment("X15.5", "mra: {domains: [example.com, example.org], format: collab-edge}\n"+
		"phone_security_profiles: [secure-8865.example.com]\nxmpp_federation_domains: [fed.example.com]\n"+
		"chat_node_aliases: [chatroom1.example.com]\ncms_join_url: join.example.com\n"), catalog.Options{})
	c := producttest.CertNamed(t, p, "expc2")
	producttest.Equal(t, "expc2 SANs", c.SANs, []string{"expc2.example.com", "expc.example.com", "secure-8865.example.com", "chatroom1.example.com"})
	if c.CN != "expc.example.com" {
		t.Errorf("CN %s, want the cluster FQDN", c.CN)
	}
	e := producttest.CertNamed(t, p, "expe1")
	producttest.Equal(t, "expe1 SANs", e.SANs, []string{"expe1.example.com", "expe.example.com", "collab-edge.example.com", "collab-edge.example.org",
		"fed.example.com", "chatroom1.example.com", "join.example.com"})
	dns := producttest.PlanOf(t, deployment("X15.5", "mra: {domains: [example.com], format: dns}\n"), catalog.Options{})
	if !slices.Contains(producttest.CertNamed(t, dns, "expe2").SANs, "example.com") {
		t.Error("format dns: the bare MRA domain is not a SAN")
	}
}

// TestEKUByVersion: serverAuth + clientAuth up to X15.3; X15.4 Expressway-E
// public serverAuth only; X15.5 public server certificates serverAuth only
// with a client certificate from the internal CA (FN74362; TAC 225693).
func TestEKUByVersion(t *testing.T) {
	both, server, client := "serverAuth,clientAuth", "serverAuth", "clientAuth"
	tests := []struct {
		version, public string
		want            map[string]string // certificate -> EKU; "" = not planned
	}{
		{"X14.3", "", map[string]string{"expc1": both, "expe1": both, "expe1-client": ""}},
		{"X15.3", "[expressway-e]", map[string]string{"expc1": both, "expe1": both, "expe1-client": ""}},
		{"X15.4", "[expressway-e]", map[string]string{"expc1": both, "expe1": server, "expe1-client": ""}},
		{"X15.4", "[expressway-c, expressway-e]", map[string]string{"expc1": both, "expe1": server}},
		{"X15.5", "[expressway-e]", map[string]string{"expc1": both, "expc1-client": "", "expe1": server, "expe1-client": client}},
		{"X15.5.1", "[expressway-c, expressway-e]", map[string]string{"expc1": server, "expc1-client": client, "expe1": server, "expe1-client": client}},
	}
	for _, tt := range tests {
		t.Run(tt.version+" "+tt.public, func(t *testing.T) {
			extra := ""
			if tt.public != "" {
				extra = "public: " + tt.public + "\n"
			}
			p := producttest.PlanOf(t, deployment(tt.version, extra), catalog.Options{})
			for name, want := range tt.want {
				c := find(p, name)
				switch {
				case want == "" && c != nil:
					t.Errorf("%s planned, want none", name)
				case want != "" && c == nil:
					t.Errorf("%s not planned", name)
				case c != nil && strings.Join(c.ExtKeyUsage, ",") != want:
					t.Errorf("%s EKU %v, want %s", name, c.ExtKeyUsage, want)
				}
			}
		})
	}
}

func find(p *plan.Plan, name string) *plan.Certificate {
	for _, c := range p.Certificates {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// TestPublicClientAuthWarning: a public Expressway-E certificate that needs
// clientAuth (X15.3) is a warning naming the public-CA date and the version
// that removes the need; at X15.5 there is none.
func TestPublicClientAuthWarning(t *testing.T) {
	p := producttest.PlanOf(t, deployment("X15.3", "public: [expressway-e]\n"), catalog.Options{At: day("2026-06-01")})
	if !producttest.HasWarning(p, "expe1 needs clientAuth from a public CA, but Let's Encrypt stopped issuing clientAuth on 2026-02-11") ||
		!producttest.HasWarning(p, "upgrade Expressway-C and -E to X15.4") {
		t.Errorf("warnings: %v", p.Warnings)
	}
	if p := producttest.PlanOf(t, deployment("X15.3", "public: [expressway-e]\n"), catalog.Options{At: day("2026-02-10")}); producttest.HasWarning(p, "needs clientAuth") {
		t.Errorf("the day before Let's Encrypt's date: %v", p.Warnings)
	}
	if p := producttest.PlanOf(t, deployment("X15.5", "public: [expressway-e]\n"), catalog.Options{At: day("2027-06-01")}); producttest.HasWarning(p, "needs clientAuth") {
		t.Errorf("X15.5 needs no public clientAuth: %v", p.Warnings)
	}
}

// TestPublicDays: a public certificate asked for longer than the limit of
// the day is a warning naming the limit and its date (BR §6.3.2).
func TestPublicDays(t *testing.T) {
	dep := deployment("X15.5", "days: 365\npublic: [expressway-e]\n")
	if p := producttest.PlanOf(t, dep, catalog.Options{At: day("2026-03-14")}); producttest.HasWarning(p, "public CA issues at most") {
		t.Errorf("365 days before 2026-03-15: %v", p.Warnings)
	}
	p := producttest.PlanOf(t, dep, catalog.Options{At: day("2026-03-15")})
	if !producttest.HasWarning(p, "expe1 is planned for 365 days, but a public CA issues at most 200 days since 2026-03-15") {
		t.Errorf("warnings: %v", p.Warnings)
	}
}

// TestValidation: each problem with its line and what to do.
func TestValidation(t *testing.T) {
	c := "clusters:\n  - {name: expc, role: c, fqdn: expc.example.com, peers: [expc1.example.com]}\n"
	e := "  - {name: expe, role: e, fqdn: expe.example.com, peers: [expe1.example.com]}\n"
	v := "version: \"X15.5\"\n" // line 3
	tests := []struct {
		name, yaml string
		line       int
		want       string
	}{
		{"no version", head + c, 1, `required key "version"`},
		{"bad version", head + "version: \"15.5\"\n" + c, 3, "X<major>.<minor>"},
		{"old version", head + "version: \"X8.1\"\n" + c, 3, "X8.10 to X15.x"},
		{"wildcard peer", head + v + "clusters:\n  - {name: expc, role: c, fqdn: expc.example.com, peers: ['*.example.com']}\n", 5, "does not support wildcard"},
		{"wildcard alias", head + v + "chat_node_aliases: ['*.example.com']\n" + c, 4, "does not support wildcard"},
		{"bad role", head + v + "clusters:\n  - {name: x, role: d, fqdn: x.example.com, peers: [x1.example.com]}\n", 5, "role must be c"},
		{"too many peers", head + v + "clusters:\n  - {name: x, role: c, fqdn: x.example.com, peers: [a.e.com, b.e.com, c.e.com, d.e.com, f.e.com, g.e.com, h.e.com]}\n", 5, "at most 6"},
		{"same first label", head + v + c + "  - {name: expe, role: e, fqdn: expe.example.com, peers: [expc1.example.org]}\n", 6, "also starts with"},
		{"profile not fqdn", head + v + "phone_security_profiles: [secure8865]\n" + c, 4, "last label starts with a letter"},
		{"profile digit tld", head + v + "phone_security_profiles: [secure.8865]\n" + c, 4, "last label starts with a letter"},
		{"join url is mra domain", head + v + "mra: {domains: [example.com]}\ncms_join_url: collab-edge.example.com\n" + c + e, 5, "cannot be the same"},
		{"mra without e", head + v + "mra: {domains: [example.com]}\n" + c, 4, "needs an Expressway-E cluster"},
		{"mra internal", head + v + "mra: {domains: [corp.local]}\n" + c + e, 4, "only the public edge domain"},
		{"bad format", head + v + "mra: {domains: [example.com], format: srv}\n" + c + e, 4, "neither collab-edge"},
		{"rsa3072", head + v + "key: rsa3072\n" + c, 4, "RSA 2048 or 4096"},
		{"public unknown", head + v + "public: [expressway]\n" + c, 4, "not expressway-c or expressway-e"},
		{"profiles without c", head + v + "phone_security_profiles: [s.example.com]\nclusters:\n" + e, 4, "need an Expressway-C cluster"},
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

// TestInstallOrder: the Trusted CA list first, on every peer; then the
// server certificate; restart; then the status pages (web workflow order).
func TestInstallOrder(t *testing.T) {
	p := producttest.PlanOf(t, deployment("X15.5", "public: [expressway-e]\n"), catalog.Options{})
	in := producttest.InstallOf(t, p, "expc")
	order := []string{"not replicated", "Trusted CA certificate", "Server certificate > Upload new certificate: \"Select the server private key file\" expc1.key",
		"expc2.key", "Restart", "Status > Alarms", "Status > Zones", "SSH tunnel status", "Refresh servers"}
	at := 0
	for _, want := range order {
		i := slices.IndexFunc(in.Commands[at:], func(s string) bool { return strings.Contains(s, want) })
		if i < 0 {
			t.Fatalf("%q missing or out of order in:\n%s", want, strings.Join(in.Commands, "\n"))
		}
		at += i
	}
	if b := producttest.BundleNamed(p, "expc-trust"); b == nil || !b.Issuers || len(b.Members) != 6 {
		t.Errorf("expc-trust: %+v", b)
	}
}

func TestPlanJSONHasRoles(t *testing.T) {
	p := producttest.PlanOf(t, deployment("X15.5", "public: [expressway-e]\nmra: {domains: [example.com]}\n"), catalog.Options{})
	rc := producttest.CertNamed(t, p, "expe1").Roles[0]
	if rc.Role != "expressway-e" || rc.Domain != "example.com" || rc.Trust != "expe-trust" || rc.Version != "X15.5" {
		t.Errorf("role check %+v", rc)
	}
	if r := producttest.CertNamed(t, p, "expe1-client").Roles[0]; r.Role != "expressway-client" {
		t.Errorf("client role %+v", r)
	}
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}
