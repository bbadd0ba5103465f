package metrics_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/netcap-go/netcap/collector"
	"github.com/netcap-go/netcap/decoder/registry"
	"github.com/netcap-go/netcap/internal/pcapgen"
	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/metrics"
	"github.com/netcap-go/netcap/proxy"
	"github.com/netcap-go/netcap/source"
	"github.com/netcap-go/netcap/types"
)

// scrape serves reg over HTTP and parses the text exposition, as
// Prometheus would.
func scrape(t *testing.T, reg *prometheus.Registry) map[string]*dto.MetricFamily {
	t.Helper()
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bufio.NewReader(res.Body))
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// value sums the samples of a family whose labels include want.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	f := fams[name]
	if f == nil {
		return -1
	}
	var v float64
	for _, m := range f.GetMetric() {
		ok := true
		for k, w := range want {
			found := false
			for _, l := range m.GetLabel() {
				if l.GetName() == k && l.GetValue() == w {
					found = true
				}
			}
			ok = ok && found
		}
		if !ok {
			continue
		}
		switch {
		case m.Counter != nil:
			v += m.GetCounter().GetValue()
		case m.Gauge != nil:
			v += m.GetGauge().GetValue()
		case m.Histogram != nil:
			v += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return v
}

// capture runs the capture pipeline on pcap with the metrics of net
// capture -metrics, into a temporary directory.
func capture(t *testing.T, pcap string) (*prometheus.Registry, *collector.Summary) {
	t.Helper()
	reg := metrics.NewRegistry()
	mon := collector.NewMonitor()
	files, err := ncio.NewFileSink(ncio.FileSinkConfig{Dir: t.TempDir(), Compression: ncio.None})
	if err != nil {
		t.Fatal(err)
	}
	metrics.NewPipeline(reg, func() metrics.PipelineState { return metrics.PipelineState(mon.Snapshot()) }, files.BytesWritten)
	sink := metrics.NewSink(files, metrics.NewRecorder(reg, registry.PacketLayers()))
	src, err := source.OpenFile(pcap)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	sum, err := collector.Run(context.Background(), src, pcap, collector.Config{Workers: 2, Sink: sink, Monitor: mon})
	if err != nil {
		t.Fatal(err)
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	return reg, sum
}

func tsharkCount(t *testing.T, pcap, filter string, field string) map[string]int {
	t.Helper()
	m := map[string]int{}
	for _, f := range tsharktest.Fields(t, pcap, tsharktest.Query{Filter: filter, Fields: []string{field}}) {
		for _, v := range f.All(field) {
			if v != "" {
				m[v]++
			}
		}
	}
	return m
}

// TestCaptureMetrics: after a capture, the scrape's counters equal the
// run's own counts (records per type, packets, layers decoded) and
// tshark's independent counts (packets, TCP flags, DNS question types and
// response codes, HTTP methods).
func TestCaptureMetrics(t *testing.T) {
	pcaps := []string{testutil.Testdata(t, "mixed.pcap")}
	if p, ok := testutil.SharedIfPresent(t, "dns.pcap"); ok {
		pcaps = append(pcaps, p)
	}
	for _, pcap := range pcaps {
		t.Run(filepath.Base(pcap), func(t *testing.T) {
			reg, sum := capture(t, pcap)
			f := scrape(t, reg)
			frames := len(tsharkCount(t, pcap, "", "frame.number"))
			if got := value(f, "netcap_packets_read_total", nil); got != float64(frames) || sum.Packets != int64(frames) {
				t.Errorf("packets read %v, summary %d, tshark %d", got, sum.Packets, frames)
			}
			for _, name := range types.Type_name {
				typ, _ := types.TypeByName(strings.TrimPrefix(name, "NC_"))
				want := sum.Records[typ.Name()]
				if got := value(f, "netcap_records_total", map[string]string{"type": typ.Name()}); got != float64(want) {
					t.Errorf("records_total{type=%s} = %v, want %d", typ.Name(), got, want)
				}
			}
			for layer, l := range sum.Stats.Layers {
				if got := value(f, "netcap_layers_decoded_total", map[string]string{"layer": layer}); got != float64(l.Decoded) {
					t.Errorf("layers_decoded{%s} = %v, want %d", layer, got, l.Decoded)
				}
			}
			flags := map[string]string{"SYN": "tcp.flags.syn", "ACK": "tcp.flags.ack", "FIN": "tcp.flags.fin", "RST": "tcp.flags.reset", "PSH": "tcp.flags.push"}
			for flag, field := range flags {
				want := tsharkCount(t, pcap, field+"==1 && !icmp && !icmpv6", "frame.number")
				if got := value(f, "netcap_tcp_flags_total", map[string]string{"flag": flag}); got != float64(len(want)) {
					t.Errorf("tcp_flags{%s} = %v, tshark %d", flag, got, len(want))
				}
			}
			qtypes := map[string]string{"1": "A", "28": "AAAA", "15": "MX", "16": "TXT", "5": "CNAME", "33": "SRV", "12": "PTR", "2": "NS", "6": "SOA"}
			for code, n := range tsharkCount(t, pcap, "dns.flags.response==0 && !icmp", "dns.qry.type") {
				name := qtypes[code]
				if name == "" {
					name = "other"
				}
				if got := value(f, "netcap_dns_questions_total", map[string]string{"qtype": name}); got != float64(n) {
					t.Errorf("dns_questions{%s} = %v, tshark %d", name, got, n)
				}
			}
			rcodes := map[string]string{"0": "NOERROR", "3": "NXDOMAIN", "2": "SERVFAIL", "5": "REFUSED"}
			for code, n := range tsharkCount(t, pcap, "dns.flags.response==1 && !icmp", "dns.flags.rcode") {
				if got := value(f, "netcap_dns_responses_total", map[string]string{"rcode": rcodes[code]}); got != float64(n) {
					t.Errorf("dns_responses{%s} = %v, tshark %d", rcodes[code], got, n)
				}
			}
			for method, n := range tsharkCount(t, pcap, "http.request", "http.request.method") {
				if got := value(f, "netcap_http_requests_total", map[string]string{"method": method}); got != float64(n) {
					t.Errorf("http_requests{%s} = %v, tshark %d", method, got, n)
				}
			}
			if strings.HasSuffix(pcap, "mixed.pcap") && (value(f, "netcap_http_requests_total", nil) < 1 || value(f, "netcap_dns_questions_total", nil) < 1 ||
				value(f, "netcap_tls_client_hellos_total", nil) < 1 || value(f, "netcap_tls_ja4_top", nil) < 1) {
				t.Error("mixed.pcap: HTTP, DNS or TLS metrics missing")
			}
			if c := sum.Records["Connection"]; value(f, "netcap_connections_total", nil) != float64(c) || value(f, "netcap_connection_duration_seconds", nil) != float64(c) {
				t.Errorf("connections %v / durations %v, want %d", value(f, "netcap_connections_total", nil), value(f, "netcap_connection_duration_seconds", nil), c)
			}
		})
	}
}

// series counts the samples of a scrape.
func series(fams map[string]*dto.MetricFamily) int {
	n := 0
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			if h := m.GetHistogram(); h != nil {
				n += len(h.GetBucket()) + 2
			} else {
				n++
			}
		}
	}
	return n
}

