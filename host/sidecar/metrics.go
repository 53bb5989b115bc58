package sidecar

import (
	"io"
	"strconv"
	"time"

	"github.com/VictoriaMetrics/metrics"
)

// metricSet holds the sidecar's Prometheus metrics. VictoriaMetrics/metrics
// writes the Prometheus text format with no global registry, which keeps
// several sidecars in one test process apart.
type metricSet struct {
	set       *metrics.Set
	checkouts *metrics.Counter
	refused   *metrics.Counter
}

func newMetrics() *metricSet {
	s := metrics.NewSet()
	return &metricSet{
		set:       s,
		checkouts: s.NewCounter("frontgate_checkouts_created_total"),
		refused:   s.NewCounter("frontgate_operations_refused_total"),
	}
}

func (m *metricSet) request(route string, status int, d time.Duration) {
	m.set.GetOrCreateCounter(`frontgate_http_requests_total{route="` + route + `",status="` + strconv.Itoa(status) + `"}`).Inc()
	m.set.GetOrCreateHistogram(`frontgate_http_request_duration_seconds{route="` + route + `"}`).Update(d.Seconds())
}

func (m *metricSet) upstream(op string, status int, d time.Duration) {
	m.set.GetOrCreateCounter(`frontgate_upstream_requests_total{op="` + op + `",status="` + strconv.Itoa(status) + `"}`).Inc()
	m.set.GetOrCreateHistogram(`frontgate_upstream_duration_seconds{op="` + op + `"}`).Update(d.Seconds())
	if status == 0 || status >= 500 || status == 429 {
		m.set.GetOrCreateCounter(`frontgate_upstream_errors_total{op="` + op + `"}`).Inc()
	}
}

func (m *metricSet) coreCall(fn string, d time.Duration, err error) {
	m.set.GetOrCreateHistogram(`frontgate_core_call_duration_seconds{fn="` + fn + `"}`).Update(d.Seconds())
	if err != nil {
		m.set.GetOrCreateCounter(`frontgate_core_call_failures_total{fn="` + fn + `"}`).Inc()
	}
}

func (m *metricSet) callback(result string) {
	m.set.GetOrCreateCounter(`frontgate_callbacks_total{result="` + result + `"}`).Inc()
}

// notifyFailed counts events a shop's notifier refused; each is told again
// on a retry.
func (m *metricSet) notifyFailed() {
	m.set.GetOrCreateCounter(`frontgate_notify_failures_total`).Inc()
}

func (m *metricSet) returns(which, result string) {
	m.set.GetOrCreateCounter(`frontgate_returns_total{page="` + which + `",result="` + result + `"}`).Inc()
}

func (m *metricSet) operations(op string) {
	m.set.GetOrCreateCounter(`frontgate_operations_total{op="` + op + `"}`).Inc()
}

func (m *metricSet) gauge(name string, f func() float64) {
	m.set.GetOrCreateGauge(name, f)
}

func (m *metricSet) write(w io.Writer) { m.set.WritePrometheus(w) }

// Gauge registers a gauge the sidecar's /metrics reports, read on each
// scrape: the binary adds the wasm pool's size, idle instances and
// replacements this way.
func (s *Service) Gauge(name string, f func() float64) { s.m.gauge(name, f) }

func (m *metricSet) reconcile(r ReconcileReport) {
	result := "ok"
	switch {
	case r.Skipped:
		result = "skipped"
	case r.Error != "":
		result = "error"
	}
	m.set.GetOrCreateCounter(`frontgate_reconcile_runs_total{result="` + result + `"}`).Inc()
	m.set.GetOrCreateCounter(`frontgate_reconcile_repaired_total`).Add(r.Repaired)
	m.set.GetOrCreateCounter(`frontgate_reconcile_failed_total`).Add(r.Failed)
	if !r.Skipped {
		m.set.GetOrCreateFloatCounter(`frontgate_reconcile_last_run_timestamp_seconds`).Set(float64(r.Finished.Unix()))
	}
}
