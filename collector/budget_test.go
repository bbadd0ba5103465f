package collector

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder/flow"
	"github.com/netcap-go/netcap/decoder/profile"
	"github.com/netcap-go/netcap/decoder/registry"
	"github.com/netcap-go/netcap/decoder/stream"
	"github.com/netcap-go/netcap/internal/pcapgen"
	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/source"
	"github.com/netcap-go/netcap/types"
)

// TestBudgetLimits: the tables' limits fit the share of the budget the
// fixed costs and the garbage collector's room leave, grow with the
// budget, and an explicit limit stays and raises the soft memory limit by
// what its entries cost beyond the budget's.
func TestBudgetLimits(t *testing.T) {
	const budget = 1 << 30
	l := BudgetLimits(budget, 2, 72)
	tables := l.Flows*(FlowEntryBytes+ReassemblyConnBytes) + l.OutOfOrderBytes*outOfOrderCostPercent/100 +
		l.Profiles*ProfileBytes + l.Services*ServiceBytes + l.Software*SoftwareBytes + l.ClosedConns*ClosedConnBytes +
		l.DefragDatagrams*DefragDatagramBytes + l.DefragBytes
	if room := (budget - l.Reserved) * tablesPercent / 100; int64(tables) > room || int64(tables) < room*99/100 {
		t.Errorf("tables take %d bytes of their %d", tables, room)
	}
	if l.MemoryLimit >= budget || l.MemoryLimit < budget*9/10 {
		t.Errorf("soft memory limit %d for a budget of %d", l.MemoryLimit, budget)
	}
	if big := BudgetLimits(4*budget, 2, 72); big.Flows < 4*l.Flows || big.Profiles < 4*l.Profiles {
		t.Errorf("4 × the budget: %d flows, %d profiles; 1 ×: %d, %d", big.Flows, big.Profiles, l.Flows, l.Profiles)
	}
	if tiny := BudgetLimits(64<<20, 16, 72); tiny.Flows < 1000 {
		t.Errorf("64 MiB for 16 workers: %d flows; the tables keep a quarter of the budget", tiny.Flows)
	}

	cfg := Config{MemoryBudget: budget, Flows: flow.Config{MaxFlows: l.Flows + 1000}}
	in := cfg.applyBudget(2)
	if cfg.Flows.MaxFlows != l.Flows+1000 || in.Flows != l.Flows+1000 || cfg.Reassembly.MaxConns != l.ReassemblyConns {
		t.Errorf("explicit flows %d (summary %d), reassembly %d; want %d and %d", cfg.Flows.MaxFlows, in.Flows, cfg.Reassembly.MaxConns, l.Flows+1000, l.ReassemblyConns)
	}
	if want := l.MemoryLimit + 1000*FlowEntryBytes*100/tablesPercent; in.MemoryLimit != want {
		t.Errorf("soft memory limit %d, want %d", in.MemoryLimit, want)
	}
}

// discardSink drops every record: the measurements count the tables, not
// the records on their way to the files.
type discardSink struct{}

func (discardSink) NewEmitter() ncio.Emitter { return discardEmitter{} }
func (discardSink) Close() error             { return nil }

type discardEmitter struct{}

func (discardEmitter) Emit(types.Type, proto.Message) error { return nil }
func (discardEmitter) Flush() error                         { return nil }

// liveBytesPerEntry returns the heap that what build returns keeps alive,
// per entry: the live heap after a collection, less the one before build.
func liveBytesPerEntry(n int, build func() any) int64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	kept := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(kept)
	return (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / int64(n)
}

// entryFrames returns the frames of entry i of a kind of traffic.
type entryFrames func(i int) [][]byte

// udpFlow is a DNS-like datagram from a new client.
func udpFlow(i int) [][]byte {
	return [][]byte{pcapgen.UDPFrame(pcapgen.Client(i), pcapgen.Server, uint16(1024+i%60000), 53, []byte("flow"))}
}

// httpConn is a handshake and an HTTP request waiting for its response.
func httpConn(i int) [][]byte {
	c, s, port := pcapgen.Client(i), pcapgen.Server, uint16(1024+i%60000)
	req := []byte("GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n")
	return [][]byte{
		pcapgen.TCPFrame(c, s, port, 80, 1000, 0, pcapgen.SYN, nil),
		pcapgen.TCPFrame(s, c, 80, port, 5000, 1001, pcapgen.SYN|pcapgen.ACK, nil),
		pcapgen.TCPFrame(c, s, port, 80, 1001, 5001, pcapgen.ACK|pcapgen.PSH, req),
	}
}

