package packet_test

import (
	"testing"

	"github.com/gopacket/gopacket/layers"

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
