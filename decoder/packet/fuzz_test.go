package packet_test

import (
	"testing"

	"github.com/gopacket/gopacket"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder/packet"
	"github.com/netcap-go/netcap/decoder/registry"
	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/source"
	"github.com/netcap-go/netcap/types"
)

// fuzzLayer fuzzes the parser from layer type lt on: whatever the bytes, it
// must not panic (the parser catches panics, so they are counted and fail
// the target here) and every record must marshal. Seeds are the layers of
// type lt found in the repository's test captures, plus extra.
func fuzzLayer(f *testing.F, lt gopacket.LayerType, extra ...[]byte) {
	for _, pcap := range []string{"mixed.pcapng"} {
		for _, seed := range layerSeeds(f, testutil.Testdata(f, pcap), lt, 16) {
			f.Add(seed)
		}
	}
	for _, e := range extra {
		f.Add(e)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		emit := func(typ types.Type, r proto.Message) error {
			if _, err := proto.Marshal(r); err != nil {
				t.Fatalf("%s record does not marshal: %v", typ.Name(), err)
			}
			if err := types.CheckStrings(r); err != nil {
				t.Fatalf("%s record: %v", typ.Name(), err)
			}
			return nil
		}
		p := packet.NewParser(packet.Options{Payloads: true, Entropy: true}, registry.PacketDecoders(nil), emit)
		if err := p.DecodeFrom(lt, data, 1, len(data)); err != nil {
			t.Fatal(err)
		}
		if st := p.Stats(); st.Panics > 0 {
			t.Fatalf("decoder panic: %v", st.ErrorSamples["panic"])
		}
	})
}

// layerSeeds returns up to n byte strings that start with a layer of type
// lt, cut from the frames of pcap.
func layerSeeds(tb testing.TB, pcap string, lt gopacket.LayerType, n int) [][]byte {
	packet.RegisterLayerTypes(registry.PacketDecoders(nil).Layers) // gopacket.NewPacket below reads the layers this package adds
	f, err := source.OpenFile(pcap)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var seeds [][]byte
	for len(seeds) < n {
		data, ci, err := f.ReadPacket()
		if err != nil {
			break
		}
		pkt := gopacket.NewPacket(data, ci.LinkType, gopacket.DecodeOptions{NoCopy: true})
		for _, l := range pkt.Layers() {
			if l.LayerType() == lt {
				seeds = append(seeds, append(append([]byte(nil), l.LayerContents()...), l.LayerPayload()...))
				break
			}
		}
	}
	return seeds
}
