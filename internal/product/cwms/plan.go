package cwms

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/confcert/confcert/internal/chain"
	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/product"
	"github.com/confcert/confcert/internal/release"
	"github.com/confcert/confcert/internal/rolecheck"
	"github.com/confcert/confcert/internal/strictyaml"
)

// Product is Cisco WebEx Meetings Server (spec plan.md "Cisco WebEx Meetings
// Server"; seed 000, the CWMS certificate article; seed 001, the bundle article).
type Product struct{}

// Name implements product.Product.
func (Product) Name() string { return "cwms" }

type cwmsSpec struct {
	Product     strictyaml.Str      `key:"product,required"`
	Version     strictyaml.Str      `key:"version,required"`
	Style       strictyaml.Str      `key:"style"`
	SecureAudio strictyaml.Bool     `key:"secure_audio"`
	InternalCA  strictyaml.Str      `key:"internal_ca"`
	CAServer    strictyaml.Str      `key:"ca_server"`
	CAKey       strictyaml.Str      `key:"ca_key"`
	Key         strictyaml.Str      `key:"key"`
	Days        strictyaml.Int      `key:"days"`
	Subject     product.SubjectSpec `key:"subject"`
	KeyInBundle strictyaml.Bool     `key:"key_in_bundle"`
	PFX         strictyaml.Bool     `key:"pfx"`
	PFXEnc      strictyaml.Str      `key:"pfx_encryption"`
	Global      *urlsSpec           `key:"global"`
	Datacenters []dcSpec            `key:"datacenters,required"`
	Line        int                 `key:",line"`
}

type urlsSpec struct {
	SiteURL  strictyaml.Str `key:"site_url,required"`
	AdminURL strictyaml.Str `key:"admin_url,required"`
	Line     int            `key:",line"`
}

type dcSpec struct {
	Name     strictyaml.Str   `key:"name,required"`
	SiteURL  strictyaml.Str   `key:"site_url,required"`
	AdminURL strictyaml.Str   `key:"admin_url,required"`
	VMs      []strictyaml.Str `key:"vms,required"`
	IRP      []strictyaml.Str `key:"irp"`
	Line     int              `key:",line"`
}

// cwmsDeploy is a checked CWMS deployment.
type cwmsDeploy struct {
	s        *cwmsSpec
	o        product.Options
	v        release.Version
	wildcard bool
	key      keys.Type
	days     int
	subject  plan.Subject
	ca       string // internal CA, "" for CSRs only
	caKey    keys.Type
	// keyInBundle and pfx are the deployment file's choices, or the flags
	// that override them for this run (spec plan.md CWMS rule 5).
	keyInBundle, pfx bool
}

// Plan implements product.Product.
func (Product) Plan(doc *yaml.Node, o product.Options) (*plan.Plan, []strictyaml.Problem) {
	s, probs := product.Decode[cwmsSpec](doc)
	if probs != nil {
		return nil, probs
	}
	d, probs := checkCWMS(s, o)
	if len(probs) > 0 {
		return nil, probs
	}
	p, probs := d.build()
	if len(probs) > 0 {
		return nil, probs
	}
	return p, nil
}

func checkCWMS(s *cwmsSpec, o product.Options) (*cwmsDeploy, product.Problems) {
	var p product.Problems
	d := &cwmsDeploy{s: s, o: o}
	v, err := ParseVersion(s.Version.Value)
	if err != nil {
		p.Add(s.Version.Line, "%v", err)
	}
	d.v = v
	switch s.Style.Value {
	case "", "san":
	case "wildcard":
		d.wildcard = true
	default:
		p.Add(s.Style.Line, "style must be san or wildcard, not %q", s.Style.Value)
	}
	switch s.PFXEnc.Value {
	case "", plan.PFXLegacy, plan.PFXAES:
	default:
		p.Add(s.PFXEnc.Line, "pfx_encryption must be 3des (every CWMS release imports it) or aes, not %q", s.PFXEnc.Value)
	}
	d.key = product.KeyType(s.Key, "key", false, &p)
	d.caKey = product.KeyType(s.CAKey, "ca_key", false, &p)
	d.days = product.ValidityDays(s.Days, &p)
	d.subject = s.Subject.Check(&p)
	if s.InternalCA.Value != "" {
		d.ca = s.InternalCA.Value
		product.CheckCAName(s.InternalCA, "internal_ca", &p)
		product.CheckCAServer(s.CAServer, &p)
		if !split(v) {
			p.Add(s.InternalCA.Line, "internal_ca: before 2.5MR5 CWMS has one certificate per data centre, signed by a public CA (the Cisco Community TOI for CWMS SSL certificates); remove internal_ca or set version: 2.5MR5 or later")
		}
	}
	d.checkDatacenters(&p)
	d.checkWildcard(&p)
	return d, p
}

