package catalog

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/product"
	"github.com/confcert/confcert/internal/strictyaml"
)

// One deployment, several products (a Meeting Server with its Expressways
// and its Unified CM): a file may hold a deployments: list, and `plan` may
// be given several files. Each deployment is planned by its product; the
// plans are combined into one, and the trust between the products is
// planned too (link.go).

// deploymentsOf returns the deployments of a file: the root itself, or the
// mappings of its deployments: list.
func deploymentsOf(root *yaml.Node) ([]*yaml.Node, []strictyaml.Problem) {
	list := strictyaml.Lookup(root, "deployments")
	if list == nil {
		return []*yaml.Node{root}, nil
	}
	var probs []strictyaml.Problem
	for i := 0; i+1 < len(root.Content); i += 2 {
		if k := root.Content[i]; k.Value != "deployments" {
			probs = append(probs, strictyaml.Problemf(k.Line, "unknown key %q beside deployments: each deployment of the list holds its own keys", k.Value))
		}
	}
	if list.Kind != yaml.SequenceNode || len(list.Content) == 0 {
		return nil, append(probs, strictyaml.Problemf(list.Line, "deployments must be a list of deployments, each with its product: key"))
	}
	for _, d := range list.Content {
		if d.Kind != yaml.MappingNode {
			probs = append(probs, strictyaml.Problemf(d.Line, "each item of deployments must be a deployment (a mapping with product: ...)"))
		}
	}
	return list.Content, probs
}

// LoadAll plans several deployment files as one deployment (spec plan.md:
// "several files given to one plan"). Every file's problems are reported.
func LoadAll(paths []string, o Options) (*plan.Plan, error) {
	p, err := loadAll(paths, o)
	if err == nil {
		warnUnusedFlags(p, o)
	}
	return p, err
}

// flagUsers are the products whose deployment file has the choice each
// run flag overrides (spec plan.md "Phases and flags"; CWMS rule 5).
var flagUsers = []struct {
	choice   product.Choice
	flag     func(Options) product.Flag
	products []string
}{
	{product.ChoicePFX, func(o Options) product.Flag { return o.PFX }, []string{"cwms"}},
	{product.ChoiceKeyInBundle, func(o Options) product.Flag { return o.KeyInBundle }, []string{"cwms"}},
	{product.ChoiceAllowPublicClientAuth, func(o Options) product.Flag { return o.AllowPublicClientAuth }, []string{"cms"}},
}

// warnUnusedFlags says when a run flag was given to a plan of products
// that do not have its choice, rather than ignoring it without a word.
func warnUnusedFlags(p *plan.Plan, o Options) {
	products := p.Products
	if len(products) == 0 {
		products = []string{p.Product}
	}
	for _, u := range flagUsers {
		f := u.flag(o)
		if !f.Set || slices.ContainsFunc(products, func(n string) bool { return slices.Contains(u.products, n) }) {
			continue
		}
		flag := u.choice.Flag
		if !f.Value && u.choice.NoFlag != "" {
			flag = u.choice.NoFlag
		}
		product.Warnf(p, "%s changes nothing in a plan of %s: only %s deployments have %s", flag, strings.Join(products, ", "), strings.Join(u.products, ", "), u.choice.Key)
	}
}

func loadAll(paths []string, o Options) (*plan.Plan, error) {
	if len(paths) == 1 {
		return Load(paths[0], o)
	}
	var parts []part
	var errs []*Error
	for _, path := range paths {
		ps, err := loadParts(path, o)
		var de *Error
		switch {
		case errors.As(err, &de):
			errs = append(errs, de)
		case err != nil:
			return nil, err
		}
		parts = append(parts, ps...)
	}
	if len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	p, probs := combine(parts)
	if len(probs) > 0 {
		return nil, &Error{File: strings.Join(paths, " + "), Problems: probs}
	}
	return p, nil
}

// loadParts plans one file into its parts, without combining them.
func loadParts(path string, o Options) ([]part, error) {
	data, err := readDeployment(path)
	if err != nil {
		return nil, err
	}
	root, probs := strictyaml.Document(data)
	if len(probs) == 0 {
		var parts []part
		if parts, probs = planDocument(root, o); len(probs) == 0 {
			return parts, nil
		}
	}
	return nil, &Error{File: path, Problems: probs}
}

