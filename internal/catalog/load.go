package catalog

import (
	"errors"
	"fmt"
	"github.com/confcert/confcert/internal/inputfile"
	"io/fs"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/confcert/confcert/internal/plan"
	"github.com/confcert/confcert/internal/product"
	"github.com/confcert/confcert/internal/strictyaml"
)

// Options are the command-line choices that change a plan: whether a public
// CA may issue clientAuth, CWMS key-in-bundle and PFX files.
type Options = product.Options

// maxSize bounds a deployment file; real ones are a few kilobytes.
const maxSize = 1 << 20

// Error lists every problem found in a deployment file.
type Error struct {
	File     string
	Problems []strictyaml.Problem
	// Others are the problems of further files given to one plan.
	Others []*Error
}

// Error formats one problem per line as <file>:<line>: <problem>.
func (e *Error) Error() string {
	return strings.Join(e.Lines(), "\n")
}

// Lines returns the problems, each formatted <file>:<line>: <problem>.
func (e *Error) Lines() []string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		if p.Line > 0 {
			lines[i] = fmt.Sprintf("%s:%d: %s", e.File, p.Line, p.Msg)
		} else {
			lines[i] = fmt.Sprintf("%s: %s", e.File, p.Msg)
		}
	}
	for _, o := range e.Others {
		lines = append(lines, o.Lines()...)
	}
	return lines
}

// Load reads the deployment file at path (spec plan.md): it reads the YAML,
// dispatches on its product: key to that product's rules and returns the
// plan, or every problem found, each with its line number (as *Error).
func Load(path string, o Options) (*plan.Plan, error) {
	data, err := readDeployment(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data, o)
}

// readDeployment reads a deployment file, refusing what cannot be one.
func readDeployment(path string) ([]byte, error) {
	data, err := inputfile.Read(path, maxSize)
	var tooLarge *inputfile.TooLargeError
	switch {
	case errors.As(err, &tooLarge):
		return nil, &Error{File: path, Problems: []strictyaml.Problem{strictyaml.Problemf(0, "the file is larger than %d bytes: not a deployment file", maxSize)}}
	case errors.Is(err, inputfile.ErrNotRegular):
		return nil, &Error{File: path, Problems: []strictyaml.Problem{strictyaml.Problemf(0, "%v: give the deployment YAML file", err)}}
	case err != nil:
		return nil, fmt.Errorf("deployment file: %w", &fs.PathError{Op: "open", Path: path, Err: err})
	}
	return data, nil
}

// Parse works out the plan of the deployment file data; name is the file's
// name in messages. Problems come back as *Error.
func Parse(name string, data []byte, o Options) (*plan.Plan, error) {
	root, probs := strictyaml.Document(data)
	if len(probs) > 0 {
		return nil, &Error{File: name, Problems: probs}
	}
	parts, probs := planDocument(root, o)
	if len(probs) > 0 {
		return nil, &Error{File: name, Problems: probs}
	}
	p, probs := combine(parts)
	if len(probs) > 0 {
		return nil, &Error{File: name, Problems: probs}
	}
	return p, nil
}

// part is the plan of one deployment of a file, with its product.
type part struct {
	prod product.Product
	p    *plan.Plan
}

// planDocument plans a file's deployment, or each deployment of its
// deployments: list (one deployment, several products).
func planDocument(root *yaml.Node, o Options) ([]part, []strictyaml.Problem) {
	docs, probs := deploymentsOf(root)
	if len(probs) > 0 {
		return nil, probs
	}
	var parts []part
	for _, doc := range docs {
		prod, ps := productOf(doc)
		if len(ps) > 0 {
			probs = append(probs, ps...)
			continue
		}
		p, ps := prod.Plan(doc, o)
		if len(ps) > 0 {
			probs = append(probs, ps...)
			continue
		}
		reviewCalendar(p, prod, o.At)
		parts = append(parts, part{prod: prod, p: p})
	}
	return parts, probs
}

// productOf finds the product named by the product: key.
func productOf(root *yaml.Node) (product.Product, []strictyaml.Problem) {
	known := strings.Join(Names(), ", ")
	n := strictyaml.Lookup(root, "product")
	if n == nil {
		return nil, []strictyaml.Problem{strictyaml.Problemf(root.Line, "the deployment lacks the required key \"product\" (one of %s)", known)}
	}
	p, ok := Lookup(n.Value)
	if n.Kind != yaml.ScalarNode || !ok {
		return nil, []strictyaml.Problem{strictyaml.Problemf(n.Line, "unknown product %q (one of %s)", n.Value, known)}
	}
	return p, nil
}