// checkWildcard refuses a wildcard that would give both data centres the same
// CN while secure audio needs them to differ (Unified CM keeps one of two
// certificates with equal CNs, seed 000 figure 4): before 2.5MR5 the one
// certificate per data centre would be *.<domain> in both. From 2.5MR5 the
// wildcard shapes only the external certificates and the internal CNs stay
// the admin URLs (seed 000, MR5), so it is allowed. Refused here, before any
// CSR reaches a paid CA (spec plan.md CWMS rule 1).
func (d *cwmsDeploy) checkWildcard(p *product.Problems) {
	s := d.s
	if !d.wildcard || !s.SecureAudio.Value || len(s.Datacenters) < 2 || split(d.v) {
		return
	}
	p.Add(s.Style.Line, "style wildcard with two data centres and secure_audio: both certificates would have the CN *.<domain>, and Unified CM keeps only one of two certificates with the same CN, so one secure TLS trunk would fail (the Cisco Community TOI for CWMS SSL certificates, \"CN Requirement for Secure Audio Conferencing\"); use style: san, which gives each data centre its own site URL as CN, or upgrade to 2.5MR5, where the internal certificates keep distinct CNs")
}

func (d *cwmsDeploy) checkDatacenters(p *product.Problems) {
	s := d.s
	switch n := len(s.Datacenters); {
	case n == 0:
		p.Add(s.Line, "datacenters is empty: list the data centre with its site_url, admin_url and vms")
	case n > 2:
		p.Add(s.Datacenters[2].Line, "CWMS has at most two data centres, not %d", n)
	case n == 2 && !dualDC(d.v):
		p.Add(s.Datacenters[1].Line, "two data centres need CWMS 2.5 or later (the Cisco Community TOI for CWMS SSL certificates)")
	case n == 2 && s.Global == nil:
		p.Add(s.Line, "two data centres: add global: {site_url: ..., admin_url: ...}, the common URLs (the Cisco Community TOI for CWMS SSL certificates)")
	case n == 1 && s.Global != nil:
		p.Add(s.Global.Line, "global is for dual data centre deployments only; with one data centre remove it")
	}
	if s.Global != nil {
		d.checkURL(s.Global.SiteURL, "global site_url", p)
		d.checkURL(s.Global.AdminURL, "global admin_url", p)
	}
	seen := map[string]int{}
	for _, dc := range s.Datacenters {
		d.checkDatacenter(dc, seen, p)
	}
}

func (d *cwmsDeploy) checkURL(u strictyaml.Str, what string, p *product.Problems) {
	if err := product.CheckDNSName(u.Value); err != nil {
		p.Add(u.Line, "%s: %v (a URL's host name only, without https://)", what, err)
	}
}

// checkDatacenter checks one data centre. Names must differ between data
// centres: with secure audio, Unified CM takes equal CNs for one certificate
// (seed 000), and the internal CN is the admin URL (seed 000, MR5).
func (d *cwmsDeploy) checkDatacenter(dc dcSpec, seen map[string]int, p *product.Problems) {
	if err := product.CheckFileBase(dc.Name.Value); err != nil {
		p.Add(dc.Name.Line, "data centre name: %v", err)
	}
	for _, u := range []struct {
		v    strictyaml.Str
		what string
	}{{dc.Name, "name"}, {dc.SiteURL, "site_url"}, {dc.AdminURL, "admin_url"}} {
		if u.what != "name" {
			d.checkURL(u.v, dc.Name.Value+" "+u.what, p)
		}
		key := u.what + "=" + strings.ToLower(u.v.Value)
		if line, dup := seen[key]; dup {
			p.Add(u.v.Line, "%s %s is already used by the data centre at line %d: each data centre needs its own", u.what, u.v.Value, line)
		}
		seen[key] = u.v.Line
	}
	if len(dc.VMs) == 0 {
		p.Add(dc.Line, "data centre %s lists no vms", dc.Name.Value)
	}
	for _, vm := range dc.VMs {
		if err := product.CheckHost(vm.Value, true); err != nil {
			p.Add(vm.Line, "%s vms: %v", dc.Name.Value, err)
		}
	}
	d.checkIRP(dc, p)
}