// TestSeriesBounded: a capture of 100,000 distinct client addresses gives
// as many series as one of 1,000: no address or port becomes a label.
func TestSeriesBounded(t *testing.T) {
	gen := func(n int) string {
		p := filepath.Join(t.TempDir(), fmt.Sprintf("clients-%d.pcap", n))
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		w := pcapgen.NewWriter(f)
		for i := range n {
			w.HalfOpen(i)
			w.Flow(i)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		f.Close()
		return p
	}
	small, _ := capture(t, gen(1000))
	large, sum := capture(t, gen(100_000))
	ns, nl := series(scrape(t, small)), series(scrape(t, large))
	t.Logf("series: %d with 1,000 clients, %d with 100,000 (%d packets, %d records)", ns, nl, sum.Packets, sum.Records["Connection"])
	if nl != ns || nl > 3000 {
		t.Errorf("series grow with the addresses: %d with 1,000 clients, %d with 100,000", ns, nl)
	}
}

var metricName = regexp.MustCompile(`\b((?:netcap|go|process)_[a-z0-9_]+)\b`)

// TestDashboards: every metric a dashboard queries exists in a scrape —
// of a capture for the capture dashboards, of net proxy's metrics for the
// proxy one.
func TestDashboards(t *testing.T) {
	capReg, _ := capture(t, testutil.Testdata(t, "mixed.pcap"))
	capFams := scrape(t, capReg)
	proxyReg := metrics.NewRegistry()
	pm := proxy.NewMetrics(proxyReg)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	defer backend.Close()
	p, err := proxy.New(proxy.Config{Local: "127.0.0.1:0", Remote: backend.URL}, func(*types.HTTP) {}, pm, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/x", nil))
	proxyFams := scrape(t, proxyReg)
	files, _ := filepath.Glob(filepath.Join(testutil.RepoRoot(t), "metrics", "dashboards", "*.json"))
	if len(files) < 5 {
		t.Fatalf("%d dashboards", len(files))
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var d struct {
			UID    string `json:"uid"`
			Title  string `json:"title"`
			Panels []struct {
				Title   string `json:"title"`
				Targets []struct {
					Expr string `json:"expr"`
				} `json:"targets"`
			} `json:"panels"`
		}
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if d.UID == "" || d.Title == "" || len(d.Panels) == 0 {
			t.Errorf("%s: no uid, title or panels", file)
		}
		fams := capFams
		if strings.HasSuffix(file, "proxy.json") {
			fams = proxyFams
		}
		n := 0
		for _, p := range d.Panels {
			if len(p.Targets) == 0 {
				t.Errorf("%s: panel %q queries nothing", file, p.Title)
			}
			for _, tg := range p.Targets {
				for _, m := range metricName.FindAllString(tg.Expr, -1) {
					n++
					base := m
					for _, suf := range []string{"_bucket", "_sum", "_count"} {
						if f := fams[strings.TrimSuffix(m, suf)]; strings.HasSuffix(m, suf) && f != nil && f.GetType() == dto.MetricType_HISTOGRAM {
							base = strings.TrimSuffix(m, suf)
						}
					}
					if f := fams[base]; f == nil || len(f.GetMetric()) == 0 {
						t.Errorf("%s: panel %q queries %s, which the scrape does not have", filepath.Base(file), p.Title, m)
					}
				}
			}
		}
		t.Logf("%s: %d panels, %d metric references", filepath.Base(file), len(d.Panels), n)
	}
}
