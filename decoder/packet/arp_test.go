package packet_test

import (
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
)

// arpFilter selects ARP and RARP (EtherType 0x8035): both have ARP's
// layout, tshark's ARP dissector reads both, and so does our parser (gopacket
// alone has no RARP layer).
const arpFilter = "arp"

var arpCase = tsharktest.Case{
	Type:   "ARP",
	Filter: arpFilter,
	// 802.1ad S-tags are read as 802.1Q tags (see dot1qCase), so that
	// arpFilter's vlan.etype covers them too.
	Args: []string{"-d", "ethertype==0x88a8,vlan"},
	Fields: []tsharktest.Field{
		{Ours: "AddrType", Tshark: "arp.hw.type"},
		{Ours: "Protocol", Tshark: "arp.proto.type"},
		{Ours: "HwAddressSize", Tshark: "arp.hw.size"},
		{Ours: "ProtocolAddressSize", Tshark: "arp.proto.size"},
		{Ours: "Operation", Tshark: "arp.opcode"},
		// tshark has a MAC field for 6-byte hardware addresses and a
		// bytes field (plain hex) for other lengths; we write any
		// hardware address in MAC notation (colon-separated hex).
		{Ours: "SrcHwAddress", Tshark: "arp.src.hw_mac,arp.src.hw", Conv: hexColons},
		// The same for protocol addresses that are not IPv4.
		{Ours: "SrcProtocolAddress", Tshark: "arp.src.proto_ipv4,arp.src.proto", Conv: hexColons},
		{Ours: "DstHwAddress", Tshark: "arp.dst.hw_mac,arp.dst.hw", Conv: hexColons},
		{Ours: "DstProtocolAddress", Tshark: "arp.dst.proto_ipv4,arp.dst.proto", Conv: hexColons},
	},
}

func TestARPAgainstTshark(t *testing.T) {
	compare(t, arpCase, linkLayerCaptures(t)...)
}

func TestARPAgainstTsharkPublic(t *testing.T) {
	compare(t, arpCase,
		testutil.Shared(t, "public/community-id/pcaps/arp.pcap"),
		testutil.Shared(t, "public/arkime/cloudshark-arp.pcap"),
		testutil.Shared(t, "public/zeek/traces/arp-who-has.pcap"),
		testutil.Shared(t, "public/suricata-verify/sip-method/sip.pcap"),
		testutil.Shared(t, "public/ndpi/tor.pcap"),
		testutil.Shared(t, "public/ja4/pcap/tls3.pcapng"),
		// A 14-byte hardware address, behind an 802.1ad tag.
		testutil.Shared(t, "public/tcpdump/arp-too-long-tha.pcap"),
		// Behind stacked VLAN tags (802.1ad + 802.1Q, 802.1Q twice).
		testutil.Shared(t, "public/tcpdump/802.1ad_QinQ.pcap"),
		testutil.Shared(t, "public/zeek/traces/q-in-q.pcap"),
		// In tunnels (VXLAN, Geneve).
		testutil.Shared(t, "public/tcpdump/vxlan.pcap"),
		testutil.Shared(t, "public/suricata-verify/geneve-decoder/input.pcap"),
		// Linux SLL and SLL2 links (the SLL2 capture also has a RARP
		// packet).
		testutil.Shared(t, "public/zeek/traces/linuxsll-arp.pcap"),
		testutil.Shared(t, "public/zeek/traces/linux_dlt_sll2.pcap"),
	)
	// 802.11 with radiotap, ARP behind LLC/SNAP. Both frames are cut by
	// the snap length before their FCS, yet the radiotap header says the
	// frames end with one: the parser must not let gopacket's Dot11 cut the
	// last four captured bytes as the FCS (in the first frame that would
	// leave the ARP packet too short for a record).
	compare(t, arpCase, testutil.Shared(t, "public/zeek/traces/arp-who-has-radiotap.pcap"))
}

func FuzzARP(f *testing.F) { fuzzLayer(f, layers.LayerTypeARP, linkLayerPayloadsOf(0x0806)...) }
