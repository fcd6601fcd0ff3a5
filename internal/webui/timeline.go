package webui

import (
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/validity"
)

// The timeline's geometry, in SVG user units: one lane per CA, one column
// per week of the next year, the CA names in a gutter on the left and the
// months on top.
const (
	tlGutter = 150
	tlWeekW  = 12
	tlWeeks  = 53 // 365 days / 7, rounded up
	tlAxis   = 28
	tlLaneH  = 56
	tlBarMax = 40
	tlPad    = 8
	tlRight  = 40 // room for the last month's label
	tlDays   = 365
)

// timeline is the dashboard's picture of what expires when, per CA,
// drawn on the server as SVG (timeline.html draws these numbers).
type timeline struct {
	Width, Height int
	AxisY         int
	TodayX        int
	Months        []tick
	Lanes         []lane
	// Total is the number of certificates drawn.
	Total int
}

// tick is a month boundary on the axis.
type tick struct {
	X     int
	Label string
}

// lane is one CA's row.
type lane struct {
	CA              string
	Y, BaseY, TextY int
	X0, X1          int // the baseline's ends
	Total           int
	Bars            []bar
}

// bar is one week's certificates of one CA.
type bar struct {
	X, Y, W, H int
	N          int
	// Class is soon (within 30 days), near (within 90) or later.
	Class string
	Label string
	Href  string
}

// newTimeline buckets the valid certificates that expire within a year by
// CA and week from now. Bar heights share one scale across every CA.
func newTimeline(cas []string, recs []castore.Record, now time.Time) timeline {
	weeks := map[string]*[tlWeeks]int{}
	for _, ca := range cas {
		weeks[ca] = &[tlWeeks]int{}
	}
	t := timeline{}
	peak := 0
	for _, r := range recs {
		wk, ok := weekOf(r, now)
		if !ok {
			continue
		}
		if weeks[r.CA] == nil {
			weeks[r.CA] = &[tlWeeks]int{}
			cas = append(cas, r.CA)
		}
		weeks[r.CA][wk]++
		peak = max(peak, weeks[r.CA][wk])
		t.Total++
	}
	for i, ca := range cas {
		t.Lanes = append(t.Lanes, newLane(ca, i, weeks[ca], peak, now))
	}
	t.Width = tlGutter + tlWeeks*tlWeekW + tlRight
	t.Height = tlAxis + len(cas)*tlLaneH + tlPad
	t.AxisY = tlAxis - 10
	t.TodayX = tlGutter
	t.Months = monthTicks(now)
	return t
}

// weekOf is the week from now in which a valid certificate expires, when
// within the year.
func weekOf(r castore.Record, now time.Time) (int, bool) {
	if r.Status(now) != castore.StatusValid {
		return 0, false
	}
	d := r.NotAfter.Sub(now)
	if d >= tlDays*24*time.Hour {
		return 0, false
	}
	return int(d / (7 * 24 * time.Hour)), true
}

func newLane(ca string, i int, weeks *[tlWeeks]int, peak int, now time.Time) lane {
	y := tlAxis + i*tlLaneH
	l := lane{CA: ca, Y: y, BaseY: y + tlBarMax + 4, TextY: y + tlBarMax/2 + 8, X0: tlGutter, X1: tlGutter + tlWeeks*tlWeekW}
	for wk, n := range weeks {
		if n == 0 {
			continue
		}
		l.Total += n
		h := max(4, n*tlBarMax/peak)
		from, to := now.AddDate(0, 0, wk*7), now.AddDate(0, 0, wk*7+6)
		q := url.Values{"ca": {ca}, "status": {"valid"}, "expiring": {strconv.Itoa(wk*7 + 7)}}
		l.Bars = append(l.Bars, bar{X: tlGutter + wk*tlWeekW + 1, Y: l.BaseY - h, W: tlWeekW - 2, H: h, N: n,
			Class: urgency(wk * 7), Href: "/ui/certificates?" + q.Encode(),
			Label: fmt.Sprintf("%s of CA %s: expiring between %s and %s", plural(n, "certificate"), ca,
				from.Format("2 Jan 2006"), to.Format("2 Jan 2006"))})
	}
	return l
}

// urgency classes a week by the days until it starts.
func urgency(days int) string {
	switch {
	case days < validity.WarnDays:
		return "soon"
	case days < 90:
		return "near"
	}
	return "later"
}

// monthTicks are the first days of the months within the year ahead.
func monthTicks(now time.Time) []tick {
	var out []tick
	m := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0)
	end := now.AddDate(0, 0, tlDays)
	for ; m.Before(end); m = m.AddDate(0, 1, 0) {
		x := tlGutter + int(m.Sub(now).Hours()/24/7*tlWeekW)
		label := m.Format("Jan")
		if m.Month() == time.January {
			label = m.Format("2006")
		}
		out = append(out, tick{X: x, Label: label})
	}
	return out
}

// plural is "1 certificate", "2 certificates".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
