package packet_test

import (
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
)

// icmpv6EchoCase compares the identifier and sequence number of echo
// requests and replies and the packet's addresses (the first IP header's,
// IPv4 for echoes in 6in4 tunnels). The frames yield a record when their
// first ICMPv6 message is a decoded echo: tshark also dissects echoes
// quoted by ICMPv6 errors, gopacket (like Netcap) does not.
var icmpv6EchoCase = tsharktest.Case{
	Type:    "ICMPv6Echo",
	Filter:  "icmpv6",
	Read:    append([]string{"icmpv6.type", "icmpv6.echo.identifier", "icmpv6.echo.sequence_number"}, icmpv6Fields...),
	Columns: []string{"Identifier", "SeqNumber", "SrcIP", "DstIP"},
	FrameRows: func(f tsharktest.Frame) [][]string {
		if typ := f.At("icmpv6.type", 0); !icmpv6Decoded(f) || typ != "128" && typ != "129" {
			return nil
		}
		src, dst := f.Addrs()
		return [][]string{{f.At("icmpv6.echo.identifier", 0), f.At("icmpv6.echo.sequence_number", 0), src, dst}}
	},
}

func TestICMPv6EchoAgainstTshark(t *testing.T) {
	t.Parallel()
	compare(t, icmpv6EchoCase, testutil.Testdata(t, "mixed.pcap"), testutil.Testdata(t, "mixed.pcapng"))
}

func TestICMPv6EchoAgainstTsharkPublic(t *testing.T) {
	t.Parallel()
	// Echoes also in 6in4 tunnels, behind a routing header, in a jumbogram,
	// with a Linux SLL2 link layer, and quoted by destination unreachable
	// and time exceeded messages.
	compare(t, icmpv6EchoCase,
		testutil.Shared(t, "public/community-id/pcaps/icmp6.pcap"),
		testutil.Shared(t, "public/ja4/pcap/v6.pcap"),
		testutil.Shared(t, "public/ndpi/6in4tunnel.pcap"),
		testutil.Shared(t, "public/arkime/ipv6-in-ipv4.pcap"),
		testutil.Shared(t, "public/zeek/traces/icmp/icmp6-ping.pcap"),
		testutil.Shared(t, "public/zeek/traces/linux_dlt_sll2.pcap"),
		testutil.Shared(t, "public/tcpdump/ipv6-routing-header.pcap"),
		testutil.Shared(t, "public/tcpdump/ipv6_jumbogram_1.pcap"),
	)
}

func FuzzICMPv6Echo(f *testing.F) { fuzzLayer(f, layers.LayerTypeICMPv6Echo) }
