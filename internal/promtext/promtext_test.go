package promtext

import (
	"bytes"
	"math"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// parse reads out back with the Prometheus project's own text parser.
func parse(t testing.TB, out []byte) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("the Prometheus parser refuses the output: %v\n%s", err, out)
	}
	return fams
}

func write(fn func(w *Writer)) []byte {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	fn(w)
	if err := w.Flush(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

func TestCounterVecReadsBack(t *testing.T) {
	c := CounterVec{Name: "x_total", Help: "Counts \\ things\non two lines.", Label: "ca"}
	values := []string{`plain`, `quote " inside`, `back\slash`, "line\nfeed", "é ünïcode", ""}
	for i, v := range values {
		for range i + 1 {
			c.Inc(v)
		}
	}
	fams := parse(t, write(c.Write))
	f := fams["x_total"]
	if f == nil || f.GetType() != dto.MetricType_COUNTER || f.GetHelp() != "Counts \\ things\non two lines." {
		t.Fatalf("family = %v", f)
	}
	got := map[string]float64{}
	for _, m := range f.GetMetric() {
		got[m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue()
	}
	for i, v := range values {
		if got[v] != float64(i+1) {
			t.Errorf("label %q: %v, want %d", v, got[v], i+1)
		}
	}
}

func TestHistogramVecReadsBack(t *testing.T) {
	h := HistogramVec{Name: "took_seconds", Help: "Time.", Label: "ca", Bounds: ExponentialBounds(0.001, 2, 14)}
	obs := []float64{0.0005, 0.001, 0.0011, 0.5, 8.192, 9, 100}
	for _, x := range obs {
		h.Observe("a", x)
	}
	h.Observe("b", 0.002)
	fams := parse(t, write(h.Write))
	f := fams["took_seconds"]
	if f == nil || f.GetType() != dto.MetricType_HISTOGRAM || len(f.GetMetric()) != 2 {
		t.Fatalf("family = %v", f)
	}
	a := f.GetMetric()[0].GetHistogram()
	if a.GetSampleCount() != uint64(len(obs)) {
		t.Errorf("count %d, want %d", a.GetSampleCount(), len(obs))
	}
	var sum float64
	for _, x := range obs {
		sum += x
	}
	if math.Abs(a.GetSampleSum()-sum) > 1e-9 {
		t.Errorf("sum %v, want %v", a.GetSampleSum(), sum)
	}
	want := map[float64]uint64{0.001: 2, 0.002: 3, 0.512: 4, 8.192: 5} // cumulative: x <= bound
	seen := 0
	for _, b := range a.GetBucket() {
		if n, ok := want[b.GetUpperBound()]; ok {
			seen++
			if b.GetCumulativeCount() != n {
				t.Errorf("le=%v: %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), n)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("found %d of the bounds %v", seen, want)
	}
	if b := a.GetBucket(); len(b) != 15 || !math.IsInf(b[14].GetUpperBound(), 1) || b[14].GetCumulativeCount() != uint64(len(obs)) {
		t.Errorf("buckets %v, want 14 bounds and +Inf holding every observation", b)
	}
}

func TestFormatFloat(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{0, "0"}, {1, "1"}, {0.001, "0.001"}, {8.192, "8.192"}, {1e21, "1e+21"}, {-2.5, "-2.5"},
		{math.Inf(1), "+Inf"}, {math.Inf(-1), "-Inf"}, {math.NaN(), "NaN"},
	}
	for _, tt := range tests {
		if got := FormatFloat(tt.v); got != tt.want {
			t.Errorf("FormatFloat(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestEmptyFamiliesAndPlainSample(t *testing.T) {
	out := write(func(w *Writer) {
		(&CounterVec{Name: "none_total", Help: "Nothing yet.", Label: "x"}).Write(w)
		w.Family("up_total", "One sample, no label.", "counter")
		w.Sample("up_total", 3)
	})
	fams := parse(t, out)
	if got := fams["up_total"].GetMetric()[0].GetCounter().GetValue(); got != 3 {
		t.Errorf("up_total = %v", got)
	}
	if !strings.Contains(string(out), "# TYPE none_total counter\n") {
		t.Errorf("an empty family lost its TYPE line:\n%s", out)
	}
}

// FuzzLabelValue: any label value is written so that the Prometheus parser
// reads back exactly that value.
func FuzzLabelValue(f *testing.F) {
	for _, s := range []string{"", "a", `"`, `\`, "\n", `\n`, "é", "a\"b\\c\nd"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if v != strings.ToValidUTF8(v, "") {
			t.Skip("the format is UTF-8")
		}
		c := CounterVec{Name: "f_total", Help: "h", Label: "l"}
		c.Inc(v)
		m := parse(t, write(c.Write))["f_total"].GetMetric()
		if len(m) != 1 || m[0].GetLabel()[0].GetValue() != v {
			t.Fatalf("label %q read back as %v", v, m)
		}
	})
}
