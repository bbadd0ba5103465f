package packet_test

import (
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder/packet"
	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"

	"github.com/netcap-go/netcap/internal/testutil"
)

var tcpCase = tsharktest.Case{
	Type:   "TCP",
	Filter: "tcp",
	Fields: []tsharktest.Field{
		{Ours: "SrcPort", Tshark: "tcp.srcport"},
		{Ours: "DstPort", Tshark: "tcp.dstport"},
		{Ours: "SeqNum", Tshark: "tcp.seq_raw"},
		{Ours: "AckNum", Tshark: "tcp.ack_raw"},
		{Ours: "DataOffset", Tshark: "tcp.hdr_len", Conv: div4},
		{Ours: "FIN", Tshark: "tcp.flags.fin"},
		{Ours: "SYN", Tshark: "tcp.flags.syn"},
		{Ours: "RST", Tshark: "tcp.flags.reset"},
		{Ours: "PSH", Tshark: "tcp.flags.push"},
		{Ours: "ACK", Tshark: "tcp.flags.ack"},
		{Ours: "URG", Tshark: "tcp.flags.urg"},
		{Ours: "ECE", Tshark: "tcp.flags.ece"},
		{Ours: "CWR", Tshark: "tcp.flags.cwr"},
		{Ours: "Window", Tshark: "tcp.window_size_value"},
		{Ours: "Checksum", Tshark: "tcp.checksum"},
		{Ours: "Urgent", Tshark: "tcp.urgent_pointer"},
		{Ours: "PayloadSize", Tshark: "tcp.len"},
		{Ours: "SrcIP", Tshark: "ip.src,ipv6.src"},
		{Ours: "DstIP", Tshark: "ip.dst,ipv6.dst"},
	},
}

func TestTCPAgainstTshark(t *testing.T) {
	compare(t, tcpCase, testutil.Testdata(t, "mixed.pcap"), testutil.Testdata(t, "mixed.pcapng"))
}

func TestTCPAgainstTsharkPublic(t *testing.T) {
	compare(t, tcpCase,
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
	opts := packet.Options{Payloads: true, Entropy: true}
	for _, layer := range []string{"tcp", "udp"} {
		// tshark also dissects the UDP header an ICMP error quotes; we
		// treat the quote as the ICMP message's payload.
		c := tsharktest.Case{
			Type:   strings.ToUpper(layer),
			Filter: layer + ".payload && !icmp",
			Keep:   func(m proto.Message) bool { return payloadSize(m) > 0 },
		}
		// tshark prints a field once however often -e names it: one case
		// for the bytes, one for the entropy computed from them.
		c.Fields = []tsharktest.Field{
			{Ours: "SrcPort", Tshark: layer + ".srcport"},
			{Ours: "DstPort", Tshark: layer + ".dstport"},
			{Ours: "Payload", Tshark: layer + ".payload"},
		}
		compareWith(t, opts, c, testutil.Testdata(t, "mixed.pcap"))
		c.Fields = []tsharktest.Field{
			{Ours: "SrcPort", Tshark: layer + ".srcport"},
			{Ours: "DstPort", Tshark: layer + ".dstport"},
			{Ours: "PayloadEntropy", Tshark: layer + ".payload", Conv: hexEntropy, OursConv: round9},
		}
		compareWith(t, opts, c, testutil.Testdata(t, "mixed.pcap"))
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
