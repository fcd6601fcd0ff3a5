package ui

import (
	"bytes"
	"testing"
)

func TestTableAligns(t *testing.T) {
	tb := NewTable("NAME", "CN", "STATUS")
	tb.Row("cms1a", "cms1.pod2.cms.lab", "signed")
	tb.Row("dbclient", "postgres", "awaiting-ca")
	var b bytes.Buffer
	if err := tb.Render(&b); err != nil {
		t.Fatal(err)
	}
	want := "NAME      CN                 STATUS\n" +
		"cms1a     cms1.pod2.cms.lab  signed\n" +
		"dbclient  postgres           awaiting-ca\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestTreeRender(t *testing.T) {
	root := &Tree{Label: "root"}
	mid := root.Add("intermediate")
	mid.Add("leaf a")
	mid.Add("leaf b")
	root.Add("other")
	var b bytes.Buffer
	root.Render(&b)
	want := "root\n├── intermediate\n│   ├── leaf a\n│   └── leaf b\n└── other\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestColorOnlyOnTerminal(t *testing.T) {
	p := New(&bytes.Buffer{})
	if got := p.Color(Red, "FAILURE"); got != "FAILURE" {
		t.Errorf("non-terminal output coloured: %q", got)
	}
	var b bytes.Buffer
	pr := NewProgress(&b, 10, "keys")
	pr.Add(5)
	pr.Finish()
	if b.Len() != 0 {
		t.Errorf("progress bar drew on a non-terminal: %q", b.String())
	}
}