// checkIRP: Internet Reverse Proxy names never appear in a certificate (seed
// 000), so one listed among the names that do is a mistake.
func (d *cwmsDeploy) checkIRP(dc dcSpec, p *product.Problems) {
	names := map[string]bool{strings.ToLower(dc.SiteURL.Value): true, strings.ToLower(dc.AdminURL.Value): true}
	for _, vm := range dc.VMs {
		names[strings.ToLower(vm.Value)] = true
	}
	for _, irp := range dc.IRP {
		if err := product.CheckHost(irp.Value, true); err != nil {
			p.Add(irp.Line, "%s irp: %v", dc.Name.Value, err)
		}
		if names[strings.ToLower(irp.Value)] {
			p.Add(irp.Line, "%s is an Internet Reverse Proxy and also listed as a VM or URL: IRP names never go into a certificate (the Cisco Community TOI for CWMS SSL certificates)", irp.Value)
		}
	}
}

// cwmsCert is a planned certificate with the facts its checks need.
type cwmsCert struct {
	spec   product.CertSpec
	dc     dcSpec
	role   plan.RoleName
	public bool // a public CA must be able to certify every name (rule 4)
	line   int
}

func (d *cwmsDeploy) build() (*plan.Plan, product.Problems) {
	var p product.Problems
	pl := product.NewPlan("cwms", d.s.Version.Value)
	d.keyInBundle = product.ChoiceKeyInBundle.Resolve(d.s.KeyInBundle, d.o.KeyInBundle, pl)
	d.pfx = product.ChoicePFX.Resolve(d.s.PFX, d.o.PFX, pl)
	var certs []cwmsCert
	for _, dc := range d.s.Datacenters {
		if split(d.v) {
			certs = append(certs, d.external(dc), d.internal(dc))
		} else {
			certs = append(certs, d.single(dc))
		}
	}
	for i := range certs {
		d.checkPublicNames(certs[i], &p)
		d.applyStyle(&certs[i], &p)
	}
	if len(p) > 0 {
		return nil, p
	}
	for _, c := range certs {
		pl.Certificates = append(pl.Certificates, d.planCert(c, certs))
	}
	d.finishPlan(pl)
	return pl, nil
}

func (d *cwmsDeploy) global() (site, admin string) {
	if g := d.s.Global; g != nil {
		return g.SiteURL.Value, g.AdminURL.Value
	}
	return "", ""
}

func vmNames(dc dcSpec) []string {
	var out []string
	for _, vm := range dc.VMs {
		out = append(out, vm.Value)
	}
	return out
}

// single: before 2.5MR5, one certificate per data centre, public CA. CN =
// the site URL; the data centre's own with two data centres and secure
// audio (Unified CM treats equal CNs as one certificate), else the global
// site URL is allowed and used. SANs: VMs, site and admin URLs, local and
// global; never IRPs (spec plan.md CWMS rule 1; seed 000).
func (d *cwmsDeploy) single(dc dcSpec) cwmsCert {
	gSite, gAdmin := d.global()
	cn := dc.SiteURL.Value
	if gSite != "" && !d.s.SecureAudio.Value {
		cn = gSite
	}
	sans := append(vmNames(dc), dc.SiteURL.Value, dc.AdminURL.Value, gSite, gAdmin)
	return cwmsCert{spec: product.CertSpec{Name: dc.Name.Value, CN: cn, SANs: sans, Signer: plan.SignerPublic, EKU: []string{product.ServerAuth}},
		dc: dc, role: RoleSingle, public: true, line: dc.Line}
}

// external: from 2.5MR5, the web conferencing certificate with the site URLs
// only, the data centre's and the global one; public CA (spec plan.md CWMS
// rule 2; seed 000). Its CN is the data centre's own site URL.
func (d *cwmsDeploy) external(dc dcSpec) cwmsCert {
	gSite, _ := d.global()
	return cwmsCert{spec: product.CertSpec{Name: dc.Name.Value + "-external", CN: dc.SiteURL.Value, SANs: []string{dc.SiteURL.Value, gSite},
		Signer: plan.SignerPublic, EKU: []string{product.ServerAuth}}, dc: dc, role: RoleExternal, public: true, line: dc.SiteURL.Line}
}

