package packet_test

import (
	"slices"
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
)

// sctpCase compares the SCTP common header. SrcIP/DstIP are the packet's
// IP header: none of these captures tunnels SCTP.
var sctpCase = tsharktest.Case{
	Type:   "SCTP",
	Filter: "sctp",
	Fields: []tsharktest.Field{
		{Ours: "SrcPort", Tshark: "sctp.srcport"},
		{Ours: "DstPort", Tshark: "sctp.dstport"},
		{Ours: "VerificationTag", Tshark: "sctp.verification_tag"},
		{Ours: "Checksum", Tshark: "sctp.checksum"},
		{Ours: "SrcIP", Tshark: "ip.src,ipv6.src"},
		{Ours: "DstIP", Tshark: "ip.dst,ipv6.dst"},
	},
}

func TestSCTPAgainstTsharkPublic(t *testing.T) {
	t.Parallel()
	compare(t, sctpCase,
		testutil.Shared(t, "public/community-id/pcaps/sctp.pcap"),
		// The gzip'd concatenation of the community-id captures.
		testutil.Shared(t, "public/community-id/pcaps/combined.pcap.gz"),
		testutil.Shared(t, "public/arkime/sctp-www.pcap"),
		// Linux cooked capture (SLL).
		testutil.Shared(t, "public/tcpdump/forces1.pcap"),
	)
}

func FuzzSCTP(f *testing.F) { fuzzLayer(f, layers.LayerTypeSCTP, sctpSamples()...) }

// sctpPacket is an SCTP common header and one DATA chunk. The checksum is
// written as given, not computed: both sides report the field.
func sctpPacket(src, dst uint16, vtag, sum uint32) []byte {
	// DATA chunk: flags B|E, length 20, TSN 1, stream 0, seq 0, PPID 0, 4 bytes.
	chunk := []byte{0, 3, 0, 20, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 'd', 'a', 't', 'a'}
	return slices.Concat(be16(src), be16(dst), be32(vtag), be32(sum), chunk)
}

// sctpSamples have what the public captures lack: the largest ports, tag
// and checksum, and tags at 2^31.
func sctpSamples() [][]byte {
	return [][]byte{
		sctpPacket(65535, 1, 0xffffffff, 0xfffffffe),
		sctpPacket(2905, 38412, 0x80000000, 0x12345678),
	}
}

// TestSCTPAgainstTsharkSynthetic puts sctpSamples over IPv6 and IPv4.
func TestSCTPAgainstTsharkSynthetic(t *testing.T) {
	t.Parallel()
	s := sctpSamples()
	pcap := writePcap(t, layers.LinkTypeEthernet, overIPv6(t, layers.IPProtocolSCTP, s[0]), overIPv4(t, layers.IPProtocolSCTP, s[1]))
	compare(t, sctpCase, pcap)
}
