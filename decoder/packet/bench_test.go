package packet_test

import (
	"io"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder/packet"
	"github.com/netcap-go/netcap/decoder/registry"
	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/source"
	"github.com/netcap-go/netcap/types"
)

type frame struct {
	data []byte
	ts   int64
	lt   layers.LinkType
}

func loadFrames(b *testing.B, name string) []frame {
	f, err := source.OpenFile(testutil.Testdata(b, name))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var out []frame
	for {
		data, ci, err := f.ReadPacket()
		if err == io.EOF {
			return out
		}
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, frame{append([]byte(nil), data...), ci.Timestamp, ci.LinkType})
	}
}

// BenchmarkParser decodes the packets of mixed.pcap with every decoder on
// and marshals each record, as a worker does (without the writer).
func BenchmarkParser(b *testing.B) {
	frames := loadFrames(b, "mixed.pcap")
	var buf []byte
	emit := func(_ types.Type, r proto.Message) error {
		var err error
		buf, err = proto.MarshalOptions{}.MarshalAppend(buf[:0], r)
		return err
	}
	p := packet.NewParser(packet.Options{}, registry.PacketDecoders(nil), emit)
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range frames {
			if err := p.Decode(f.data, f.ts, len(f.data), f.lt); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(frames))*float64(b.N)/b.Elapsed().Seconds(), "packets/s")
}
