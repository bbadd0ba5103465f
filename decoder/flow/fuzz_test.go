package flow_test

import (
	"errors"
	"io"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder/flow"
	"github.com/netcap-go/netcap/decoder/packet"
	"github.com/netcap-go/netcap/decoder/profile"
	"github.com/netcap-go/netcap/decoder/registry"
	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/source"
	"github.com/netcap-go/netcap/types"
)

// FuzzFlowTable feeds a sequence of Ethernet frames (each preceded by a
// length byte and a time step byte) through the parser, a small flow table
// (bound 8, short timeouts, so eviction and expiry run) and a small
// profile store. Nothing may panic, every record must marshal, and every
// packet is accounted once: in a flow or as having none.
func FuzzFlowTable(f *testing.F) {
	src, err := source.OpenFile(testutil.Testdata(f, "mixed.pcap"))
	if err != nil {
		f.Fatal(err)
	}
	var seed []byte
	// Small seeds (headers only): the fuzzer minimises every new input, and
	// large ones make it spend its time there.
	for i := 0; i < 24; i++ {
		data, _, err := src.ReadPacket()
		if err != nil {
			break
		}
		if len(data) > 80 {
			data = data[:80]
		}
		seed = append(seed, byte(len(data)), byte(i%7))
		seed = append(seed, data...)
		if i%4 == 3 {
			f.Add(seed)
			seed = nil
		}
	}
	src.Close()
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(typ types.Type, r proto.Message) error {
			if _, err := proto.Marshal(r); err != nil {
				t.Fatalf("%s record does not marshal: %v", typ.Name(), err)
			}
			if err := types.CheckStrings(r); err != nil {
				t.Fatalf("%s record: %v", typ.Name(), err)
			}
			return nil
		}
		store := profile.NewStore(profile.Config{Devices: true, IPs: true, MaxProfiles: 4})
		table := flow.NewTable(flow.Config{
			TCPTimeout: 3 * time.Second, OtherTimeout: time.Second, CloseDelay: time.Second, MaxFlows: 8,
			Connections: true, Flows: true, Emit: check,
			OnClose: func(c *flow.Conn) {
				if err := store.Conn(c, check); err != nil {
					t.Fatal(err)
				}
			},
		})
		emit := func(typ types.Type, r proto.Message) error {
			if store.Wants(typ) {
				if err := store.Record(typ, r, check); err != nil {
					t.Fatal(err)
				}
			}
			return check(typ, r)
		}
		var now, packets int64
		p := packet.NewParser(packet.Options{}, registry.PacketDecoders(nil), emit)
		p.SetFlowHook(func(pk *packet.Packet) { table.Packet(pk, now) })
		for len(data) >= 2 {
			n, step := int(data[0]), int64(data[1])
			data = data[2:]
			if n > len(data) {
				n = len(data)
			}
			now += step * int64(300*time.Millisecond)
			packets++
			if err := p.Decode(data[:n], now, n, 1); err != nil && !errors.Is(err, io.EOF) {
				t.Fatal(err)
			}
			data = data[n:]
		}
		table.Flush()
		if err := store.Flush(check); err != nil {
			t.Fatal(err)
		}
		if st := p.Stats(); st.Panics > 0 {
			t.Fatalf("panic: %v", st.ErrorSamples["panic"])
		}
		st := table.Stats()
		if st.Packets+st.NoFlow != packets {
			t.Fatalf("%d packets, %d in flows and %d without", packets, st.Packets, st.NoFlow)
		}
		if table.Len() != 0 || st.PeakFlows > 8 {
			t.Fatalf("%d left after flush, peak %d", table.Len(), st.PeakFlows)
		}
	})
}