// internal: from 2.5MR5, CN = the data centre's admin URL (so CNs differ per
// data centre), SANs = VMs and admin URLs, local and global; the internal CA
// signs it, or without one its CSR goes to your own CA (spec plan.md CWMS
// rule 2; seed 000).
func (d *cwmsDeploy) internal(dc dcSpec) cwmsCert {
	_, gAdmin := d.global()
	signer, eku := d.ca, []string{product.ServerAuth, product.ClientAuth}
	if signer == "" {
		signer, eku = plan.SignerPublic, []string{product.ServerAuth}
	}
	sans := append(vmNames(dc), dc.AdminURL.Value, gAdmin)
	return cwmsCert{spec: product.CertSpec{Name: dc.Name.Value + "-internal", CN: dc.AdminURL.Value, SANs: sans, Signer: signer, EKU: eku},
		dc: dc, role: RoleInternal, line: dc.AdminURL.Line}
}

// checkPublicNames: a name no public CA certifies in a public certificate is
// an error that points to the 2.5MR5 split (spec plan.md CWMS rule 4; seed 000).
func (d *cwmsDeploy) checkPublicNames(c cwmsCert, p *product.Problems) {
	if !c.public {
		return
	}
	for _, n := range product.Uniq(append(c.spec.SANs, c.spec.CN)...) {
		reason := rolecheck.InternalOnly(n)
		if reason == "" {
			continue
		}
		if split(d.v) {
			p.Add(c.line, "%s: %s is %s, which no public CA certifies, and the external certificate carries only site URLs: give the site URLs public names (the Cisco Community TOI for CWMS SSL certificates)", c.spec.Name, n, reason)
		} else {
			p.Add(c.line, "%s: %s is %s, which no public CA certifies: from CWMS 2.5MR5 internal names go into a separate internal certificate signed by your own CA; upgrade and set version: 2.5MR5, or use public names (the Cisco Community TOI for CWMS SSL certificates)", c.spec.Name, n, reason)
		}
	}
}

// applyStyle makes a wildcard certificate: CN *.<domain>, refused unless
// every name sits one label under that domain (spec plan.md CWMS rule 3; seed
// 000). It shapes the certificates a public CA signs only: from 2.5MR5 the
// internal certificate's CN stays the data centre's admin URL (spec plan.md
// CWMS rule 2; seed 000, MR5).
func (d *cwmsDeploy) applyStyle(c *cwmsCert, p *product.Problems) {
	if !d.wildcard || !c.public {
		return
	}
	names := product.Uniq(append(c.spec.SANs, c.spec.CN)...)
	parent := product.ParentDomain(names[0])
	for _, n := range names {
		if product.ParentDomain(n) == "" || !strings.EqualFold(product.ParentDomain(n), parent) {
			p.Add(c.line, "%s: style wildcard needs every name one label under one domain, but %s and %s are not: a *.%s certificate would not cover both; use style: san", c.spec.Name, names[0], n, parent)
			return
		}
	}
	c.spec.CN = "*." + parent
	c.spec.SANs = nil
}

// planCert turns a checked certificate into the plan's, with its role check.
func (d *cwmsDeploy) planCert(c cwmsCert, all []cwmsCert) *plan.Certificate {
	s := c.spec
	s.Key, s.Days, s.Subject = d.key, d.days, d.subject
	pc := product.NewCert(s)
	if d.pfx {
		pc.Files.PFX = s.Name + ".pfx"
		if d.s.PFXEnc.Value == plan.PFXAES {
			pc.Files.PFXEncryption = plan.PFXAES
		}
	}
	product.AddUse(pc, c.dc.Name.Value, strings.TrimPrefix(string(c.role), "cwms-"))
	var irp []string
	for _, i := range c.dc.IRP {
		irp = append(irp, i.Value)
	}
	r := plan.RoleCheck{Role: c.role, Version: d.s.Version.Value, IRP: irp, SecureAudio: d.s.SecureAudio.Value, Names: []string{s.CN}}
	if c.role == RoleInternal {
		r.Names = []string{c.dc.AdminURL.Value} // CWMS-INTERNAL-CN checks the first name (spec roles.md)
	}
	for _, other := range all {
		if other.role == c.role && other.dc.Name != c.dc.Name && c.role != RoleExternal {
			r.PeerCert = other.spec.Name // CWMS-DISTINCT-CN (seed 000)
		}
	}
	pc.Roles = []plan.RoleCheck{r}
	return pc
}

