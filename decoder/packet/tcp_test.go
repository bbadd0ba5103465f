package packet_test

import (
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder/packet"
	"github.com/netcap-go/netcap/types"

	"github.com/netcap-go/netcap/internal/testutil"
)

var tcpCase = tsharkCase{
	typ:    "TCP",
	filter: "tcp",
	fields: []tf{
		{ours: "SrcPort", tshark: "tcp.srcport"},
		{ours: "DstPort", tshark: "tcp.dstport"},
		{ours: "SeqNum", tshark: "tcp.seq_raw"},
		{ours: "AckNum", tshark: "tcp.ack_raw"},
		{ours: "DataOffset", tshark: "tcp.hdr_len", conv: div4},
		{ours: "FIN", tshark: "tcp.flags.fin"},
		{ours: "SYN", tshark: "tcp.flags.syn"},
		{ours: "RST", tshark: "tcp.flags.reset"},
		{ours: "PSH", tshark: "tcp.flags.push"},
		{ours: "ACK", tshark: "tcp.flags.ack"},
		{ours: "URG", tshark: "tcp.flags.urg"},
		{ours: "ECE", tshark: "tcp.flags.ece"},
		{ours: "CWR", tshark: "tcp.flags.cwr"},
		{ours: "Window", tshark: "tcp.window_size_value"},
		{ours: "Checksum", tshark: "tcp.checksum"},
		{ours: "Urgent", tshark: "tcp.urgent_pointer"},
		{ours: "PayloadSize", tshark: "tcp.len"},
		{ours: "SrcIP", tshark: "ip.src,ipv6.src"},
		{ours: "DstIP", tshark: "ip.dst,ipv6.dst"},
	},
}

func TestTCPAgainstTshark(t *testing.T) {
	compareWithTshark(t, tcpCase, testutil.Testdata(t, "mixed.pcap"), testutil.Testdata(t, "mixed.pcapng"))
}

func TestTCPAgainstTsharkPublic(t *testing.T) {
	compareWithTshark(t, tcpCase,
		testutil.Shared(t, "public/arkime/http-simple-get.pcap"),
		testutil.Shared(t, "public/ja4/pcap/tls12.pcap"),
		testutil.Shared(t, "public/hassh/ssh_zeek_test_pcaps.pcap"),
	)
}

func FuzzTCP(f *testing.F) { fuzzLayer(f, layers.LayerTypeTCP) }

// TestPayloadAndEntropy checks -payload and -entropy on TCP and UDP: the
// payload bytes equal tshark's tcp.payload/udp.payload, and the entropy
// equals the Shannon entropy the test computes itself from tshark's bytes.
func TestPayloadAndEntropy(t *testing.T) {
	opts := &packet.Options{Payloads: true, Entropy: true}
	for _, layer := range []string{"tcp", "udp"} {
		// tshark also dissects the UDP header an ICMP error quotes; we
		// treat the quote as the ICMP message's payload.
		c := tsharkCase{
			typ:    strings.ToUpper(layer),
			filter: layer + ".payload && !icmp",
			opts:   opts,
			keep:   func(m proto.Message) bool { return payloadSize(m) > 0 },
		}
		// tshark prints a field once however often -e names it: one case
		// for the bytes, one for the entropy computed from them.
		c.fields = []tf{
			{ours: "SrcPort", tshark: layer + ".srcport"},
			{ours: "DstPort", tshark: layer + ".dstport"},
			{ours: "Payload", tshark: layer + ".payload"},
		}
		compareWithTshark(t, c, testutil.Testdata(t, "mixed.pcap"))
		c.fields = []tf{
			{ours: "SrcPort", tshark: layer + ".srcport"},
			{ours: "DstPort", tshark: layer + ".dstport"},
			{ours: "PayloadEntropy", tshark: layer + ".payload", conv: hexEntropy, oursConv: round9},
		}
		compareWithTshark(t, c, testutil.Testdata(t, "mixed.pcap"))
	}
}

func payloadSize(m proto.Message) int32 {
	switch r := m.(type) {
	case *types.TCP:
		return r.PayloadSize
	case *types.UDP:
		return r.PayloadSize
	}
	return 0
}
