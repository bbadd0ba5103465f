package packet_test

import (
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
)

var dot1qCase = tsharktest.Case{
	Type:   "Dot1Q",
	Filter: "vlan",
	// gopacket decodes 802.1ad S-tags (EtherType 0x88a8) as Dot1Q: the
	// tag has the same layout. tshark's ieee8021ad dissector names the
	// same fields ieee8021ad.*, and the harness cannot merge two field
	// names per occurrence in a packet with an S-tag and a C-tag, so
	// tshark is told to read S-tags as 802.1Q tags.
	Args: []string{"-d", "ethertype==0x88a8,vlan"},
	Fields: []tsharktest.Field{
		{Ours: "Priority", Tshark: "vlan.priority"},
		{Ours: "DropEligible", Tshark: "vlan.dei"},
		{Ours: "VLANIdentifier", Tshark: "vlan.id"},
		// A tag followed by an 802.3 length (and LLC) has it in the
		// type field, as gopacket does; tshark calls it vlan.len.
		{Ours: "Type", Tshark: "vlan.etype,vlan.len"},
	},
}

func TestDot1QAgainstTshark(t *testing.T) {
	compare(t, dot1qCase, linkLayerCaptures(t)...)
}

func TestDot1QAgainstTsharkPublic(t *testing.T) {
	compare(t, dot1qCase,
		// Priority and DEI bits set.
		testutil.Shared(t, "public/zeek/traces/vlan-pcp-dei.pcapng"),
		testutil.Shared(t, "public/arkime/ldap-simpleauth.pcap"),
		testutil.Shared(t, "public/arkime/no-syn-ack.pcap"),
		// Two tags: 802.1Q twice, 802.1ad then 802.1Q.
		testutil.Shared(t, "public/arkime/twovlan.pcap"),
		testutil.Shared(t, "public/zeek/traces/q-in-q.pcap"),
		testutil.Shared(t, "public/tcpdump/802.1ad_QinQ.pcap"),
		testutil.Shared(t, "public/tcpdump/arp-too-long-tha.pcap"),
		// Tags with an 802.3 length and LLC (STP, CDP) behind GRE.
		testutil.Shared(t, "public/tcpdump/various_gre.pcap"),
		// MPLS behind a tag; a tag inside ERSPAN; VXLAN behind a tag.
		testutil.Shared(t, "public/zeek/traces/mpls-in-vlan.pcap"),
		testutil.Shared(t, "public/zeek/traces/mixed-vlan-mpls.pcap"),
		testutil.Shared(t, "public/suricata-verify/decode-erspan-typeI-02/input.pcap"),
		testutil.Shared(t, "public/ndpi/vxlan.pcap"),
		testutil.Shared(t, "public/ndpi/zoom.pcap"),
	)
}

func FuzzDot1Q(f *testing.F) {
	fuzzLayer(f, layers.LayerTypeDot1Q, linkLayerPayloadsOf(0x8100, 0x88a8)...)
}
