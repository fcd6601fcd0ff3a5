package meetingplace

import (
	"github.com/confcert/confcert/internal/chain"

	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/product"
	"github.com/confcert/confcert/internal/rolecheck"
	"github.com/confcert/confcert/internal/strictyaml"
)

// Product is Cisco Unified MeetingPlace web conferencing (spec plan.md
// "Cisco Unified MeetingPlace"; seed 004, its SSL guide).
type Product struct{}

// Name implements product.Product.
func (Product) Name() string { return "meetingplace" }

type mpSpec struct {
	Product         strictyaml.Str       `key:"product,required"`
	HomePage        strictyaml.Str       `key:"home_page,required"`
	WebConferencing strictyaml.Str       `key:"web_conferencing,required"`
	Subject         *product.SubjectSpec `key:"subject,required"`
	LegacyKeysize   strictyaml.Bool      `key:"legacy_keysize"`
	Version         strictyaml.Str       `key:"version"`
	CAKey           strictyaml.Str       `key:"ca_key"`
	Line            int                  `key:",line"`
}

// Plan implements product.Product.
func (Product) Plan(doc *yaml.Node, o product.Options) (*plan.Plan, []strictyaml.Problem) {
	s, probs := product.Decode[mpSpec](doc)
	if probs != nil {
		return nil, probs
	}
	pl := product.NewPlan("meetingplace", s.Version.Value)
	subject, bad := checkMP(s, pl)
	if len(bad) > 0 {
		return nil, bad
	}
	checkKeySize(s, pl)
	checkCAKey(s, pl)
	key := keys.Default
	if s.LegacyKeysize.Value {
		// Release 6.0 MR5 and later support no key stronger than 1024 bits
		// (seed 004 Restrictions).
		key = keys.RSA1024
		product.Warnf(pl, "legacy_keysize: %s; public CAs have refused 1024-bit RSA keys since 2014, so check that yours still signs them", keys.LegacyWarning)
	}
	// Two certificates, home page and web conferencing, each signed by a
	// public CA: self-signed is not supported since 6.0 (seed 004 Task List,
	// Restrictions).
	for _, c := range []struct{ name, host, use string }{
		{"homepage", s.HomePage.Value, "home-page"},
		{"webconf", s.WebConferencing.Value, "web-conferencing"},
	} {
		pc := product.NewCert(product.CertSpec{Name: c.name, CN: c.host, Signer: plan.SignerPublic, EKU: []string{product.ServerAuth}, Key: key, Subject: subject})
		// The SSLPrivateKey field takes the key in the traditional RSA form:
		// it "begins with Begin RSA Private key" (Cisco Unified MeetingPlace
		// web conferencing SSL guide, "Importing the Private Key in to the
		// MPWEB Database", step 10).
		pc.Files.KeyFormat = plan.KeyTraditional
		product.AddUse(pc, "meetingplace", c.use)
		pc.Roles = []plan.RoleCheck{{Role: Role, Names: []string{c.host}, Version: s.Version.Value}}
		pl.Certificates = append(pl.Certificates, pc)
		// After import: the server certificate first, then the intermediates (seed 004).
		pl.Bundles = append(pl.Bundles, plan.Bundle{Name: c.name + "-bundle", File: c.name + "-bundle.pem", Layout: chain.LayoutMeetingPlace, Members: []string{c.name}})
	}
	pl.Install = []plan.Install{mpInstall(*s)}
	return pl, nil
}

// checkKeySize runs MP-KEY-SIZE at plan time: from Release 6.0 MR5 the
// product supports no key stronger than 1024 bits (seed 004 Restrictions), so
// a 2048-bit key planned for such a release would be refused on the box.
// confcert still plans 2048 bits unless legacy_keysize says otherwise: the
// warning says which to choose (choice recorded in docs/plan-rules.md).
func checkKeySize(s *mpSpec, pl *plan.Plan) {
	v := s.Version.Value
	if v == "" || s.LegacyKeysize.Value {
		return
	}
	ver, err := ParseVersion(v)
	if err != nil || !ver.AtLeast(6, 0, 5) {
		return
	}
	product.Warnf(pl, "version %s: MeetingPlace from Release 6.0 MR5 does not support keys stronger than 1024 bits (Cisco Unified MeetingPlace web conferencing SSL guide, Restrictions), and these keys are 2048-bit RSA: set legacy_keysize: true for that release (insecure), or better, upgrade", v)
}

// checkCAKey accepts ca_key, the key type of the CAs a deployment creates,
// which every product takes (spec plan.md): MeetingPlace creates none, since
// both certificates come from a public CA (seed 004 Restrictions), so a valid
// ca_key changes nothing and says so; an invalid one is an error as elsewhere.
func checkCAKey(s *mpSpec, pl *plan.Plan) {
	if s.CAKey.Value == "" {
		return
	}
	product.Warnf(pl, "ca_key: %s changes nothing here: MeetingPlace plans no local CA, both certificates come from a public CA (the Cisco Unified MeetingPlace web conferencing SSL guide, Restrictions)", s.CAKey.Value)
}

