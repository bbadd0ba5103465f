package packet_test

import (
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// icmpv6NeighborSolicitationCase compares the target address, the
// packet's addresses and the options (see ndpOptionsTshark).
var icmpv6NeighborSolicitationCase = ndpCase("ICMPv6NeighborSolicitation", "135",
	[]string{"TargetAddress"}, []string{"icmpv6.nd.ns.target_address"},
	func(f tsharktest.Frame) []string { return []string{f.At("icmpv6.nd.ns.target_address", 0)} },
	func(m proto.Message) []string {
		r := m.(*types.ICMPv6NeighborSolicitation)
		return []string{r.TargetAddress, r.SrcIP, r.DstIP, ndpOptionsOurs(r.Options)}
	})

func TestICMPv6NeighborSolicitationAgainstTshark(t *testing.T) {
	t.Parallel()
	// With and without a source link-layer address option, and with a
	// nonce option (RFC 3971).
	compare(t, icmpv6NeighborSolicitationCase,
		testutil.Shared(t, "public/community-id/pcaps/icmp6.pcap"),
		testutil.Shared(t, "public/ja4/pcap/v6.pcap"),
		testutil.Shared(t, "public/ja4/pcap/dhcpv6.pcap"),
		testutil.Shared(t, "public/arkime/wireshark-dhcpv6.pcap"),
		testutil.Shared(t, "public/ndpi/android.pcap"),
		testutil.Shared(t, "public/ndpi/iphone.pcap"),
		testutil.Shared(t, "public/ndpi/wechat.pcap"),
	)
}

func FuzzICMPv6NeighborSolicitation(f *testing.F) {
	fuzzLayer(f, layers.LayerTypeICMPv6NeighborSolicitation,
		// target fe80::1 and a source link-layer address option
		mustHex("00000000fe800000000000000000000000000001"+"0101020304050607"),
	)
}
