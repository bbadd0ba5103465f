package packet_test

import (
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
)

// ipv6FragmentCase compares the fragment header fields and the packet's
// addresses. The ports are not compared: we (like gopacket and Netcap) do
// not decode what follows a fragment header unless the fragment is atomic,
// so a fragment's record has no ports, while tshark without reassembly
// still dissects the transport header in first (and some last) fragments.
var ipv6FragmentCase = tsharktest.Case{
	Type:   "IPv6Fragment",
	Filter: "ipv6.fraghdr",
	Fields: []tsharktest.Field{
		{Ours: "NextHeader", Tshark: "ipv6.fraghdr.nxt"},
		{Ours: "Reserved1", Tshark: "ipv6.fraghdr.reserved_octet"},
		{Ours: "FragmentOffset", Tshark: "ipv6.fraghdr.offset"},
		{Ours: "Reserved2", Tshark: "ipv6.fraghdr.reserved_bits"},
		{Ours: "MoreFragments", Tshark: "ipv6.fraghdr.more"},
		{Ours: "Identification", Tshark: "ipv6.fraghdr.ident"},
		{Ours: "SrcIP", Tshark: "ipv6.src"},
		{Ours: "DstIP", Tshark: "ipv6.dst"},
	},
}

func TestIPv6FragmentAgainstTshark(t *testing.T) {
	t.Parallel()
	// First, middle and last fragments of UDP and TCP, and in denial6-6
	// 39812 first fragments behind hop-by-hop headers plus ICMPv6 errors
	// that quote such fragments: the quoted headers, which tshark dissects
	// and gopacket (like Netcap) does not, are not records.
	compare(t, derivedFromCase(ipv6FragmentCase,
		func(f tsharktest.Frame) int { return f.Count("ipv6.fraghdr", "icmpv6") }, "SrcIP", "DstIP"),
		testutil.Shared(t, "public/zeek/traces/ipv6-fragmented-dns.pcap"),
		testutil.Shared(t, "public/suricata-verify/defrag/bug-6887-defrag-ipv6-tcp/frag-ip-tcp.pcap"),
		testutil.Shared(t, "public/suricata-verify/ipv6-evasion/ipv6-dos-with-ext-headers-6/denial6-6.pcap"),
	)
}

func FuzzIPv6Fragment(f *testing.F) {
	fuzzLayer(f, layers.LayerTypeIPv6Fragment,
		mustHex("11000169a1bc6572"+"0035003500200000"), // more fragments: the rest is not decoded
		mustHex("3a000000000000018000000000010001"),    // atomic fragment: ICMPv6 echo follows
	)
}
