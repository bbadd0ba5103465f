// Package metrics turns audit records and a running capture into
// Prometheus metrics. Every label set is bounded: record types, protocol
// and decoder names, flag names, standard methods, status classes, a fixed
// list of content types, DNS types and codes, TLS versions and cipher
// suites Go knows (else "other"), and the top JA3/JA4 hashes (a bounded
// sketch). Addresses and ports never become labels.
//
// It must not import the capture engine (collector), the registry or the
// stream decoders: a capture's counters come in as a PipelineState
// function, the per-packet types as a parameter.
package metrics

import (
	"crypto/tls"
	"mime"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/types"
)

// Recorder derives metrics from records. Observe is safe for concurrent
// use and cheap (counters are resolved once per type).
type Recorder struct {
	records   []prometheus.Counter // by types.Type
	protoPkts []prometheus.Counter // by types.Type, for per-packet header records
	protoByte []prometheus.Counter
	tcpFlags  [9]prometheus.Counter
	http      *prometheus.CounterVec
	httpCT    *prometheus.CounterVec
	dnsQ      *prometheus.CounterVec
	dnsR      *prometheus.CounterVec
	tlsClient *prometheus.CounterVec
	tlsServer *prometheus.CounterVec
	conns     *prometheus.CounterVec
	connDur   *prometheus.HistogramVec
	connBytes *prometheus.HistogramVec
	ja3, ja4  *TopK
}

// TopN is how many JA3/JA4 hashes the top metrics show.
const TopN = 10

// NewRecorder registers the record metrics with reg. packetTypes names the
// per-packet header types (net capture's GoPacket decoders).
func NewRecorder(reg prometheus.Registerer, packetTypes map[types.Type]bool) *Recorder {
	r := &Recorder{ja3: NewTopK(1024), ja4: NewTopK(1024)}
	records := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "netcap_records_total",
		Help: "Audit records written (or read back by net export), by record type."}, []string{"type"})
	pkts := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "netcap_protocol_packets_total",
		Help: "Packets that carried a header of the protocol (per-packet record types)."}, []string{"protocol"})
	bytes := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "netcap_protocol_bytes_total",
		Help: "Bytes by protocol: Ethernet frames, IP datagrams (total length), TCP payload, UDP datagrams."}, []string{"protocol"})
	flags := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "netcap_tcp_flags_total",
		Help: "TCP segments with the flag set."}, []string{"flag"})
	r.http = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "netcap_http_requests_total",
		Help: "HTTP requests/responses, by method (standard ones, else OTHER) and status class."}, []string{"method", "status"})
	r.httpCT = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "netcap_http_response_content_types_total",
		Help: "HTTP responses by declared media type (common ones, else other)."}, []string{"content_type"})
	r.dnsQ = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "netcap_dns_questions_total",
		Help: "Questions in DNS queries, by type."}, []string{"qtype"})
	r.dnsR = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "netcap_dns_responses_total",
		Help: "DNS responses by response code."}, []string{"rcode"})
	r.tlsClient = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "netcap_tls_client_hellos_total",
		Help: "TLS ClientHellos by the highest version offered."}, []string{"version"})
	r.tlsServer = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "netcap_tls_server_hellos_total",
		Help: "TLS ServerHellos by chosen version and cipher suite."}, []string{"version", "cipher_suite"})
	r.conns = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "netcap_connections_total",
		Help: "Connections and flows written (each opened and closed once), by transport."}, []string{"transport"})
	r.connDur = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "netcap_connection_duration_seconds",
		Help: "Connection durations, first to last packet.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 12)}, []string{"transport"})
	r.connBytes = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "netcap_connection_bytes",
		Help: "Bytes of a connection, both directions.", Buckets: prometheus.ExponentialBuckets(64, 4, 12)}, []string{"transport"})
	reg.MustRegister(records, pkts, bytes, flags, r.http, r.httpCT, r.dnsQ, r.dnsR, r.tlsClient, r.tlsServer, r.conns, r.connDur, r.connBytes,
		&topCollector{name: "netcap_tls_ja3_top", label: "ja3", help: "Count of the most frequent JA3 client fingerprints (top " + strconv.Itoa(TopN) + ").", k: r.ja3},
		&topCollector{name: "netcap_tls_ja4_top", label: "ja4", help: "Count of the most frequent JA4 client fingerprints (top " + strconv.Itoa(TopN) + ").", k: r.ja4})
	n := len(types.Type_name) + 1
	r.records = make([]prometheus.Counter, n+256)
	r.protoPkts = make([]prometheus.Counter, n+256)
	r.protoByte = make([]prometheus.Counter, n+256)
	for v := range types.Type_name {
		t := types.Type(v)
		if int(v) >= len(r.records) || v < 0 {
			continue
		}
		r.records[v] = records.WithLabelValues(t.Name())
		if packetTypes[t] {
			r.protoPkts[v] = pkts.WithLabelValues(t.Name())
			r.protoByte[v] = bytes.WithLabelValues(t.Name())
		}
	}
	for i, f := range tcpFlagNames {
		r.tcpFlags[i] = flags.WithLabelValues(f)
	}
	return r
}