func joinErrors(errs []*Error) *Error {
	first := errs[0]
	first.Others = append(first.Others, errs[1:]...)
	return first
}

// combine makes one plan of the parts: certificates, bundles, install files
// and local CAs together, each role check keeping its product's version;
// then the trust between the products (link). Two certificates, bundles or
// install files of one name are problems.
func combine(parts []part) (*plan.Plan, []strictyaml.Problem) {
	if len(parts) == 1 {
		return parts[0].p, nil
	}
	var names []string
	for _, pt := range parts {
		names = append(names, pt.p.Product)
	}
	out := product.NewPlan(strings.Join(names, "+"), "")
	out.Products = names
	var probs []strictyaml.Problem
	for _, pt := range parts {
		probs = append(probs, merge(out, pt.p)...)
	}
	if len(probs) > 0 {
		return nil, probs
	}
	return out, link(out)
}

func merge(out, p *plan.Plan) []strictyaml.Problem {
	var probs []strictyaml.Problem
	for _, c := range p.Certificates {
		if slices.ContainsFunc(out.Certificates, func(o *plan.Certificate) bool { return o.Name == c.Name }) {
			probs = append(probs, strictyaml.Problemf(0, "two certificates would be named %q (the %s deployment has one too): rename a node", c.Name, p.Product))
			continue
		}
		for i := range c.Roles {
			if c.Roles[i].Version == "" {
				c.Roles[i].Version = p.Version
			}
		}
		out.Certificates = append(out.Certificates, c)
	}
	for _, b := range p.Bundles {
		if i := slices.IndexFunc(out.Bundles, func(o plan.Bundle) bool { return o.File == b.File }); i >= 0 {
			if !sameKind(out.Bundles[i], b) {
				probs = append(probs, strictyaml.Problemf(0, "two deployments plan different files named %s", b.File))
				continue
			}
			out.Bundles[i].Members = product.Uniq(append(out.Bundles[i].Members, b.Members...)...)
			continue
		}
		out.Bundles = append(out.Bundles, b)
	}
	for _, in := range p.Install {
		if slices.ContainsFunc(out.Install, func(o plan.Install) bool { return o.File == in.File }) {
			probs = append(probs, strictyaml.Problemf(0, "two deployments write %s: rename a node or cluster", in.File))
			continue
		}
		out.Install = append(out.Install, in)
	}
	probs = append(probs, mergeCAs(out, p)...)
	out.Expects = append(out.Expects, p.Expects...)
	switch {
	case p.CAServer == "" || p.CAServer == out.CAServer:
	case out.CAServer == "":
		out.CAServer = p.CAServer
	default:
		probs = append(probs, strictyaml.Problemf(0, "the %s deployment names ca_server %s, another %s: one plan submits to one CA service", p.Product, p.CAServer, out.CAServer))
	}
	out.Warnings = append(out.Warnings, p.Warnings...)
	return probs
}

func sameKind(a, b plan.Bundle) bool {
	return a.Name == b.Name && a.Layout == b.Layout && a.CA == b.CA && a.Issuers == b.Issuers && a.Key == b.Key
}

// mergeCAs: one local CA may serve several products, with one key type.
func mergeCAs(out, p *plan.Plan) []strictyaml.Problem {
	var probs []strictyaml.Problem
	for _, ca := range p.CAs {
		i := slices.IndexFunc(out.CAs, func(o plan.CA) bool { return o.Name == ca.Name })
		switch {
		case i < 0:
			out.CAs = append(out.CAs, ca)
		case out.CAs[i].KeyType != ca.KeyType:
			probs = append(probs, strictyaml.Problemf(0, "the local CA %s is asked for with key types %s and %s: give every deployment the same ca_key", ca.Name, out.CAs[i].KeyType, ca.KeyType))
		case out.CAs[i].Purpose != ca.Purpose:
			probs = append(probs, strictyaml.Problemf(0, "the local CA %s serves as %s and as %s: a database cluster CA serves nothing else", ca.Name, out.CAs[i].Purpose, ca.Purpose))
		}
	}
	return probs
}

// errorf is a problem of the combined plan.
func errorf(format string, args ...any) strictyaml.Problem {
	return strictyaml.Problemf(0, "%s", fmt.Sprintf(format, args...))
}
