package collector

import (
	"net"
	"net/netip"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/decoder/flow"
	"github.com/netcap-go/netcap/decoder/packet"
	"github.com/netcap-go/netcap/decoder/profile"
	"github.com/netcap-go/netcap/decoder/registry"
	"github.com/netcap-go/netcap/decoder/stream"
	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/source"
	"github.com/netcap-go/netcap/types"
)

// worker decodes the packets of its flows: the layers and packet
// decoders, then TCP reassembly and stream decoding. It shares nothing
// mutable with other workers but the sink's files and the stream run's
// stores.
type worker struct {
	parser *packet.Parser
	em     *countingEmitter
	sink   ncio.RecordSink
	// failed is closed once writing records failed: the worker then
	// skips what is left (the run is stopping).
	failed <-chan struct{}
	asm    *reassembly.Assembler // nil when nothing reads streams
	sw     *stream.Worker
	flows  *flow.Table
	now    int64 // the capture clock at the packet being decoded
	// endClock is the capture clock at the end of input, set before the
	// queue is closed.
	endClock int64
	seg      reassembly.Segment
	err      error
	// monitor, when set, gets the worker's counters every half second of
	// work and at the end.
	monitor   *Monitor
	index     int
	published time.Time
}

func newWorker(cfg Config, enabled decoder.Set, streams *stream.Run, profiles *profile.Store, asmCfg reassembly.Config, workers int) *worker {
	w := &worker{em: newCountingEmitter(cfg.Sink.NewEmitter()), sink: cfg.Sink}
	var emit decoder.Emit = w.em.Emit
	if profiles.Active() {
		// Profiles learn from the connections the flow table writes and
		// from the DNS, DHCP and TLS records on their way out.
		w.em.observe = func(t types.Type, r proto.Message) {
			if profiles.Wants(t) {
				w.keep(profiles.Record(t, r, emit))
			}
		}
		cfg.Flows.OnClose = func(c *flow.Conn) { w.keep(profiles.Conn(c, emit)) }
	}
	w.parser = packet.NewParser(cfg.Options, registry.PacketDecoders(enabled), emit)
	fc := cfg.Flows
	if fc.MaxFlows <= 0 {
		fc.MaxFlows = flow.DefaultMaxFlows
	}
	fc.MaxFlows = max(1, fc.MaxFlows/workers) // the bound is for the run
	fc.Connections, fc.Flows = enabled.Has(types.Type_NC_Connection), enabled.Has(types.Type_NC_Flow)
	fc.Emit = emit
	w.flows = flow.NewTable(fc)
	w.parser.SetFlowHook(func(p *packet.Packet) { w.flows.Packet(p, w.now) })
	if streams != nil {
		w.sw = streams.Worker(emit)
		w.asm = reassembly.New(asmCfg, w.sw.Factory())
	}
	return w
}

func (w *worker) run(queue <-chan *packetBatch, free chan<- *packetBatch) {
	for b := range queue {
		if w.stopping() {
			continue
		}
		for _, bp := range b.pkts {
			if bp.tick {
				w.tick(bp.now)
				continue
			}
			if bp.flush != nil {
				w.flush(bp.flush)
				continue
			}
			var defragmented []byte
			if bp.defragN > 0 {
				defragmented = b.data[bp.defragOff : bp.defragOff+bp.defragN]
			}
			w.decode(b.data[bp.off:bp.off+bp.n], defragmented, bp.ci, bp.now)
		}
		b.data, b.pkts = b.data[:0], b.pkts[:0]
		select {
		case free <- b:
		default:
		}
		if w.monitor != nil && time.Since(w.published) >= 500*time.Millisecond {
			w.monitor.publish(w.index, w)
			w.published = time.Now()
		}
	}
	if w.stopping() {
		return
	}
	if w.asm != nil {
		w.asm.Flush()
		w.keep(w.sw.Err())
	}
	w.flows.Advance(w.endClock)
	w.flows.Flush()
	w.keep(w.flows.Err())
	w.keep(w.em.Flush())
	if w.monitor != nil {
		w.monitor.publish(w.index, w)
	}
}

// decode decodes one frame (with the payload of the datagram it
// completed, if any) seen when the capture clock was at now, then
// reassembles it.
func (w *worker) decode(data, defragmented []byte, ci source.CaptureInfo, now int64) {
	w.now = now
	var err error
	if defragmented != nil {
		err = w.parser.DecodeDefragmented(data, ci.Timestamp, ci.Length, ci.LinkType, defragmented)
	} else {
		err = w.parser.Decode(data, ci.Timestamp, ci.Length, ci.LinkType)
	}
	w.keep(err)
	if w.asm != nil {
		w.asm.Advance(now)
		w.reassemble(ci.Timestamp)
	}
}

