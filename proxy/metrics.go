package proxy

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/netcap-go/netcap/metrics"
	"github.com/netcap-go/netcap/types"
)

// Metrics counts the proxies' exchanges. Labels are bounded: the proxy
// name (from the configuration), the method (the standard ones, else
// OTHER) and the status class.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	ttfb     *prometheus.HistogramVec
	bytesIn  *prometheus.CounterVec
	bytesOut *prometheus.CounterVec
}

// NewMetrics registers the proxy metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "netcap_proxy_requests_total",
			Help: "HTTP requests relayed (one HTTP record each), by proxy, method and status class."}, []string{"proxy", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "netcap_proxy_request_duration_seconds",
			Help: "Time from the request to the end of the response.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 9)}, []string{"proxy"}),
		ttfb: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "netcap_proxy_time_to_first_byte_seconds",
			Help: "Time from the request to the backend's first response byte.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 9)}, []string{"proxy"}),
		bytesIn: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "netcap_proxy_request_body_bytes_total",
			Help: "Request body bytes relayed to the backend."}, []string{"proxy"}),
		bytesOut: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "netcap_proxy_response_body_bytes_total",
			Help: "Response body bytes sent to clients."}, []string{"proxy"}),
	}
	reg.MustRegister(m.requests, m.duration, m.ttfb, m.bytesIn, m.bytesOut)
	return m
}

func (m *Metrics) observe(proxy string, r *types.HTTP, sent int64, total time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(proxy, metrics.MethodLabel(r.Method), metrics.StatusClass(r.StatusCode)).Inc()
	m.duration.WithLabelValues(proxy).Observe(total.Seconds())
	if r.FirstByteAfter > 0 {
		m.ttfb.WithLabelValues(proxy).Observe(time.Duration(r.FirstByteAfter).Seconds())
	}
	m.bytesIn.WithLabelValues(proxy).Add(float64(r.ReqContentLength))
	m.bytesOut.WithLabelValues(proxy).Add(float64(sent))
}
