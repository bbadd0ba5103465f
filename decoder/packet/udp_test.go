package packet_test

import (
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
)

// udpCase compares every UDP header. The filter leaves out the UDP header
// quoted in an ICMP/ICMPv6 error: tshark dissects it, gopacket ends an
// ICMP layer with its payload, so no record comes from it (the packets
// left out have no other UDP header). Tunnels (VXLAN, Geneve, GRE, ERSPAN)
// are decoded by both, so a UDP packet inside VXLAN gives two records and
// two tshark occurrences.
var udpCase = tsharktest.Case{
	Type:   "UDP",
	Filter: `udp && !(frame.protocols matches "icmp(v6)?:ip(v6)?:udp")`,
	Fields: []tsharktest.Field{
		{Ours: "SrcPort", Tshark: "udp.srcport"},
		{Ours: "DstPort", Tshark: "udp.dstport"},
		{Ours: "Length", Tshark: "udp.length"},
		{Ours: "Checksum", Tshark: "udp.checksum"},
	},
}

// udpPayloadCase checks PayloadSize: what the UDP length covers after the
// header (none of these captures is cut short by a snap length). tshark's
// udp.payload cannot serve: it is absent where the payload is empty, which
// misaligns its occurrences with the other fields' in a tunnel.
var udpPayloadCase = tsharktest.Case{
	Type:    "UDP",
	Filter:  udpCase.Filter,
	Columns: []string{"SrcPort", "PayloadSize"},
	Read:    []string{"udp.srcport", "udp.length"},
	FrameRows: func(f tsharktest.Frame) [][]string {
		lens := f.All("udp.length")
		var out [][]string
		for i, port := range f.All("udp.srcport") {
			l := "missing"
			if i < len(lens) {
				l = udpPayloadLen(lens[i])
			}
			out = append(out, []string{port, l})
		}
		return out
	},
}

func TestUDPAgainstTshark(t *testing.T) {
	t.Parallel()
	pcaps := []string{testutil.Testdata(t, "mixed.pcap"), testutil.Testdata(t, "mixed.pcapng")}
	compare(t, udpCase, pcaps...)
	compare(t, udpPayloadCase, pcaps...)
	// Without tunnels the first IP header is the UDP packet's own.
	compare(t, tsharktest.Case{Type: "UDP", Filter: udpCase.Filter, Fields: []tsharktest.Field{
		{Ours: "SrcPort", Tshark: "udp.srcport"},
		{Ours: "SrcIP", Tshark: "ip.src,ipv6.src"},
		{Ours: "DstIP", Tshark: "ip.dst,ipv6.dst"},
	}}, pcaps...)
}

// udpPublic are public captures with UDP, plain and in tunnels: VXLAN and
// Geneve (two UDP headers per packet), GRE, ERSPAN, MPLS over UDP,
// UDP-encapsulated ESP/IKE, QUIC, and UDP in IPv4 in PPP in GRE over IPv6.
var udpPublic = []string{
	"public/community-id/pcaps/udp.pcap",
	"public/ndpi/quic.pcap",
	"public/ndpi/ipsec_isakmp_esp.pcap",
	"public/tcpdump/vxlan.pcap",
	"public/ndpi/vxlan.pcap",
	"public/suricata-verify/vxlan-decoder-01/input.pcap",
	"public/zeek/traces/tunnels/vxlan.pcap",
	"public/arkime/tcpdump-geneve.pcap",
	"public/suricata-verify/geneve-decoder/input.pcap",
	"public/zeek/traces/tunnels/geneve.pcap",
	"public/arkime/gre-sample.pcap",
	"public/arkime/gre-erspan-vxlan.pcap",
	"public/tcpdump/erspan-type-ii-2.pcap",
	"public/tcpdump/mpls-over-udp.pcap",
	"public/arkime/6-4-gre-ppp-udp-4-dns.pcap",
}

func TestUDPAgainstTsharkPublic(t *testing.T) {
	t.Parallel()
	pcaps := sharedCaptures(t, udpPublic...)
	compare(t, udpCase, pcaps...)
	compare(t, udpPayloadCase, pcaps...)
	// SrcIP/DstIP are the packet's first IP header (the outer one in a
	// tunnel), for every UDP record of the packet.
	compareContextAddrs(t, "UDP", udpCase.Filter, pcaps...)
}

// TestUDPAgainstTsharkPPP is UDP inside MPLS on a PPP link.
func TestUDPAgainstTsharkPPP(t *testing.T) {
	t.Parallel()
	compare(t, udpCase, testutil.Shared(t, "public/tcpdump/mpls-traceroute.pcap"))
}

// TestUDPAgainstTsharkSynthetic covers what the captures lack: UDP over
// IPv6, VXLAN over IPv6 carrying IPv4 (two UDP records whose SrcIP/DstIP
// are the IPv6 addresses), the largest ports, and a zero checksum with
// bytes after the UDP length (the payload ends at the length).
func TestUDPAgainstTsharkSynthetic(t *testing.T) {
	t.Parallel()
	vxlan := append([]byte{0x08, 0, 0, 0, 0, 0, 5, 0}, innerFrame(t)...)
	short := []byte{0xff, 0xff, 0x00, 0x07, 0, 13, 0, 0, 'h', 'e', 'l', 'l', 'o', 't', 'r', 'a', 'i', 'l'}
	pcap := writePcap(t, layers.LinkTypeEthernet,
		udpOverIPv6(t, 65535, 53, []byte("not dns")),
		udpOverIPv6(t, 40000, 4789, vxlan),
		overIPv4(t, layers.IPProtocolUDP, short),
	)
	compare(t, udpCase, pcap)
	compare(t, udpPayloadCase, pcap)
	compareContextAddrs(t, "UDP", udpCase.Filter, pcap)
}

func FuzzUDP(f *testing.F) { fuzzLayer(f, layers.LayerTypeUDP) }