// tick moves the worker's clock on without a packet (live capture): idle
// flows and streams end, and buffered records go to the files.
func (w *worker) tick(now int64) {
	w.now = now
	w.flows.Advance(now)
	if w.asm != nil {
		w.asm.Advance(now)
	}
	w.keep(w.em.Flush())
}

// flush hands the worker's buffered records to the sink; the last worker
// of the cycle then has the sink push its files to disk.
func (w *worker) flush(c *flushCycle) {
	w.keep(w.em.Flush())
	if c.left.Add(-1) == 0 {
		w.keep(w.em.report(ncio.SyncSink(w.sink)))
	}
}

// stopping reports whether the run failed writing records.
func (w *worker) stopping() bool {
	select {
	case <-w.failed:
		return true
	default:
		return false
	}
}

func (w *worker) keep(err error) {
	if err != nil && w.err == nil {
		w.err = err
	}
}

// reassemble hands the packet's TCP segment or UDP datagram to the
// assembler.
func (w *worker) reassemble(ts int64) {
	p := w.parser.Packet()
	switch {
	case p.TCP != nil && p.TCPNet != nil:
		src, dst, ok := addrs(p.TCPNet)
		if !ok {
			return
		}
		t := p.TCP
		w.seg = reassembly.Segment{
			Src: reassembly.Endpoint{Addr: src, Port: uint16(t.SrcPort)}, Dst: reassembly.Endpoint{Addr: dst, Port: uint16(t.DstPort)},
			Seq: t.Seq, Ack: t.Ack, SYN: t.SYN, ACK: t.ACK, FIN: t.FIN, RST: t.RST, Payload: t.Payload, Timestamp: ts,
		}
		w.asm.Add(&w.seg)
	case p.UDP != nil && p.UDPNet != nil:
		src, dst, ok := addrs(p.UDPNet)
		if !ok {
			return
		}
		u := p.UDP
		w.asm.AddDatagram(reassembly.Endpoint{Addr: src, Port: uint16(u.SrcPort)}, reassembly.Endpoint{Addr: dst, Port: uint16(u.DstPort)}, u.Payload, ts)
	}
}

func addrs(n gopacket.NetworkLayer) (netip.Addr, netip.Addr, bool) {
	switch ip := n.(type) {
	case *layers.IPv4:
		return ipAddrs(ip.SrcIP, ip.DstIP)
	case *layers.IPv6:
		return ipAddrs(ip.SrcIP, ip.DstIP)
	}
	return netip.Addr{}, netip.Addr{}, false
}

func ipAddrs(src, dst net.IP) (netip.Addr, netip.Addr, bool) {
	s, ok1 := flow.Addr(src)
	d, ok2 := flow.Addr(dst)
	return s, d, ok1 && ok2
}

// countingEmitter counts the records it passes on, by type, for the
// summary.
type countingEmitter struct {
	ncio.Emitter
	counts  []int64 // by types.Type
	observe func(types.Type, proto.Message)
	// onError, when set, hears of the first error writing records.
	onError func(error)
}

func newCountingEmitter(e ncio.Emitter) *countingEmitter {
	return &countingEmitter{Emitter: e, counts: make([]int64, len(types.Type_name)+256)}
}

func (c *countingEmitter) Emit(t types.Type, r proto.Message) error {
	if int(t) >= 0 && int(t) < len(c.counts) {
		c.counts[t]++
	}
	if c.observe != nil {
		c.observe(t, r)
	}
	return c.report(c.Emitter.Emit(t, r))
}

// Flush hands the buffered records to the sink.
func (c *countingEmitter) Flush() error { return c.report(c.Emitter.Flush()) }

// report passes err on, telling onError of its first error (a flush
// joins the errors of every file it wrote to).
func (c *countingEmitter) report(err error) error {
	if err != nil && c.onError != nil {
		first := err
		for {
			j, ok := first.(interface{ Unwrap() []error })
			if !ok || len(j.Unwrap()) == 0 {
				break
			}
			first = j.Unwrap()[0]
		}
		c.onError(first)
	}
	return err
}

// addTo adds the counts to m, by type name.
func (c *countingEmitter) addTo(m map[string]int64) {
	for t, n := range c.counts {
		if n > 0 {
			m[types.Type(t).Name()] += n
		}
	}
}
