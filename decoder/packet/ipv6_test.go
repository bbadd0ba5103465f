package packet_test

import (
	"strconv"
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
)

var ipv6Case = tsharktest.Case{
	Type:   "IPv6",
	Filter: "ipv6",
	Fields: []tsharktest.Field{
		{Ours: "Version", Tshark: "ipv6.version"},
		{Ours: "TrafficClass", Tshark: "ipv6.tclass"},
		{Ours: "FlowLabel", Tshark: "ipv6.flow"},
		{Ours: "Length", Tshark: "ipv6.plen"},
		{Ours: "NextHeader", Tshark: "ipv6.nxt"},
		{Ours: "HopLimit", Tshark: "ipv6.hlim"},
		{Ours: "SrcIP", Tshark: "ipv6.src"},
		{Ours: "DstIP", Tshark: "ipv6.dst"},
	},
}

func TestIPv6AgainstTshark(t *testing.T) {
	t.Parallel()
	compare(t, ipv6Case, testutil.Testdata(t, "mixed.pcap"), testutil.Testdata(t, "mixed.pcapng"))
}

func TestIPv6AgainstTsharkPublic(t *testing.T) {
	t.Parallel()
	// Echo, neighbour discovery, hop-by-hop, routing and fragment headers,
	// a jumbogram (payload length 0), IPv6 in IPv4 and IPv4 in IPv6, raw
	// and loopback link types, and ICMPv6 errors quoting IPv6 packets:
	// ipDecodedRows drops the quoted headers, which tshark dissects and we
	// (like Netcap) do not.
	//
	// tcpdump/ipv6-bad-version.pcap has IPv6 EtherTypes with version 0
	// headers: tshark stops at them, and so does the parser (a decode
	// error, no record). Not here: Teredo and AYIYA captures, tunnels
	// gopacket does not open.
	compare(t, withColumn(derivedFromCase(ipv6Case, ipDecodedRows("ipv6")), "PayloadSize",
		[]string{"ipv6.hopopts.len", "ipv6.opt.jumbo"}, ipv6PayloadSizes),
		testutil.Shared(t, "public/community-id/pcaps/icmp6.pcap"),
		testutil.Shared(t, "public/tcpdump/ipv6-bad-version.pcap"),
		testutil.Shared(t, "public/ja4/pcap/v6.pcap"),
		testutil.Shared(t, "public/ja4/pcap/dhcpv6.pcap"),
		testutil.Shared(t, "public/ja4/pcap/ipv6.pcapng"),
		testutil.Shared(t, "public/ndpi/6in4tunnel.pcap"),
		testutil.Shared(t, "public/arkime/ipv6-in-ipv4.pcap"),
		testutil.Shared(t, "public/zeek/traces/tunnels/6in4.pcap"),
		testutil.Shared(t, "public/zeek/traces/tunnels/4in6.pcap"),
		testutil.Shared(t, "public/zeek/traces/ipv6-fragmented-dns.pcap"),
		testutil.Shared(t, "public/suricata-verify/defrag/bug-6887-defrag-ipv6-tcp/frag-ip-tcp.pcap"),
		testutil.Shared(t, "public/tcpdump/icmpv6.pcap"),
		testutil.Shared(t, "public/tcpdump/ipv6-routing-header.pcap"),
		testutil.Shared(t, "public/tcpdump/ipv6_jumbogram_1.pcap"),
		testutil.Shared(t, "public/tcpdump/LINKTYPE_RAW_ipv6.pcap"),
		testutil.Shared(t, "public/zeek/traces/linux_dlt_sll2.pcap"),
		testutil.Shared(t, "public/suricata-verify/ipv6-evasion/ipv6-dos-with-ext-headers-6/denial6-6.pcap"),
	)
}

// ipv6PayloadSizes are the PayloadSize of the IPv6 records of a frame: the
// payload length, or for a jumbogram (payload length 0) the jumbo payload
// length, less the hop-by-hop header, which gopacket decodes as part of the
// IPv6 layer. The captures are not cut short by a snap length.
func ipv6PayloadSizes(f tsharktest.Frame, n int) []string {
	sizes := make([]string, n)
	hbh := 0 // hop-by-hop headers of the IPv6 headers before this one
	for i := range sizes {
		size, err := strconv.Atoi(f.At("ipv6.plen", i))
		if err != nil {
			sizes[i] = "bad payload length " + f.At("ipv6.plen", i)
			continue
		}
		if f.At("ipv6.nxt", i) == "0" {
			words, _ := strconv.Atoi(f.At("ipv6.hopopts.len", hbh))
			hbh++
			if size == 0 {
				size, _ = strconv.Atoi(f.At("ipv6.opt.jumbo", 0))
			}
			size -= (words + 1) * 8
		}
		sizes[i] = strconv.Itoa(size)
	}
	return sizes
}

func FuzzIPv6(f *testing.F) { fuzzLayer(f, layers.LayerTypeIPv6) }
