package certfacts

import (
	"fmt"
	"github.com/confcert/confcert/internal/termsafe"

	"github.com/confcert/confcert/internal/ui"
)

// Tree draws which certificate of r issued which: each certificate under its
// issuer, roots (and certificates whose issuer is not in the file) at the
// top. It returns nil when r holds fewer than two certificates.
func Tree(r *Report) *ui.Tree {
	certs := map[int]*Certificate{}
	var order []int
	for _, o := range r.Objects {
		if c, ok := o.(*Certificate); ok {
			certs[c.Index] = c
			order = append(order, c.Index)
		}
	}
	if len(order) < 2 {
		return nil
	}
	parent := parents(certs, order)
	children := map[int][]int{}
	var roots []int
	for _, i := range order {
		if parent[i] < 0 {
			roots = append(roots, i)
		} else {
			children[parent[i]] = append(children[parent[i]], i)
		}
	}
	top := &ui.Tree{Label: r.File}
	for _, i := range roots {
		grow(top.Add(treeLabel(certs[i])), i, certs, children)
	}
	return top
}

// parents maps each certificate to the index of its issuer, -1 for roots; a
// cycle (cross-signed CAs) is cut where it is found.
func parents(certs map[int]*Certificate, order []int) map[int]int {
	parent := make(map[int]int, len(order))
	for _, i := range order {
		parent[i] = -1
		if p := certs[i].IssuedByIndex; p != nil && *p != i {
			parent[i] = *p
		}
	}
	state := make(map[int]int, len(order)) // 0 new, 1 on the current walk, 2 settled
	for _, start := range order {
		var walk []int
		for i := start; i >= 0 && state[i] == 0; i = parent[i] {
			state[i] = 1
			walk = append(walk, i)
			if p := parent[i]; p >= 0 && state[p] == 1 {
				parent[i] = -1
			}
		}
		for _, i := range walk {
			state[i] = 2
		}
	}
	return parent
}

func grow(node *ui.Tree, i int, certs map[int]*Certificate, children map[int][]int) {
	for _, c := range children[i] {
		grow(node.Add(treeLabel(certs[c])), c, certs, children)
	}
}

func treeLabel(c *Certificate) string {
	name := termsafe.String(c.SubjectCN)
	if name == "" {
		name = c.Subject
	}
	if c.Expired {
		name += " (EXPIRED)"
	}
	return fmt.Sprintf("[%d] %s", c.Index, name)
}
