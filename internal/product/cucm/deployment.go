package cucm

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/confcert/confcert/internal/keys"
	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/product"
	"github.com/confcert/confcert/internal/release"
	"github.com/confcert/confcert/internal/strictyaml"
)

// Product is Cisco Unified CM with IM and Presence and Unity Connection.
type Product struct{}

// Name implements product.Product.
func (Product) Name() string { return "cucm" }

type spec struct {
	Product         strictyaml.Str      `key:"product,required"`
	Version         strictyaml.Str      `key:"version,required"`
	Domain          strictyaml.Str      `key:"domain,required"`
	Key             strictyaml.Str      `key:"key"`
	ECKey           strictyaml.Str      `key:"ec_key"`
	Days            strictyaml.Int      `key:"days"`
	InternalCA      strictyaml.Str      `key:"internal_ca"`
	CAServer        strictyaml.Str      `key:"ca_server"`
	CAKey           strictyaml.Str      `key:"ca_key"`
	Subject         product.SubjectSpec `key:"subject"`
	Publisher       strictyaml.Str      `key:"publisher,required"`
	Subscribers     []strictyaml.Str    `key:"subscribers"`
	IMPresence      []strictyaml.Str    `key:"im_presence"`
	UnityConnection []strictyaml.Str    `key:"unity_connection"`
	MultiServer     strictyaml.Bool     `key:"multi_server"`
	MixedMode       strictyaml.Bool     `key:"mixed_mode"`
	Certificates    []strictyaml.Str    `key:"certificates"`
	ExpresswayCCA   strictyaml.Str      `key:"expressway_c_ca"`
	Line            int                 `key:",line"`
}

// deploy is a checked deployment.
type deploy struct {
	s          *spec
	version    release.Version
	key, ecKey keys.Type
	caKey      keys.Type
	days       int
	internalCA string
	cucm, imp  []string // node FQDNs, publisher first
	unity      []string
	types      []certType
	multi      bool
	warnings   []string
}

