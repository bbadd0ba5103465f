package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/netcap-go/netcap/decoder/flow"
	"github.com/netcap-go/netcap/decoder/packet"
	"github.com/netcap-go/netcap/reassembly"
)

// Pipeline exposes a running capture's internals and the record writer's
// bytes.
type Pipeline struct {
	state       func() PipelineState
	writerBytes func() int64
	descs       map[string]*prometheus.Desc
}

type metricDef struct {
	name, help string
	gauge      bool
	label      string
}

var pipelineDefs = []metricDef{
	{name: "netcap_packets_read_total", help: "Packets read from the source."},
	{name: "netcap_bytes_read_total", help: "Bytes of the packets read."},
	{name: "netcap_queue_batches", help: "Packet batches waiting for the workers.", gauge: true},
	{name: "netcap_capture_seconds", help: "Time since the capture started.", gauge: true},
	{name: "netcap_layers_decoded_total", help: "Layers decoded, by layer.", label: "layer"},
	{name: "netcap_decode_errors_total", help: "Layers that failed to decode, by layer.", label: "layer"},
	{name: "netcap_packets_truncated_total", help: "Packets shorter than their headers say."},
	{name: "netcap_decoder_panics_total", help: "Decoder panics caught (each is a bug)."},
	{name: "netcap_reassembly_connections_total", help: "TCP connections reassembled."},
	{name: "netcap_reassembly_bytes_total", help: "Stream bytes delivered in order."},
	{name: "netcap_reassembly_out_of_order_total", help: "Segments buffered until their hole was filled."},
	{name: "netcap_reassembly_lost_bytes_total", help: "Stream bytes lost (not captured, or dropped to stay within the buffer bounds)."},
	{name: "netcap_reassembly_skipped_holes_total", help: "Holes skipped to stay within the buffer bounds."},
	{name: "netcap_reassembly_evicted_total", help: "Connections closed early to stay within the connection bound."},
	{name: "netcap_flows_active", help: "Connections held in the flow tables.", gauge: true},
	{name: "netcap_flow_evictions_total", help: "Connections written early because the flow table was full."},
	{name: "netcap_flows_written_total", help: "Connection records written by reason (close, idle, evicted, end).", label: "reason"},
	{name: "netcap_writer_bytes_total", help: "Record bytes handed to the files (before compression)."},
}

// PipelineState is a moment of a running capture. It has the fields of
// collector.MonitorSnapshot, so a snapshot converts to it
// (metrics.PipelineState(mon.Snapshot())) while metrics stays apart from
// the capture engine.
type PipelineState struct {
	Running       bool
	Packets       int64 // read
	Bytes         int64
	QueuedBatches int // waiting for the workers
	Elapsed       time.Duration
	Stats         packet.Stats     // decoders, summed over workers
	Reassembly    reassembly.Stats // summed
	Flows         flow.Stats       // summed
	ActiveFlows   int              // connections held in the tables
}

// NewPipeline registers the pipeline metrics with reg: state gives the
// capture's counters at the time of a scrape; writerBytes may be nil.
func NewPipeline(reg prometheus.Registerer, state func() PipelineState, writerBytes func() int64) *Pipeline {
	p := &Pipeline{state: state, writerBytes: writerBytes, descs: map[string]*prometheus.Desc{}}
	for _, d := range pipelineDefs {
		var labels []string
		if d.label != "" {
			labels = []string{d.label}
		}
		p.descs[d.name] = prometheus.NewDesc(d.name, d.help, labels, nil)
	}
	reg.MustRegister(p)
	return p
}

// Describe implements prometheus.Collector.
func (p *Pipeline) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range p.descs {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (p *Pipeline) Collect(ch chan<- prometheus.Metric) {
	s := p.state()
	c := func(name string, v int64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(p.descs[name], prometheus.CounterValue, float64(v), labels...)
	}
	g := func(name string, v float64) {
		ch <- prometheus.MustNewConstMetric(p.descs[name], prometheus.GaugeValue, v)
	}
	c("netcap_packets_read_total", s.Packets)
	c("netcap_bytes_read_total", s.Bytes)
	g("netcap_queue_batches", float64(s.QueuedBatches))
	g("netcap_capture_seconds", s.Elapsed.Seconds())
	for layer, l := range s.Stats.Layers {
		c("netcap_layers_decoded_total", l.Decoded, layer)
		c("netcap_decode_errors_total", l.Errors, layer)
	}
	c("netcap_packets_truncated_total", s.Stats.Truncated)
	c("netcap_decoder_panics_total", s.Stats.Panics)
	r := s.Reassembly
	c("netcap_reassembly_connections_total", r.Conns)
	c("netcap_reassembly_bytes_total", r.Bytes)
	c("netcap_reassembly_out_of_order_total", r.OutOfOrder)
	c("netcap_reassembly_lost_bytes_total", r.LostBytes)
	c("netcap_reassembly_skipped_holes_total", r.ForcedSkips)
	c("netcap_reassembly_evicted_total", r.Evicted)
	g("netcap_flows_active", float64(s.ActiveFlows))
	c("netcap_flow_evictions_total", s.Flows.Evicted)
	for reason, n := range s.Flows.Reasons {
		c("netcap_flows_written_total", n, reason)
	}
	var wb int64
	if p.writerBytes != nil {
		wb = p.writerBytes()
	}
	c("netcap_writer_bytes_total", wb)
}
