package ui

import (
	"io"
	"strings"
)

// Tree is a node of a tree drawn with box characters, e.g. a certificate
// chain from its root down to the leaf.
type Tree struct {
	Label    string
	Children []*Tree
}

// Add appends a child with the given label and returns it.
func (t *Tree) Add(label string) *Tree {
	c := &Tree{Label: label}
	t.Children = append(t.Children, c)
	return c
}

// Render draws the tree:
//
//	root
//	└── intermediate
//	    └── leaf
func (t *Tree) Render(w io.Writer) error {
	var b strings.Builder
	b.WriteString(t.Label + "\n")
	t.renderChildren(&b, "")
	_, err := io.WriteString(w, b.String())
	return err
}

func (t *Tree) renderChildren(b *strings.Builder, prefix string) {
	for i, c := range t.Children {
		branch, next := "├── ", "│   "
		if i == len(t.Children)-1 {
			branch, next = "└── ", "    "
		}
		b.WriteString(prefix + branch + c.Label + "\n")
		c.renderChildren(b, prefix+next)
	}
}
