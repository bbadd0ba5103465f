package packet_test

import (
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// icmpv6RouterSolicitationCase compares the packet's addresses and the
// options (see ndpOptionsTshark): a router solicitation has no other field.
var icmpv6RouterSolicitationCase = ndpCase("ICMPv6RouterSolicitation", "133", nil, nil,
	func(tsharktest.Frame) []string { return nil },
	func(m proto.Message) []string {
		r := m.(*types.ICMPv6RouterSolicitation)
		return []string{r.SrcIP, r.DstIP, ndpOptionsOurs(r.Options)}
	})

func TestICMPv6RouterSolicitationAgainstTshark(t *testing.T) {
	t.Parallel()
	// With and without a source link-layer address option.
	compare(t, icmpv6RouterSolicitationCase,
		testutil.Shared(t, "public/community-id/pcaps/icmp6.pcap"),
		testutil.Shared(t, "public/ja4/pcap/v6.pcap"),
		testutil.Shared(t, "public/ndpi/android.pcap"),
		testutil.Shared(t, "public/ndpi/iphone.pcap"),
		testutil.Shared(t, "public/ndpi/wechat.pcap"),
	)
}

func FuzzICMPv6RouterSolicitation(f *testing.F) {
	fuzzLayer(f, layers.LayerTypeICMPv6RouterSolicitation,
		mustHex("00000000"+"0101020304050607"), // a source link-layer address option
	)
}