// versionRE reads a Unified CM release: 12.5, 12.5(1)SU3, 14, 14SU2, 15SU5.
var versionRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(\d{1,2})(?:\.(\d{1,2}))?(?:\(\d+\))?\s*(?:SU\s*(\d{1,2}))?$`)
})

// ParseVersion reads a Unified CM release; an SU is kept as the MR part
// (15SU5 is major 15, minor 0, MR 5).
func ParseVersion(s string) (release.Version, error) {
	m := versionRE().FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return release.Version{}, fmt.Errorf("version %q: write the Unified CM release as 12.5, 14, 14SU2, 15 or 15SU5", s)
	}
	v := release.Version{Text: s}
	v.Major, _ = strconv.Atoi(m[1])
	v.Minor, _ = strconv.Atoi(m[2])
	v.MR, _ = strconv.Atoi(m[3])
	return v, nil
}

// Plan implements product.Product.
func (Product) Plan(doc *yaml.Node, o product.Options) (*plan.Plan, []strictyaml.Problem) {
	s, probs := product.Decode[spec](doc)
	if probs != nil {
		return nil, probs
	}
	d, bad := check(s)
	if len(bad) > 0 {
		return nil, bad
	}
	return product.Finish(newBuild(d).build(), s.Line)
}

func check(s *spec) (*deploy, product.Problems) {
	var p product.Problems
	d := &deploy{s: s, multi: s.MultiServer.Value}
	d.checkGlobals(&p)
	d.checkNodes(&p)
	d.checkTypes(&p)
	return d, p
}

func (d *deploy) checkGlobals(p *product.Problems) {
	s := d.s
	v, err := ParseVersion(s.Version.Value)
	switch {
	case err != nil:
		p.Add(s.Version.Line, "%v", err)
	case v.Major < 12 || v.Major > 15 || (v.Major == 12 && v.Minor < 5):
		p.Add(s.Version.Line, "version %q: confcert plans Unified CM 12.5 to 15", s.Version.Value)
	}
	d.version = v
	d.key = product.KeyType(s.Key, "key", false, p)
	if strings.HasPrefix(string(d.key), "ecdsa") {
		p.Add(s.Key.Line, "key: %s is for the -ECDSA purposes: set ec_key, and key to rsa2048, rsa3072 or rsa4096", s.Key.Value)
	}
	d.ecKey = keys.ECDSAP256
	if s.ECKey.Value != "" {
		d.ecKey = product.KeyType(s.ECKey, "ec_key", false, p)
		if d.ecKey != keys.ECDSAP256 && d.ecKey != keys.ECDSAP384 {
			p.Add(s.ECKey.Line, "ec_key: Unified CM's -ECDSA purposes take ecdsa-p256 or ecdsa-p384 here, not %s", s.ECKey.Value)
		}
	}
	d.caKey = product.KeyType(s.CAKey, "ca_key", false, p)
	d.days = product.ValidityDays(s.Days, p)
	d.internalCA = s.InternalCA.Value
	if d.internalCA == "" {
		d.internalCA = product.FirstLabel(s.Domain.Value) + "ca"
	}
	product.CheckCAName(strictyaml.Str{Value: d.internalCA, Line: max(s.InternalCA.Line, s.Domain.Line)}, "internal_ca", p)
	product.CheckCAServer(s.CAServer, p)
	checkName("domain", s.Domain, p)
}

// checkName: a DNS name, never a wildcard: "Wildcard certificates are not
// supported" (Security Guide Release 14, "Certificates"; UCM-02).
func checkName(key string, v strictyaml.Str, p *product.Problems) {
	product.CheckNoWildcardName(key, v, `Unified CM does not support wildcard certificates (Security Guide for Cisco Unified Communications Manager Release 14, "Certificates")`, p)
}

func (d *deploy) checkNodes(p *product.Problems) {
	s := d.s
	seen := map[string]bool{}
	add := func(key string, v strictyaml.Str, list *[]string) {
		checkName(key, v, p)
		l := strings.ToLower(product.FirstLabel(v.Value))
		if seen[l] {
			p.Add(v.Line, "%s: another node's name also starts with %q, and the first label names its files", key, l)
		}
		seen[l] = true
		*list = append(*list, v.Value)
	}
	add("publisher", s.Publisher, &d.cucm)
	for _, n := range s.Subscribers {
		add("subscribers", n, &d.cucm)
	}
	for _, n := range s.IMPresence {
		add("im_presence", n, &d.imp)
	}
	for _, n := range s.UnityConnection {
		add("unity_connection", n, &d.unity)
	}
	if s.ExpresswayCCA.Value != "" {
		if err := product.CheckFileBase(strings.TrimSuffix(s.ExpresswayCCA.Value, ".pem")); err != nil {
			p.Add(s.ExpresswayCCA.Line, "expressway_c_ca: the file name %v", err)
		}
	}
}

// checkTypes reads certificates: (default tomcat and callmanager).
func (d *deploy) checkTypes(p *product.Problems) {
	s := d.s
	if len(s.Certificates) == 0 {
		for _, k := range []string{"tomcat", "callmanager"} {
			t, _ := typeNamed(k)
			d.types = append(d.types, t)
		}
	}
	var known []string
	for _, t := range certTypes() {
		known = append(known, t.key)
	}
	for _, c := range s.Certificates {
		t, ok := typeNamed(c.Value)
		switch {
		case !ok:
			p.Add(c.Line, "certificates: unknown type %q (%s)", c.Value, strings.Join(known, ", "))
		case slices.ContainsFunc(d.types, func(x certType) bool { return x.key == t.key }):
			p.Add(c.Line, "certificates lists %s twice", c.Value)
		case t.key == "capf" && s.CAServer.Value != "":
			p.Add(c.Line, "certificates: capf is a subordinate CA, which only a local CA of confcert signs: the CA service (ca_server) issues end-entity certificates only; plan capf in a deployment without ca_server")
		case t.cluster() == onIMP && len(d.imp) == 0:
			p.Add(c.Line, "certificates: %s lives on IM and Presence: list its nodes in im_presence", c.Value)
		default:
			d.types = append(d.types, t)
		}
	}
	if d.multi && d.version.Major == 12 && slices.ContainsFunc(d.types, func(t certType) bool { return t.key == "tvs" }) {
		d.warnings = append(d.warnings, "tvs: a multi-server TVS certificate exists from Release 14; planned per node for 12.5")
	}
}

func (d *deploy) nodes(cluster string) []string {
	if cluster == onIMP {
		return d.imp
	}
	return d.cucm
}
