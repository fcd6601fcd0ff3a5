package caapi

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/confcert/confcert/internal/castore"
	"github.com/confcert/confcert/internal/promtext"
	"github.com/confcert/confcert/internal/validity"
)

// Metrics are the Prometheus metrics of the service (spec serve.md):
// requests by status, issuance latency, certificates expiring within 30
// days per CA, HTTP answers by code, OCSP answers. Each Metrics keeps its
// own counts: no global state. They are written in the text format by
// internal/promtext, not prometheus/client_golang, whose initialisation
// every confcert process paid for (docs/dependencies.md).
type Metrics struct {
	store     castore.Service
	requests  promtext.CounterVec
	issuance  promtext.HistogramVec
	http      promtext.CounterVec
	ocspTotal atomic.Uint64
}

// The help text of the metrics without a vector.
const (
	expiringName = "confcert_certificates_expiring_30d"
	expiringHelp = "Certificates not revoked that expire within 30 days, per CA."
	ocspName     = "confcert_ocsp_answers_total"
	ocspHelp     = "OCSP answers served."
)

// NewMetrics makes the metrics; the expiring gauge asks store on each
// scrape.
func NewMetrics(store castore.Service) *Metrics {
	return &Metrics{
		store: store,
		requests: promtext.CounterVec{Name: "confcert_requests_total", Label: "status",
			Help: "Certificate requests that reached each status, by this process."},
		issuance: promtext.HistogramVec{Name: "confcert_issuance_seconds", Label: "ca",
			Help:   "Time to issue a certificate (reserve, lint, sign, compare, record).",
			Bounds: promtext.ExponentialBounds(0.001, 2, 14)},
		http: promtext.CounterVec{Name: "confcert_http_requests_total", Label: "code",
			Help: "HTTP requests answered, by status code."},
	}
}

// Handler serves /metrics: every family in the text format, or 500 when the
// store cannot be asked for the expiring gauge (nothing is half written).
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		expiring, err := m.expiring(ctx)
		if err != nil {
			http.Error(w, "metrics: counting the certificates that expire soon: "+err.Error(), http.StatusInternalServerError)
			return
		}
		var buf bytes.Buffer
		pw := promtext.NewWriter(&buf)
		pw.Family(expiringName, expiringHelp, "gauge")
		for _, ca := range sortedCAs(expiring) {
			pw.Sample(expiringName, float64(expiring[ca]), "ca", ca)
		}
		m.http.Write(pw)
		m.issuance.Write(pw)
		pw.Family(ocspName, ocspHelp, "counter")
		pw.Sample(ocspName, float64(m.ocspTotal.Load()))
		m.requests.Write(pw)
		if err := pw.Flush(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", promtext.ContentType)
		_, _ = w.Write(buf.Bytes())
	})
}

// Issued implements caservice.Observer.
func (m *Metrics) Issued(ca string, took time.Duration) { m.issuance.Observe(ca, took.Seconds()) }

// RequestStatus implements caservice.Observer.
func (m *Metrics) RequestStatus(status string) { m.requests.Inc(status) }

func (m *Metrics) ocspAnswered() { m.ocspTotal.Add(1) }

// wrap counts answers by status code.
func (m *Metrics) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(rec, r)
		m.http.Inc(strconv.Itoa(rec.code))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}

// expiring counts the certificates, not revoked, that expire within 30
// days (expired ones left out), per CA: every CA appears, with 0 when none.
func (m *Metrics) expiring(ctx context.Context) (map[string]int, error) {
	now := time.Now()
	recs, err := m.store.Certificates(ctx, castore.CertFilter{Filter: castore.Filter{NotAfterBefore: now.AddDate(0, 0, validity.WarnDays)}})
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	cas, err := m.store.CAs(ctx)
	if err == nil {
		for _, c := range cas {
			counts[c.Name] = 0
		}
	}
	for _, r := range recs {
		if r.Status(now) == castore.StatusValid {
			counts[r.CA]++
		}
	}
	return counts, nil
}

func sortedCAs(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