// finishPlan adds CAs, bundles, install files and warnings.
func (d *cwmsDeploy) finishPlan(pl *plan.Plan) {
	pl.CAServer = d.s.CAServer.Value
	if d.ca != "" {
		// The internal CA's certificate, <ca>.crt: what trusts the internal
		// certificates (Unified CM for secure audio) and what anchors their
		// chain in `check` (choice recorded in docs/plan-rules.md).
		pl.CAs = []plan.CA{{Name: d.ca, KeyType: string(d.caKey), Purpose: "internal"}}
		var members []string
		for _, c := range pl.Certificates {
			if c.Signer == d.ca {
				members = append(members, c.Name)
			}
		}
		pl.Bundles = append(pl.Bundles, plan.Bundle{Name: d.ca, File: d.ca + ".crt", Layout: "cms", Members: members, CA: d.ca})
	}
	// Bundle order: 1.x/2.0 server first; 2.5 and later root-side
	// intermediate first, server last; a key made outside CWMS on top
	// (spec plan.md CWMS rule 5; seed 001).
	layout := Layout(d.v)
	for _, c := range pl.Certificates {
		b := plan.Bundle{Name: c.Name + "-bundle", File: c.Name + "-bundle.pem", Layout: layout, Members: []string{c.Name}, Key: d.keyInBundle}
		if c.Signer != plan.SignerPublic {
			b.CA = c.Signer
		}
		pl.Bundles = append(pl.Bundles, b)
	}
	for _, dc := range d.s.Datacenters {
		pl.Install = append(pl.Install, d.install(dc, pl, layout))
	}
	if d.ca == "" && split(d.v) {
		product.Warnf(pl, "no internal_ca: the internal certificates' CSRs go to your own CA (signer public here means a CA outside confcert); a public CA will refuse their internal names")
	}
	if d.keyInBundle {
		product.Warnf(pl, "each CWMS upload bundle holds its private key unencrypted on top, as CWMS needs for a key made outside it (the Cisco Community article on the CWMS SSL certificate bundle): keep the files private and delete them after the upload; key_in_bundle: false leaves it out for a key CWMS made itself")
	}
}

// install: which file goes where in the CWMS administration site, and what
// to check (spec plan.md CWMS rule 6; seeds 000, 001).
func (d *cwmsDeploy) install(dc dcSpec, pl *plan.Plan, layout chain.Layout) plan.Install {
	in := plan.Install{Node: dc.Name.Value, File: "install/" + dc.Name.Value + ".txt"}
	for _, c := range pl.Certificates {
		if c.UsedBy[0].Node != dc.Name.Value {
			continue
		}
		file := c.Name + "-bundle.pem"
		if c.Files.PFX != "" {
			file = c.Files.PFX
		}
		in.Uploads = append(in.Uploads, file)
		if c.Signer == plan.SignerPublic {
			in.Pending = append(in.Pending, file) // built by --import (issue 10 item 12)
		}
		in.Notes = append(in.Notes, d.uploadNote(c, file, layout))
	}
	in.Notes = append(in.Notes,
		"a bundle out of order is refused with \"The certificates do not form a valid certificate chain\": rebuild it with confcert bundle --layout "+string(layout)+" (the Cisco Community article on the CWMS SSL certificate bundle)",
		"keep the intermediates in the bundle: mobile clients need the full chain (the Cisco Community article on the CWMS SSL certificate bundle)",
		"Internet Reverse Proxy names are never in a certificate (the Cisco Community TOI for CWMS SSL certificates)")
	if !d.keyInBundle && !d.pfx {
		in.Notes = append(in.Notes, "key_in_bundle: false: these bundles hold no private key, which suits only a key CWMS made itself; confcert made these keys outside CWMS, and CWMS takes such a key only at the very top of the uploaded bundle (the Cisco Community article on the CWMS SSL certificate bundle)")
	}
	if d.s.SecureAudio.Value {
		in.Notes = append(in.Notes, "secure audio: upload each data centre's certificate to Unified CM for the TLS trunk; their CNs differ, since Unified CM overwrites a certificate with the same CN (the Cisco Community TOI for CWMS SSL certificates)")
	}
	return in
}

func (d *cwmsDeploy) uploadNote(c *plan.Certificate, file string, layout chain.Layout) string {
	what := "SSL certificate"
	switch {
	case strings.HasSuffix(c.Name, "-external"):
		what = "external SSL certificate (web conferencing, site URL)"
	case strings.HasSuffix(c.Name, "-internal"):
		what = "internal SSL certificate (system, admin URL)"
	}
	check := fmt.Sprintf("confcert check --role %s --version %s --cert %s", c.Roles[0].Role, d.s.Version.Value, file)
	return fmt.Sprintf("CWMS Administration > Settings > Security > Certificates: upload %s as the %s (%s order), then run %s", file, what, layout, check)
}