// checkMP checks names and the full subject: the guide asks for company,
// unit, city and state in full, no abbreviations (seed 004 CSR steps 5-7).
func checkMP(s *mpSpec, pl *plan.Plan) (plan.Subject, product.Problems) {
	var p product.Problems
	for _, h := range []struct {
		v    strictyaml.Str
		what string
	}{{s.HomePage, "home_page"}, {s.WebConferencing, "web_conferencing"}} {
		if err := product.CheckDNSName(h.v.Value); err != nil {
			p.Add(h.v.Line, "%s: %v", h.what, err)
		} else if reason := rolecheck.InternalOnly(h.v.Value); reason != "" {
			product.Warnf(pl, "%s %s is %s, which no public CA certifies", h.what, h.v.Value, reason)
		}
	}
	if s.HomePage.Value == s.WebConferencing.Value {
		p.Add(s.WebConferencing.Line, "web_conferencing must differ from home_page: MeetingPlace needs two host names and two certificates (the Cisco Unified MeetingPlace web conferencing SSL guide, Task List)")
	}
	if v := s.Version.Value; v != "" {
		if _, err := ParseVersion(v); err != nil {
			p.Add(s.Version.Line, "%v", err)
		}
	}
	product.KeyType(s.CAKey, "ca_key", false, &p)
	subj := s.Subject.Check(&p)
	for _, f := range []struct {
		v    strictyaml.Str
		what string
	}{{s.Subject.O, "O"}, {s.Subject.OU, "OU"}, {s.Subject.L, "L"}, {s.Subject.ST, "ST"}, {s.Subject.C, "C"}} {
		if f.v.Value == "" {
			p.Add(s.Subject.Line, "subject lacks %s: MeetingPlace CSRs carry the full subject, O, OU, L, ST and C (the Cisco Unified MeetingPlace web conferencing SSL guide)", f.what)
		}
	}
	for _, f := range []struct {
		v    strictyaml.Str
		what string
	}{{s.Subject.L, "L"}, {s.Subject.ST, "ST"}} {
		if len(f.v.Value) == 2 {
			product.Warnf(pl, "subject %s %q looks abbreviated: write the complete, official name (the Cisco Unified MeetingPlace web conferencing SSL guide, CSR step 6)", f.what, f.v.Value)
		}
	}
	return subj, p
}

// mpInstall says what to order and where each file goes (seed 004).
func mpInstall(s mpSpec) plan.Install {
	return plan.Install{
		Node: "meetingplace", File: "install/meetingplace.txt",
		Uploads: []string{"homepage-bundle.pem", "webconf-bundle.pem"},
		Pending: []string{"homepage-bundle.pem", "webconf-bundle.pem"},
		Notes: []string{
			"when the CA asks for the server type, choose Apache or Custom, not Microsoft or IIS: MeetingPlace does not restart with an IIS certificate (the Cisco Unified MeetingPlace web conferencing SSL guide, step 9)",
			fmt.Sprintf("send homepage.csr (%s) and webconf.csr (%s) to the public CA; self-signed certificates are not supported since Release 6.0 (the Cisco Unified MeetingPlace web conferencing SSL guide)", s.HomePage.Value, s.WebConferencing.Value),
			"after confcert plan --import, Admin > SSL/TLS > Edit the Home Page hostname: paste homepage-bundle.pem (server certificate first, then the intermediate) (the Cisco Unified MeetingPlace web conferencing SSL guide)",
			"Admin > SSL/TLS > Edit the Web Conferencing hostname: paste webconf-bundle.pem the same way (the Cisco Unified MeetingPlace web conferencing SSL guide)",
			"the keys come from confcert, not from the SSL/TLS page's Generate Request: put homepage.key and webconf.key into the MPWEB database's SSLPrivateKey field as in \"Importing the Private Key in to the MPWEB Database\" (the Cisco Unified MeetingPlace web conferencing SSL guide)",
			"Toggle SSL on, then Reboot Server; if the certificates cannot be validated the server logs an error and turns SSL off (the Cisco Unified MeetingPlace web conferencing SSL guide, To Enable SSL)",
			"test https://" + s.HomePage.Value + "/ and start an Immediate Meeting to test " + s.WebConferencing.Value + " (the Cisco Unified MeetingPlace web conferencing SSL guide, To Test)",
			"keep homepage.key and webconf.key: they restore SSL on a rebuilt web server (the Cisco Unified MeetingPlace web conferencing SSL guide, Backup and Restore)",
		},
	}
}