// profiledHost is a host with its own MAC address that asks a name,
// opens a TLS connection and an HTTP one: three ports in its profile.
func profiledHost(i int) [][]byte {
	frames := append(udpFlow(i), httpConn(i)...)
	c, s, port := pcapgen.Client(i), pcapgen.Server, uint16(1024+i%60000)
	frames = append(frames,
		pcapgen.TCPFrame(c, s, port+1, 443, 1000, 0, pcapgen.SYN, nil),
		pcapgen.TCPFrame(s, c, 443, port+1, 5000, 1001, pcapgen.SYN|pcapgen.ACK, nil))
	for _, f := range frames {
		mac := f[6:12] // the source MAC, or the destination's for replies
		if [4]byte(f[14+12:14+16]) == s {
			mac = f[0:6]
		}
		copy(mac, []byte{2, 0, c[0], c[1], c[2], c[3]})
	}
	return frames
}

// feedWorker runs the frames of n entries through one worker of a run
// with all decoders, without streams unless withStreams, and returns it.
func feedWorker(n int, frames entryFrames, withStreams bool, profiles *profile.Store) *worker {
	cfg := Config{Sink: discardSink{}}
	var streams *stream.Run
	if withStreams {
		protocols, observers := registry.StreamDecoders()
		streams = stream.NewRun(stream.Options{}, protocols, observers)
	}
	w := newWorker(cfg, nil, streams, profiles, reassembly.Config{MaxConns: 1 << 30, MaxBytes: 1 << 30}, 1)
	ts := int64(1_700_000_000e9)
	for i := range n {
		for _, f := range frames(i) {
			ts += 10_000
			w.decode(f, nil, source.CaptureInfo{Timestamp: ts, CaptureLength: len(f), Length: len(f), LinkType: layers.LinkTypeEthernet}, ts)
		}
	}
	return w
}

// Entries per measurement: past the table sizes where a map's doubling
// would dominate, few enough to run in seconds.
const costEntries = 100_000

// BenchmarkEntryBytes measures the heap one entry of each table costs, as
// the budget's per-entry constants (costs.go) state them, and fails when a
// measurement exceeds its constant by more than a fifth:
//
//	go test -run '^$' -bench EntryBytes -benchtime 1x ./collector
//
// It measures memory, not time, and takes a while: runs of every
// benchmark (-bench ., as make bench-check) skip it.
func BenchmarkEntryBytes(b *testing.B) {
	if f := flag.Lookup("test.bench"); f != nil && f.Value.String() == "." {
		b.Skip("measures memory: run it by name (-bench EntryBytes)")
	}
	kinds := map[string]entryFrames{"udp": udpFlow, "http": httpConn}
	flowCost := map[string]int64{}
	for name, frames := range kinds {
		b.Run("flow/"+name, func(b *testing.B) {
			flowCost[name] = liveBytesPerEntry(costEntries, func() any { return feedWorker(costEntries, frames, false, nil) })
			reportCost(b, flowCost[name], FlowEntryBytes)
		})
	}
	for name, frames := range kinds {
		b.Run("reassembly-conn/"+name, func(b *testing.B) {
			both := liveBytesPerEntry(costEntries, func() any { return feedWorker(costEntries, frames, true, nil) })
			reportCost(b, both-flowCost[name], ReassemblyConnBytes)
		})
	}
	b.Run("profile", func(b *testing.B) {
		reportCost(b, liveBytesPerEntry(costEntries, func() any { return profiledHosts(costEntries) }), ProfileBytes)
	})
	b.Run("service", func(b *testing.B) {
		reportCost(b, liveBytesPerEntry(costEntries, func() any { return serviceEntries(costEntries) }), ServiceBytes)
	})
	b.Run("software", func(b *testing.B) {
		reportCost(b, liveBytesPerEntry(costEntries, func() any { return softwareEntries(costEntries) }), SoftwareBytes)
	})
	b.Run("closed-conn", func(b *testing.B) {
		const n = 60_000 // under the per-assembler default
		reportCost(b, liveBytesPerEntry(n, func() any { return closedConns(n) }), ClosedConnBytes)
	})
	b.Run("defrag-datagram", func(b *testing.B) {
		reportCost(b, liveBytesPerEntry(costEntries, func() any { return pendingDatagrams(costEntries) }), DefragDatagramBytes)
	})
	b.Run("record-file", func(b *testing.B) {
		const n = 40
		reportCost(b, liveBytesPerEntry(n, func() any { return openRecordFiles(b, n) }), RecordFileBytes)
	})
}

func reportCost(b *testing.B, measured, constant int64) {
	b.ReportMetric(float64(measured), "B/entry")
	if measured > constant*6/5 {
		b.Errorf("an entry costs %d bytes, the budget counts %d: update the constant", measured, constant)
	}
}

