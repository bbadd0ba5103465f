package packet_test

import (
	"slices"
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/internal/testutil"
)

// sctpCase compares the SCTP common header. SrcIP/DstIP are the packet's
// IP header: none of these captures tunnels SCTP.
var sctpCase = tsharkCase{
	typ:    "SCTP",
	filter: "sctp",
	fields: []tf{
		{ours: "SrcPort", tshark: "sctp.srcport"},
		{ours: "DstPort", tshark: "sctp.dstport"},
		{ours: "VerificationTag", tshark: "sctp.verification_tag"},
		{ours: "Checksum", tshark: "sctp.checksum"},
		{ours: "SrcIP", tshark: "ip.src,ipv6.src"},
		{ours: "DstIP", tshark: "ip.dst,ipv6.dst"},
	},
}

func TestSCTPAgainstTsharkPublic(t *testing.T) {
	t.Parallel()
	compareWithTshark(t, sctpCase,
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
	compareWithTshark(t, sctpCase, pcap)
}
