// Package promtext keeps counters and histograms with one label and writes
// them in the Prometheus text exposition format, version 0.0.4: what the
// `/metrics` of `confcert serve` needs and nothing more. It replaced
// prometheus/client_golang, whose package initialisation (its default
// registry's Go and process collectors, procfs, protobuf) every confcert
// process paid for at start, whatever the verb (issue 15 item 4,
// docs/dependencies.md). The tests read every output back with the
// Prometheus project's own parser (prometheus/common/expfmt).
package promtext

import (
	"bufio"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// ContentType is the Content-Type of the text format.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Writer writes metric families; errors are kept for Flush.
type Writer struct {
	w *bufio.Writer
}

// NewWriter writes to w; call Flush at the end.
func NewWriter(w io.Writer) *Writer { return &Writer{w: bufio.NewWriter(w)} }

// Flush writes what is buffered and returns the first error.
func (w *Writer) Flush() error { return w.w.Flush() }

// Family starts the family name of type typ ("counter", "gauge",
// "histogram") with its help text.
func (w *Writer) Family(name, help, typ string) {
	w.w.WriteString("# HELP " + name + " " + helpEscaper.Replace(help) + "\n")
	w.w.WriteString("# TYPE " + name + " " + typ + "\n")
}

// Sample writes one sample: name{label="value",...} v. labels are name,
// value pairs.
func (w *Writer) Sample(name string, v float64, labels ...string) {
	w.w.WriteString(name)
	for i := 0; i+1 < len(labels); i += 2 {
		sep := ","
		if i == 0 {
			sep = "{"
		}
		w.w.WriteString(sep + labels[i] + `="` + labelEscaper.Replace(labels[i+1]) + `"`)
	}
	if len(labels) > 1 {
		w.w.WriteString("}")
	}
	w.w.WriteString(" " + FormatFloat(v) + "\n")
}

// The escapes of the text format: a help text escapes backslash and line
// feed; a label value also the double quote.
var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

// FormatFloat writes v as the text format wants it: +Inf, -Inf, NaN, else
// the shortest representation that reads back exactly.
func FormatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// CounterVec counts by the value of one label. It is safe for concurrent
// use.
type CounterVec struct {
	Name, Help, Label string

	mu     sync.Mutex
	counts map[string]float64
}

// Inc adds one to the counter of label value v.
func (c *CounterVec) Inc(v string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = map[string]float64{}
	}
	c.counts[v]++
}

// Write writes the family, one sample per label value seen, in order.
func (c *CounterVec) Write(w *Writer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	w.Family(c.Name, c.Help, "counter")
	for _, v := range sortedKeys(c.counts) {
		w.Sample(c.Name, c.counts[v], c.Label, v)
	}
}

// HistogramVec is a histogram per value of one label, with the same upper
// bounds (ascending; +Inf is added). It is safe for concurrent use.
type HistogramVec struct {
	Name, Help, Label string
	Bounds            []float64

	mu     sync.Mutex
	series map[string]*histogram
}

type histogram struct {
	buckets []uint64 // buckets[i]: observations <= Bounds[i], not cumulated
	count   uint64
	sum     float64
}

// Observe adds x to the histogram of label value v.
func (h *HistogramVec) Observe(v string, x float64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.series == nil {
		h.series = map[string]*histogram{}
	}
	s := h.series[v]
	if s == nil {
		s = &histogram{buckets: make([]uint64, len(h.Bounds))}
		h.series[v] = s
	}
	if i, _ := slices.BinarySearch(h.Bounds, x); i < len(h.Bounds) {
		s.buckets[i]++
	}
	s.count++
	s.sum += x
}

// Write writes the family: for each label value its cumulative buckets,
// sum and count.
func (h *HistogramVec) Write(w *Writer) {
	h.mu.Lock()
	defer h.mu.Unlock()
	w.Family(h.Name, h.Help, "histogram")
	for _, v := range sortedKeys(h.series) {
		s := h.series[v]
		var cum uint64
		for i, b := range h.Bounds {
			cum += s.buckets[i]
			w.Sample(h.Name+"_bucket", float64(cum), h.Label, v, "le", FormatFloat(b))
		}
		w.Sample(h.Name+"_bucket", float64(s.count), h.Label, v, "le", "+Inf")
		w.Sample(h.Name+"_sum", s.sum, h.Label, v)
		w.Sample(h.Name+"_count", float64(s.count), h.Label, v)
	}
}

// ExponentialBounds returns n bounds: start, start*factor, ...
func ExponentialBounds(start, factor float64, n int) []float64 {
	b := make([]float64, n)
	for i := range b {
		b[i] = start
		start *= factor
	}
	return b
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