// profiledHosts returns a profile store that holds n hosts (profiledHost)
// and the DNS names of two addresses per host that have no profile yet.
func profiledHosts(n int) *profile.Store {
	st := profile.NewStore(profile.Config{Devices: true, IPs: true, MaxProfiles: 1 << 30})
	w := feedWorker(n, profiledHost, false, st)
	w.flows.Flush()
	for i := range n {
		c := pcapgen.Client(i)
		answers := []*types.DNSResourceRecord{
			{Type: 1, Name: fmt.Sprintf("a%d.example.com", i), IP: netip.AddrFrom4([4]byte{172, 16 + c[1], c[2], c[3]}).String()},
			{Type: 1, Name: fmt.Sprintf("b%d.example.com", i), IP: netip.AddrFrom4([4]byte{172, 24 + c[1], c[2], c[3]}).String()},
		}
		st.Record(types.Type_NC_DNS, &types.DNS{QR: true, Answers: answers}, discardEmitter{}.Emit)
	}
	return st
}

// softwareEntries returns a stream run that aggregated n software
// products, each seen in one flow.
func softwareEntries(n int) *stream.Run {
	protocols, observers := registry.StreamDecoders()
	run := stream.NewRun(stream.Options{}, protocols, observers)
	for i := range n {
		c := pcapgen.Client(i)
		run.ObserveSoftware(stream.SoftwareObservation{
			Timestamp: int64(i), Product: fmt.Sprintf("agent%d", i), Vendor: "Example", Version: "1.2.3",
			SourceName: "HTTP User-Agent", SourceData: fmt.Sprintf("agent%d/1.2.3 (X11; Linux x86_64)", i), Service: "HTTP",
			Flow: fmt.Sprintf("%s:40000->192.0.2.1:80", netip.AddrFrom4(c)),
		})
	}
	return run
}

// serviceEntries returns a stream run whose services store holds n
// services: n servers that each answered one conversation.
func serviceEntries(n int) *stream.Run {
	protocols, observers := registry.StreamDecoders()
	run := stream.NewRun(stream.Options{}, protocols, observers)
	asm := reassembly.New(reassembly.Config{MaxConns: 1 << 30}, run.Worker(discardEmitter{}.Emit).Factory())
	client := reassembly.Endpoint{Addr: netip.AddrFrom4([4]byte{192, 0, 2, 1}), Port: 40000}
	for i := range n {
		server := reassembly.Endpoint{Addr: netip.AddrFrom4(pcapgen.Client(i)), Port: 7000}
		ts := int64(i) * 10_000
		asm.AddDatagram(client, server, []byte("status?"), ts)
		asm.AddDatagram(server, client, []byte("OK ready"), ts+1)
	}
	asm.Flush()
	return run
}

// closedConns returns an assembler that remembers n connections closed by
// FIN (and holds no open one).
func closedConns(n int) *reassembly.Assembler {
	asm := reassembly.New(reassembly.Config{MaxConns: 1 << 30}, nil)
	server := reassembly.Endpoint{Addr: netip.AddrFrom4(pcapgen.Server), Port: 80}
	for i := range n {
		client := reassembly.Endpoint{Addr: netip.AddrFrom4(pcapgen.Client(i)), Port: 40000}
		ts := int64(i) * 10_000
		for _, s := range []reassembly.Segment{
			{Src: client, Dst: server, Seq: 1000, SYN: true},
			{Src: server, Dst: client, Seq: 5000, Ack: 1001, SYN: true, ACK: true},
			{Src: client, Dst: server, Seq: 1001, Ack: 5001, ACK: true, FIN: true},
			{Src: server, Dst: client, Seq: 5001, Ack: 1002, ACK: true, FIN: true},
		} {
			s.Timestamp = ts
			asm.Add(&s)
		}
	}
	return asm
}

// pendingDatagrams returns a defragmenter waiting for the rest of n
// datagrams, each of which sent its first 8 bytes.
func pendingDatagrams(n int) *defragmenter {
	d := newDefragmenter(DefragConfig{MaxDatagrams: n, MaxBytes: 1 << 30})
	for i := range n {
		f := fragment{off: 0, more: true, proto: 17, data: make([]byte, 8)}
		f.key.src = netip.AddrFrom4(pcapgen.Client(i)).As16()
		f.key.dst = netip.AddrFrom4(pcapgen.Server).As16()
		f.key.id = uint32(i)
		d.add(f, int64(i))
	}
	return d
}

// openRecordFiles returns n gzip record files, each past its first
// megabyte so that every buffer is in use.
func openRecordFiles(b *testing.B, n int) []*ncio.FileWriter {
	dir := b.TempDir()
	chunk := make([]byte, 64<<10)
	for i := range chunk {
		chunk[i] = byte(i * 7919 >> 3) // compresses, but not to nothing
	}
	var files []*ncio.FileWriter
	for i := range n {
		w, err := ncio.CreateFile(dir, ncio.NewHeader(types.Type(i+1), "budget", false), ncio.Gzip)
		if err != nil {
			b.Fatal(err)
		}
		for range 20 {
			if err := w.WriteFramed(chunk, 1); err != nil {
				b.Fatal(err)
			}
		}
		files = append(files, w)
	}
	b.Cleanup(func() {
		for _, f := range files {
			f.Close()
		}
		os.RemoveAll(dir)
	})
	return files
}
