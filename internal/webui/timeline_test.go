package webui

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/confcert/confcert/internal/castore"
)

var tlNow = time.Date(2026, 12, 1, 17, 0, 0, 0, time.UTC)

func rec(ca string, notAfter time.Time, revoked bool) castore.Record {
	r := castore.Record{Issued: castore.Issued{CA: ca, Serial: big.NewInt(1), NotAfter: notAfter}}
	if revoked {
		r.RevokedAt = tlNow.Add(-time.Hour)
	}
	return r
}

func TestTimelineBars(t *testing.T) {
	days := func(n int) time.Time { return tlNow.AddDate(0, 0, n) }
	tests := []struct {
		name string
		recs []castore.Record
		// want: per lane, week:class:height
		want map[string][]string
	}{
		{"empty CA still has a lane", nil, map[string][]string{"podca": nil, "dbca": nil}},
		{"urgency by the week's start", []castore.Record{rec("podca", days(3), false), rec("podca", days(45), false), rec("podca", days(200), false)},
			map[string][]string{"podca": {"0:soon:40", "6:near:40", "28:later:40"}, "dbca": nil}},
		{"heights share one scale", []castore.Record{rec("podca", days(10), false), rec("podca", days(11), false), rec("dbca", days(100), false)},
			map[string][]string{"podca": {"1:soon:40"}, "dbca": {"14:later:20"}}},
		{"expired, revoked and beyond a year are not drawn", []castore.Record{rec("podca", days(-1), false),
			rec("podca", days(20), true), rec("podca", days(366), false)}, map[string][]string{"podca": nil, "dbca": nil}},
		{"a CA missing from the list gets a lane", []castore.Record{rec("oldca", days(300), false)},
			map[string][]string{"podca": nil, "dbca": nil, "oldca": {"42:later:40"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tl := newTimeline([]string{"dbca", "podca"}, tc.recs, tlNow)
			if len(tl.Lanes) != len(tc.want) {
				t.Fatalf("%d lanes, want %d", len(tl.Lanes), len(tc.want))
			}
			for _, l := range tl.Lanes {
				var got []string
				for _, b := range l.Bars {
					wk := (b.X - tlGutter - 1) / tlWeekW
					got = append(got, strings.Join([]string{strconv.Itoa(wk), b.Class, strconv.Itoa(b.H)}, ":"))
					if b.Y+b.H != l.BaseY {
						t.Errorf("lane %s: a bar does not stand on the baseline", l.CA)
					}
				}
				if strings.Join(got, " ") != strings.Join(tc.want[l.CA], " ") {
					t.Errorf("lane %s: bars %v, want %v", l.CA, got, tc.want[l.CA])
				}
			}
		})
	}
}

func TestTimelineMonths(t *testing.T) {
	tl := newTimeline([]string{"podca"}, nil, tlNow)
	var labels []string
	last := tlGutter
	for _, m := range tl.Months {
		labels = append(labels, m.Label)
		if m.X <= last || m.X > tlGutter+tlWeeks*tlWeekW {
			t.Errorf("month %s at x=%d, after %d and within the chart", m.Label, m.X, last)
		}
		last = m.X
	}
	want := "2027 Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec"
	if strings.Join(labels, " ") != want {
		t.Errorf("months %q, want %q", strings.Join(labels, " "), want)
	}
}

// TestTimelineSVGIsWellFormed renders the SVG and reads it back as XML.
func TestTimelineSVGIsWellFormed(t *testing.T) {
	pages, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	recs := []castore.Record{rec("podca", tlNow.AddDate(0, 0, 5), false), rec("a&b<c>", tlNow.AddDate(0, 0, 50), false)}
	var buf bytes.Buffer
	if err := pages["dashboard"].ExecuteTemplate(&buf, "timeline", newTimeline([]string{"podca"}, recs, tlNow)); err != nil {
		t.Fatal(err)
	}
	svg := buf.String()
	svg = svg[strings.Index(svg, "<svg") : strings.Index(svg, "</svg>")+len("</svg>")]
	dec := xml.NewDecoder(strings.NewReader(svg))
	rects := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatalf("the SVG is not well-formed XML: %v\n%s", err, svg)
			}
			break
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "rect" {
			rects++
		}
	}
	if rects != 2 {
		t.Errorf("%d bars drawn, want 2", rects)
	}
	if !strings.Contains(svg, "a&amp;b&lt;c&gt; (1)") {
		t.Error("a CA name is not escaped in the SVG")
	}
}