var tcpFlagNames = [9]string{"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "NS"}

// Observe counts one record.
func (r *Recorder) Observe(t types.Type, m proto.Message) {
	if int(t) < 0 || int(t) >= len(r.records) || r.records[t] == nil {
		return
	}
	r.records[t].Inc()
	if c := r.protoPkts[t]; c != nil {
		c.Inc()
	}
	switch m := m.(type) {
	case *types.Ethernet:
		r.protoByte[t].Add(float64(m.PayloadSize + 14))
	case *types.IPv4:
		r.protoByte[t].Add(float64(m.Length))
	case *types.IPv6:
		r.protoByte[t].Add(float64(m.Length + 40))
	case *types.UDP:
		r.protoByte[t].Add(float64(m.Length))
	case *types.TCP:
		r.protoByte[t].Add(float64(m.PayloadSize))
		for i, set := range [9]bool{m.FIN, m.SYN, m.RST, m.PSH, m.ACK, m.URG, m.ECE, m.CWR, m.NS} {
			if set {
				r.tcpFlags[i].Inc()
			}
		}
	case *types.HTTP:
		r.http.WithLabelValues(MethodLabel(m.Method), StatusClass(m.StatusCode)).Inc()
		if m.StatusCode != 0 {
			r.httpCT.WithLabelValues(contentTypeLabel(m.ResContentType)).Inc()
		}
	case *types.DNS:
		if m.QR {
			r.dnsR.WithLabelValues(rcodeLabel(m.ResponseCode)).Inc()
		} else {
			for _, q := range m.Questions {
				r.dnsQ.WithLabelValues(qtypeLabel(q.Type)).Inc()
			}
		}
	case *types.TLSClientHello:
		v := m.HandshakeVersion
		for _, sv := range m.SupportedVersions {
			if sv&0x0f0f != 0x0a0a && sv > v { // skip GREASE
				v = sv
			}
		}
		r.tlsClient.WithLabelValues(tlsVersionLabel(v)).Inc()
		if m.Ja3 != "" {
			r.ja3.Add(m.Ja3)
		}
		if m.Ja4 != "" {
			r.ja4.Add(m.Ja4)
		}
	case *types.TLSServerHello:
		v := m.Version
		if m.SupportedVersion != 0 {
			v = m.SupportedVersion
		}
		r.tlsServer.WithLabelValues(tlsVersionLabel(v), cipherLabel(m.CipherSuite)).Inc()
	case *types.Connection:
		tr := transportLabel(m.TransportProto)
		r.conns.WithLabelValues(tr).Inc()
		r.connDur.WithLabelValues(tr).Observe(time.Duration(m.Duration).Seconds())
		r.connBytes.WithLabelValues(tr).Observe(float64(m.TotalSize))
	}
}

var standardMethods = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "DELETE": true,
	"CONNECT": true, "OPTIONS": true, "TRACE": true, "PATCH": true}

// MethodLabel is the method if it is a standard one, else OTHER ("" for
// a response without its request).
func MethodLabel(m string) string {
	if standardMethods[m] {
		return m
	}
	if m == "" {
		return "none"
	}
	return "OTHER"
}

// StatusClass is "2xx" for 200..299 and so on, "none" without a
// response, "other" outside 100..599.
func StatusClass(code int32) string {
	switch {
	case code == 0:
		return "none"
	case code < 100 || code > 599:
		return "other"
	}
	return strconv.Itoa(int(code/100)) + "xx"
}

var contentTypes = map[string]bool{
	"text/html": true, "text/plain": true, "text/css": true, "text/javascript": true, "text/xml": true, "text/csv": true,
	"application/javascript": true, "application/json": true, "application/xml": true, "application/octet-stream": true,
	"application/pdf": true, "application/zip": true, "application/gzip": true, "application/x-www-form-urlencoded": true,
	"application/grpc": true, "application/wasm": true, "multipart/form-data": true, "image/png": true, "image/jpeg": true,
	"image/gif": true, "image/svg+xml": true, "image/webp": true, "image/x-icon": true, "video/mp4": true, "audio/mpeg": true,
	"font/woff": true, "font/woff2": true,
}

func contentTypeLabel(ct string) string {
	if ct == "" {
		return "none"
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
	}
	if contentTypes[mt] {
		return mt
	}
	return "other"
}

var qtypes = map[int32]string{1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 13: "HINFO", 15: "MX", 16: "TXT", 28: "AAAA",
	33: "SRV", 35: "NAPTR", 41: "OPT", 43: "DS", 46: "RRSIG", 47: "NSEC", 48: "DNSKEY", 64: "SVCB", 65: "HTTPS",
	252: "AXFR", 255: "ANY", 257: "CAA"}

func qtypeLabel(t int32) string {
	if n, ok := qtypes[t]; ok {
		return n
	}
	return "other"
}

var rcodes = map[int32]string{0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED",
	6: "YXDOMAIN", 7: "YXRRSET", 8: "NXRRSET", 9: "NOTAUTH", 10: "NOTZONE"}

func rcodeLabel(c int32) string {
	if n, ok := rcodes[c]; ok {
		return n
	}
	return "other"
}

func tlsVersionLabel(v int32) string {
	switch v {
	case 0x0300:
		return "SSL 3.0"
	case 0x0301:
		return "TLS 1.0"
	case 0x0302:
		return "TLS 1.1"
	case 0x0303:
		return "TLS 1.2"
	case 0x0304:
		return "TLS 1.3"
	}
	return "other"
}

// cipherLabel is the suite's name when Go knows it (a fixed list of a
// few dozen), else other.
func cipherLabel(id int32) string {
	if id < 0 || id > 0xffff {
		return "other"
	}
	n := tls.CipherSuiteName(uint16(id))
	if strings.HasPrefix(n, "0x") {
		return "other"
	}
	return n
}

func transportLabel(t string) string {
	switch t {
	case "TCP", "UDP", "SCTP", "ICMPv4", "ICMPv6":
		return t
	}
	return "other"
}
