package packet_test

import (
	"slices"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
)

// mplsCase compares each label stack entry: one record per entry, one
// tshark occurrence per entry. tshark's exp is the traffic class (RFC 5462
// renamed the experimental bits).
var mplsCase = tsharktest.Case{
	Type:   "MPLS",
	Filter: "mpls",
	Fields: []tsharktest.Field{
		{Ours: "Label", Tshark: "mpls.label"},
		{Ours: "TrafficClass", Tshark: "mpls.exp"},
		{Ours: "StackBottom", Tshark: "mpls.bottom"},
		{Ours: "TTL", Tshark: "mpls.ttl"},
	},
}

// MPLS over Ethernet, plain and behind a VLAN tag, with one- and two-entry
// stacks; mpls-label-heapoverflow.pcap is a malformed two-entry stack with
// nothing after it. Not here: tcpdump's mpls-over-udp.pcap (MPLS in UDP,
// RFC 7510, port 6635: tshark decodes the port, gopacket does not, so
// neither has a record we write; it is in the UDP test) and nDPI's
// BGP_redist.pcap (Cisco HDLC link type, which gopacket does not decode).
var mplsPublic = []string{
	"public/arkime/mpls-basic.pcap",
	"public/zeek/traces/mpls-in-vlan.pcap",
	"public/zeek/traces/mixed-vlan-mpls.pcap",
	"public/tcpdump/mpls-label-heapoverflow.pcap",
}

func TestMPLSAgainstTsharkPublic(t *testing.T) {
	t.Parallel()
	compare(t, mplsCase, sharedCaptures(t, mplsPublic...)...)
}

// TestMPLSAgainstTsharkPPP is MPLS on a PPP link (traceroute through an
// MPLS network).
func TestMPLSAgainstTsharkPPP(t *testing.T) {
	t.Parallel()
	compare(t, mplsCase, testutil.Shared(t, "public/tcpdump/mpls-traceroute.pcap"))
}

func FuzzMPLS(f *testing.F) { fuzzLayer(f, layers.LayerTypeMPLS, mplsSamples(f)...) }

// mplsEntry is one label stack entry.
func mplsEntry(label uint32, tc byte, bottom bool, ttl byte) []byte {
	v := label<<12 | uint32(tc&7)<<9 | uint32(ttl)
	if bottom {
		v |= 0x100
	}
	return be32(v)
}

// mplsSamples are label stacks with what the public captures lack, each
// followed by an IP packet: the largest label, every traffic class bit,
// TTL 0, a three-entry stack over IPv6 (IPv6 explicit null at the bottom),
// a label of 0 (IPv4 explicit null) above another entry.
func mplsSamples(tb testing.TB) [][]byte {
	inner4 := innerFrame(tb)[14:]
	inner6 := innerIPv6(tb)
	return [][]byte{
		slices.Concat(mplsEntry(1<<20-1, 7, false, 255), mplsEntry(16, 5, false, 1), mplsEntry(2, 2, true, 0), inner6),
		slices.Concat(mplsEntry(1000, 1, true, 64), inner4),
		slices.Concat(mplsEntry(0, 4, false, 10), mplsEntry(524288, 3, true, 128), inner4),
		slices.Concat(mplsEntry(77, 6, true, 33), inner4),
	}
}

// TestMPLSAgainstTsharkSynthetic puts mplsSamples in Ethernet, with the
// unicast and the multicast EtherType, and (the last) in GRE.
func TestMPLSAgainstTsharkSynthetic(t *testing.T) {
	t.Parallel()
	s := mplsSamples(t)
	pcap := writePcap(t, layers.LinkTypeEthernet,
		serializeFrame(t, ethernetLayer(layers.EthernetTypeMPLSUnicast), gopacket.Payload(s[0])),
		serializeFrame(t, ethernetLayer(layers.EthernetTypeMPLSMulticast), gopacket.Payload(s[1])),
		serializeFrame(t, ethernetLayer(layers.EthernetTypeMPLSUnicast), gopacket.Payload(s[2])),
		overIPv4(t, layers.IPProtocolGRE, slices.Concat([]byte{0, 0, 0x88, 0x47}, s[3])),
	)
	compare(t, mplsCase, pcap)
	compare(t, udpCase, pcap)
}
