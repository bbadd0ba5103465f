package packet_test

import (
	"strconv"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// icmpv6NeighborAdvertisementCase compares the flags, the target address,
// the packet's addresses and the options (see ndpOptionsTshark).
//
// Flags: tshark's icmpv6.nd.na.flag is the whole 32-bit word of R, S and O
// flags and reserved bits; gopacket, and so the record as in Netcap, keeps
// its first byte (R, S, O and five reserved bits), so tshark's value is
// shifted right by 24.
var icmpv6NeighborAdvertisementCase = ndpCase("ICMPv6NeighborAdvertisement", "136",
	[]string{"Flags", "TargetAddress"}, []string{"icmpv6.nd.na.flag", "icmpv6.nd.na.target_address"},
	func(f tsharktest.Frame) []string {
		flags := "bad flags " + f.At("icmpv6.nd.na.flag", 0)
		if v, err := strconv.ParseUint(tsharktest.Normalize(f.At("icmpv6.nd.na.flag", 0)), 10, 32); err == nil {
			flags = strconv.FormatUint(v>>24, 10)
		}
		return []string{flags, f.At("icmpv6.nd.na.target_address", 0)}
	},
	func(m proto.Message) []string {
		r := m.(*types.ICMPv6NeighborAdvertisement)
		return []string{strconv.Itoa(int(r.Flags)), r.TargetAddress, r.SrcIP, r.DstIP, ndpOptionsOurs(r.Options)}
	})

func TestICMPv6NeighborAdvertisementAgainstTshark(t *testing.T) {
	t.Parallel()
	// Solicited, override and router flags in all combinations seen, with
	// and without a target link-layer address.
	compare(t, icmpv6NeighborAdvertisementCase,
		testutil.Shared(t, "public/community-id/pcaps/icmp6.pcap"),
		testutil.Shared(t, "public/ja4/pcap/v6.pcap"),
		testutil.Shared(t, "public/ja4/pcap/dhcpv6.pcap"),
		testutil.Shared(t, "public/arkime/wireshark-dhcpv6.pcap"),
	)
}

func FuzzICMPv6NeighborAdvertisement(f *testing.F) {
	fuzzLayer(f, layers.LayerTypeICMPv6NeighborAdvertisement,
		// solicited + override, target fe80::1, a target link-layer address
		mustHex("60000000fe800000000000000000000000000001"+"0201020304050607"),
	)
}
