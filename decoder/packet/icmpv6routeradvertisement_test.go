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

// icmpv6RouterAdvertisementCase compares the current hop limit, the flags
// byte (M, O, home agent, preference, proxy), the router lifetime,
// reachable time and retransmission timer, the packet's addresses and the
// options (see ndpOptionsTshark).
var icmpv6RouterAdvertisementCase = ndpCase("ICMPv6RouterAdvertisement", "134",
	[]string{"HopLimit", "Flags", "RouterLifetime", "ReachableTime", "RetransTimer"},
	[]string{"icmpv6.nd.ra.cur_hop_limit", "icmpv6.nd.ra.flag", "icmpv6.nd.ra.router_lifetime",
		"icmpv6.nd.ra.reachable_time", "icmpv6.nd.ra.retrans_timer"},
	func(f tsharktest.Frame) []string {
		return []string{f.At("icmpv6.nd.ra.cur_hop_limit", 0), f.At("icmpv6.nd.ra.flag", 0),
			f.At("icmpv6.nd.ra.router_lifetime", 0), f.At("icmpv6.nd.ra.reachable_time", 0),
			f.At("icmpv6.nd.ra.retrans_timer", 0)}
	},
	func(m proto.Message) []string {
		r := m.(*types.ICMPv6RouterAdvertisement)
		return []string{strconv.Itoa(int(r.HopLimit)), strconv.Itoa(int(r.Flags)), strconv.Itoa(int(r.RouterLifetime)),
			strconv.FormatUint(uint64(r.ReachableTime), 10), strconv.FormatUint(uint64(r.RetransTimer), 10),
			r.SrcIP, r.DstIP, ndpOptionsOurs(r.Options)}
	})

func TestICMPv6RouterAdvertisementAgainstTshark(t *testing.T) {
	t.Parallel()
	// Source link-layer address, MTU and prefix information options; one
	// advertisement with seven option types (RDNSS, DNSSL, advertisement
	// interval and home agent information among them); one without options.
	compare(t, icmpv6RouterAdvertisementCase,
		testutil.Shared(t, "public/community-id/pcaps/icmp6.pcap"),
		testutil.Shared(t, "public/ja4/pcap/v6.pcap"),
		testutil.Shared(t, "public/tcpdump/icmpv6.pcap"),
		testutil.Shared(t, "public/zeek/traces/icmp/icmp6-router-advert.pcap"),
	)
}

func FuzzICMPv6RouterAdvertisement(f *testing.F) {
	fuzzLayer(f, layers.LayerTypeICMPv6RouterAdvertisement,
		// hop limit 64, M+O, lifetime 1800, an MTU option and a prefix
		mustHex("40c00708000000000000000005010000000005dc"+
			"030440c000278d0000093a8000000000"+"20010db8000000000000000000000000"),
	)
}
