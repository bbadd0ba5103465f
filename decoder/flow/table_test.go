package flow_test

import (
	"bytes"
	"context"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/collector"
	"github.com/netcap-go/netcap/decoder/flow"
	"github.com/netcap-go/netcap/internal/pcapgen"
	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/source"
	"github.com/netcap-go/netcap/types"
)

// run decodes a synthetic capture and returns the records.
func run(t *testing.T, capture []byte, workers int, fc flow.Config) (*ncio.MemorySink, *collector.Summary) {
	t.Helper()
	src, err := source.NewFile(bytes.NewReader(capture), "synthetic")
	if err != nil {
		t.Fatal(err)
	}
	sink := ncio.NewMemorySink()
	sum, err := collector.Run(context.Background(), src, "synthetic", collector.Config{Workers: workers, Sink: sink, Flows: fc})
	if err != nil {
		t.Fatal(err)
	}
	return sink, sum
}

func connections(s *ncio.MemorySink) []*types.Connection {
	var out []*types.Connection
	for _, m := range s.Records(types.Type_NC_Connection) {
		out = append(out, m.(*types.Connection))
	}
	return out
}

func flows(s *ncio.MemorySink) []*types.Flow {
	var out []*types.Flow
	for _, m := range s.Records(types.Type_NC_Flow) {
		out = append(out, m.(*types.Flow))
	}
	return out
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

var (
	client = [4]byte{10, 0, 0, 1}
	server = [4]byte{192, 0, 2, 1}
)

// TestTCPConnection follows one HTTP connection from SYN to the last ACK,
// then a second connection on the same ports (port reuse after close).
func TestTCPConnection(t *testing.T) {
	var buf bytes.Buffer
	w := pcapgen.NewWriter(&buf)
	w.Step = 1000 // 1 ms per packet
	req := []byte("GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\n\r\n")
	resp := []byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	var sizes [2]int64
	var pkts [2]int64
	add := func(d int, frame []byte) {
		w.Packet(frame)
		sizes[d] += int64(len(frame))
		pkts[d]++
	}
	conn := func(isn uint32) {
		n, m := uint32(len(req)), uint32(len(resp))
		add(0, pcapgen.TCPFrame(client, server, 40000, 80, isn, 0, pcapgen.SYN, nil))
		add(1, pcapgen.TCPFrame(server, client, 80, 40000, 500, isn+1, pcapgen.SYN|pcapgen.ACK, nil))
		add(0, pcapgen.TCPFrame(client, server, 40000, 80, isn+1, 501, pcapgen.ACK, nil))
		add(0, pcapgen.TCPFrame(client, server, 40000, 80, isn+1, 501, pcapgen.PSH|pcapgen.ACK, req))
		add(1, pcapgen.TCPFrame(server, client, 80, 40000, 501, isn+1+n, pcapgen.PSH|pcapgen.ACK, resp))
		add(0, pcapgen.TCPFrame(client, server, 40000, 80, isn+1+n, 501+m, pcapgen.FIN|pcapgen.ACK, nil))
		add(1, pcapgen.TCPFrame(server, client, 80, 40000, 501+m, isn+2+n, pcapgen.FIN|pcapgen.ACK, nil))
		add(0, pcapgen.TCPFrame(client, server, 40000, 80, isn+2+n, 502+m, pcapgen.ACK, nil))
	}
	conn(100)
	first := sizes
	firstPkts := pkts
	w.TS += int64(time.Second / time.Microsecond)
	conn(7000) // a new SYN (another ISN) on the same ports
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	sink, sum := run(t, buf.Bytes(), 2, flow.Config{})
	cs := connections(sink)
	if len(cs) != 2 {
		t.Fatalf("%d connections, want 2 (port reuse after close)", len(cs))
	}
	if cs[0].TimestampFirst > cs[1].TimestampFirst {
		cs[0], cs[1] = cs[1], cs[0]
	}
	c := cs[0]
	want := &types.Connection{
		TimestampFirst: c.TimestampFirst, TimestampLast: c.TimestampFirst + 7*int64(time.Millisecond), Duration: 7 * int64(time.Millisecond),
		LinkProto: "Ethernet", NetworkProto: "IPv4", TransportProto: "TCP", ApplicationProto: "HTTP",
		SrcMAC: "00:00:00:00:00:00", DstMAC: "00:00:00:00:00:00", SrcIP: "10.0.0.1", SrcPort: "40000", DstIP: "192.0.2.1", DstPort: "80",
		TotalSize: int32(first[0] + first[1]), AppPayloadSize: int32(len(req) + len(resp)), NumPackets: 8,
		UID: c.UID, BytesClientToServer: first[0], BytesServerToClient: first[1],
		NumFINFlags: 2, NumACKFlags: 7, NumSYNFlags: 2, NumPSHFlags: 2, MeanWindowSize: c.MeanWindowSize,
		CommunityID:           flow.CommunityID{}.Compute(flow.Tuple{Src: mustAddr("10.0.0.1"), Dst: mustAddr("192.0.2.1"), Proto: 6, SrcPort: 40000, DstPort: 80}),
		PacketsClientToServer: firstPkts[0], PacketsServerToClient: firstPkts[1],
		AppPayloadClientToServer: int64(len(req)), AppPayloadServerToClient: int64(len(resp)),
		ConnState: "SF", FlushReason: flow.ReasonClose, ServerName: "example.com",
	}
	if !proto.Equal(c, want) {
		t.Fatalf("connection\n got %v\nwant %v", c, want)
	}
	if cs[1].FlushReason != flow.ReasonEnd || cs[1].UID == c.UID || cs[1].CommunityID != c.CommunityID {
		t.Errorf("second connection: reason %s, UIDs %s %s", cs[1].FlushReason, cs[1].UID, c.UID)
	}
	if sum.Flows.Reasons[flow.ReasonClose] != 1 || sum.Flows.Reasons[flow.ReasonEnd] != 1 {
		t.Errorf("reasons %v", sum.Flows.Reasons)
	}

	fs := flows(sink)
	if len(fs) != 4 {
		t.Fatalf("%d flows, want 4", len(fs))
	}
	for _, f := range fs {
		if f.UID != c.UID {
			continue
		}
		d := 1
		if f.FromClient {
			d = 0
		}
		if f.NumPackets != firstPkts[d] || f.TotalSize != first[d] || f.CommunityID != c.CommunityID {
			t.Errorf("flow %d: %d packets %d bytes, want %d %d", d, f.NumPackets, f.TotalSize, firstPkts[d], first[d])
		}
		if f.FromClient && (f.SrcIP != "10.0.0.1" || f.NumSYNFlags != 1 || f.MinIAT != int64(time.Millisecond) || f.MaxIAT != 2*int64(time.Millisecond)) {
			t.Errorf("client flow %v", f)
		}
		if !f.FromClient && (f.SrcIP != "192.0.2.1" || f.SrcPort != "80" || f.MeanIAT != float64(2500*time.Microsecond)) {
			t.Errorf("server flow %v", f)
		}
	}

	// The packet records carry the connection's Community ID.
	for _, m := range sink.Records(types.Type_NC_TCP) {
		if id := m.(*types.TCP).CommunityID; id != c.CommunityID {
			t.Fatalf("TCP record Community ID %q, want %q", id, c.CommunityID)
		}
	}
	for _, m := range sink.Records(types.Type_NC_HTTP) {
		if id := m.(*types.HTTP).CommunityID; id != c.CommunityID {
			t.Fatalf("HTTP record Community ID %q, want %q", id, c.CommunityID)
		}
	}
	if len(sink.Records(types.Type_NC_HTTP)) != 2 {
		t.Errorf("%d HTTP records", len(sink.Records(types.Type_NC_HTTP)))
	}
}

// TestIdleTimeout: a UDP flow that pauses longer than the flow timeout is
// two connections; with a longer timeout it is one.
func TestIdleTimeout(t *testing.T) {
	var buf bytes.Buffer
	w := pcapgen.NewWriter(&buf)
	w.Step = int64(30 * time.Second / time.Microsecond)
	// t=0, 30 s, 60 s, then 3 min: the gap of 2 min ends the flow.
	for range 3 {
		w.Packet(pcapgen.UDPFrame(client, server, 5000, 53, []byte("x")))
	}
	w.TS += int64(90 * time.Second / time.Microsecond)
	w.Packet(pcapgen.UDPFrame(server, client, 53, 5000, []byte("y")))
	w.Flush()

	sink, _ := run(t, buf.Bytes(), 1, flow.Config{})
	cs := connections(sink)
	if len(cs) != 2 {
		t.Fatalf("%d connections, want 2", len(cs))
	}
	if cs[0].TimestampFirst > cs[1].TimestampFirst {
		cs[0], cs[1] = cs[1], cs[0]
	}
	if cs[0].NumPackets != 3 || cs[0].FlushReason != flow.ReasonIdle || cs[0].Duration != int64(time.Minute) {
		t.Errorf("first: %v", cs[0])
	}
	// The second starts with the server's datagram: it is the client now.
	if cs[1].NumPackets != 1 || cs[1].SrcPort != "53" || cs[1].FlushReason != flow.ReasonEnd {
		t.Errorf("second: %v", cs[1])
	}

	sink, _ = run(t, buf.Bytes(), 1, flow.Config{OtherTimeout: 5 * time.Minute})
	if cs := connections(sink); len(cs) != 1 || cs[0].NumPackets != 4 || cs[0].PacketsServerToClient != 1 {
		t.Fatalf("with a 5 min timeout: %v", cs)
	}
}

// TestMaxFlows: a table bound of 100 with 1,000 flows writes every flow,
// 900 of them early, and never holds more than the bound.
func TestMaxFlows(t *testing.T) {
	var buf bytes.Buffer
	w := pcapgen.NewWriter(&buf)
	for i := range 1000 {
		w.Flow(i)
	}
	w.Flush()
	sink, sum := run(t, buf.Bytes(), 1, flow.Config{MaxFlows: 100})
	if n := len(connections(sink)); n != 1000 {
		t.Fatalf("%d connections, want 1000", n)
	}
	if sum.Flows.Evicted != 900 || sum.Flows.PeakFlows != 100 || sum.Flows.Reasons[flow.ReasonEvicted] != 900 {
		t.Fatalf("evicted %d, peak %d", sum.Flows.Evicted, sum.Flows.PeakFlows)
	}
}

// countingSource counts the packets read.
type countingSource struct {
	source.PacketSource
	n atomic.Int64
}

func (c *countingSource) ReadPacket() ([]byte, source.CaptureInfo, error) {
	data, ci, err := c.PacketSource.ReadPacket()
	if err == nil {
		c.n.Add(1)
	}
	return data, ci, err
}

// watchSink notes how many packets had been read when the first
// Connection record was emitted.
type watchSink struct {
	src   *countingSource
	first atomic.Int64
	conns atomic.Int64
}

func (s *watchSink) NewEmitter() ncio.Emitter { return watchEmitter{s} }
func (s *watchSink) Close() error             { return nil }

type watchEmitter struct{ s *watchSink }

func (e watchEmitter) Emit(t types.Type, _ proto.Message) error {
	if t == types.Type_NC_Connection {
		e.s.conns.Add(1)
		e.s.first.CompareAndSwap(0, e.s.src.n.Load())
	}
	return nil
}
func (e watchEmitter) Flush() error { return nil }

// TestConnectionsWrittenDuringRun feeds a long capture (100,000 short UDP
// flows over 33 minutes of capture time) and checks that Connection
// records are written while packets are still being read, not at the end.
func TestConnectionsWrittenDuringRun(t *testing.T) {
	const n = 100_000
	var buf bytes.Buffer
	w := pcapgen.NewWriter(&buf)
	w.Step = 20_000 // 20 ms
	for i := range n {
		w.Flow(i)
	}
	w.Flush()
	f, err := source.NewFile(bytes.NewReader(buf.Bytes()), "long")
	if err != nil {
		t.Fatal(err)
	}
	src := &countingSource{PacketSource: f}
	sink := &watchSink{src: src}
	sum, err := collector.Run(context.Background(), src, "long", collector.Config{Workers: 2, Sink: sink})
	if err != nil {
		t.Fatal(err)
	}
	if got := sink.conns.Load(); got != n {
		t.Fatalf("%d connections, want %d", got, n)
	}
	first := sink.first.Load()
	t.Logf("first Connection record after %d of %d packets; peak %d flows tracked", first, n, sum.Flows.PeakFlows)
	if first == 0 || first > n/2 {
		t.Fatalf("first Connection record after %d of %d packets: not written during the run", first, n)
	}
	// 1 min timeout at 50 packets/s: about 3,000 flows live at once.
	if sum.Flows.PeakFlows > 4000 {
		t.Fatalf("peak %d flows tracked: idle flows are not written", sum.Flows.PeakFlows)
	}
}

// TestICMPConnections: an echo request and its reply are one connection
// (the Community ID pairs their types); a time-exceeded message is a
// one-way flow of its own.
func TestICMPConnections(t *testing.T) {
	var buf bytes.Buffer
	w := pcapgen.NewWriter(&buf)
	router := [4]byte{198, 51, 100, 1}
	w.Packet(pcapgen.IPv4Frame(client, server, 1, []byte{8, 0, 0, 0, 0, 1, 0, 1}))
	w.Packet(pcapgen.IPv4Frame(server, client, 1, []byte{0, 0, 0, 0, 0, 1, 0, 1}))
	w.Packet(pcapgen.IPv4Frame(router, client, 1, []byte{11, 0, 0, 0, 0, 0, 0, 0}))
	w.Flush()
	sink, _ := run(t, buf.Bytes(), 1, flow.Config{})
	cs := connections(sink)
	if len(cs) != 2 {
		t.Fatalf("%d connections, want 2: %v", len(cs), cs)
	}
	for _, c := range cs {
		switch c.SrcIP {
		case "10.0.0.1":
			if c.TransportProto != "ICMPv4" || c.PacketsClientToServer != 1 || c.PacketsServerToClient != 1 || c.ConnState != "" || c.SrcPort != "" {
				t.Errorf("echo: %v", c)
			}
			want := flow.CommunityID{}.Compute(flow.Tuple{Src: mustAddr("10.0.0.1"), Dst: mustAddr("192.0.2.1"), Proto: 1, SrcPort: 8, DstPort: 0})
			if c.CommunityID != want {
				t.Errorf("echo Community ID %s, want %s", c.CommunityID, want)
			}
		case "198.51.100.1":
			if c.NumPackets != 1 || c.DstIP != "10.0.0.1" {
				t.Errorf("time exceeded: %v", c)
			}
		default:
			t.Errorf("unexpected %v", c)
		}
	}
}
