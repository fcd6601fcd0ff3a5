package caapi

import (
	"github.com/confcert/confcert/internal/validity"

	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/confcert/confcert/internal/caservice"
	"github.com/confcert/confcert/internal/castore"
)

// Metrics are the Prometheus metrics of the service (spec serve.md):
// requests by status, issuance latency, certificates expiring within 30
// days per CA, HTTP answers by code, OCSP answers; and the requests being
// issued now and those refused by a bound (caservice busy.go). Each
// Metrics has its own registry: no global state.
type Metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	issuance  *prometheus.HistogramVec
	http      *prometheus.CounterVec
	ocspTotal prometheus.Counter
	issuing   prometheus.Gauge
	refused   *prometheus.CounterVec
}

// NewMetrics registers the metrics; the expiring gauge asks store on each
// scrape.
func NewMetrics(store castore.Service) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "confcert_requests_total",
			Help: "Certificate requests that reached each status, by this process."}, []string{"status"}),
		issuance: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "confcert_issuance_seconds",
			Help:    "Time to issue a certificate (reserve, lint, sign, compare, record).",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}, []string{"ca"}),
		http: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "confcert_http_requests_total",
			Help: "HTTP requests answered, by status code."}, []string{"code"}),
		ocspTotal: prometheus.NewCounter(prometheus.CounterOpts{Name: "confcert_ocsp_answers_total",
			Help: "OCSP answers served."}),
		issuing: prometheus.NewGauge(prometheus.GaugeOpts{Name: "confcert_issuing_requests",
			Help: "Submissions and approvals being issued now by this process (at most serve --max-issuing)."}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "confcert_busy_refusals_total",
			Help: "Issuances refused by a bound: issuing (serve --max-issuing; a 503) or commit_queue (the writes waiting for the store; a 503, or an approved request the service resumes later)."},
			[]string{"bound"}),
	}
	for _, b := range []string{caservice.BoundIssuing, caservice.BoundCommitQueue} {
		m.refused.WithLabelValues(b) // shown at 0, so that a rate can be taken before the first refusal
	}
	m.reg.MustRegister(m.requests, m.issuance, m.http, m.ocspTotal, m.issuing, m.refused, &expiring{store: store},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Timeout: 10 * time.Second})
}

// Issued implements caservice.Observer.
func (m *Metrics) Issued(ca string, took time.Duration) {
	m.issuance.WithLabelValues(ca).Observe(took.Seconds())
}

// RequestStatus implements caservice.Observer.
func (m *Metrics) RequestStatus(status string) { m.requests.WithLabelValues(status).Inc() }

// Issuing implements caservice.Observer.
func (m *Metrics) Issuing(delta int) { m.issuing.Add(float64(delta)) }

// Refused implements caservice.Observer.
func (m *Metrics) Refused(bound string) { m.refused.WithLabelValues(bound).Inc() }

func (m *Metrics) ocspAnswered() { m.ocspTotal.Inc() }

// wrap counts answers by status code.
func (m *Metrics) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(rec, r)
		m.http.WithLabelValues(strconv.Itoa(rec.code)).Inc()
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

// expiring is the gauge of certificates, not revoked, that expire within
// 30 days (expired ones left out), per CA, computed at scrape time.
type expiring struct{ store castore.Service }

var expiringDesc = prometheus.NewDesc("confcert_certificates_expiring_30d",
	"Certificates not revoked that expire within 30 days, per CA.", []string{"ca"}, nil)

// Describe implements prometheus.Collector.
func (e *expiring) Describe(ch chan<- *prometheus.Desc) { ch <- expiringDesc }

// Collect implements prometheus.Collector.
func (e *expiring) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	now := time.Now()
	recs, err := e.store.Certificates(ctx, castore.CertFilter{Filter: castore.Filter{NotAfterBefore: now.AddDate(0, 0, validity.WarnDays)}})
	if err != nil {
		ch <- prometheus.NewInvalidMetric(expiringDesc, err)
		return
	}
	counts := map[string]int{}
	cas, err := e.store.CAs(ctx)
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
	for ca, n := range counts {
		ch <- prometheus.MustNewConstMetric(expiringDesc, prometheus.GaugeValue, float64(n), ca)
	}
}
