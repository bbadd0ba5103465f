package packet_test

import (
	"slices"
	"strconv"
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
)

// ipsecESPCase compares the ESP header. SPI and Seq are int32 in Netcap's
// schema, so values above 2^31 are negative there.
//
// Only ESP directly in IP is compared. ESP in UDP (RFC 3948, port 4500, in
// nDPI's ipsec_isakmp_esp.pcap and tcpdump's esp_truncated.pcap) is decoded
// by tshark's port table and not by gopacket's, so it yields UDP records
// only (checked in the UDP test) and no ESP record; see
// TestIPSecESPNotInUDP.
var ipsecESPCase = tsharktest.Case{
	Type:   "IPSecESP",
	Filter: "esp && !udp",
	Fields: []tsharktest.Field{
		{Ours: "SPI", Tshark: "esp.spi", Conv: wrapInt32},
		{Ours: "Seq", Tshark: "esp.sequence", Conv: wrapInt32},
		{Ours: "SrcIP", Tshark: "ip.src,ipv6.src"},
		{Ours: "DstIP", Tshark: "ip.dst,ipv6.dst"},
	},
}

// The only public capture with ESP in IP: behind AH, both directions.
func TestIPSecESPAgainstTsharkPublic(t *testing.T) {
	t.Parallel()
	pcap := testutil.Shared(t, "public/arkime/ah-esp.pcap")
	compare(t, ipsecESPCase, pcap)
	compareESPLength(t, pcap)
}

// compareESPLength checks LenEncrypted, the bytes after SPI and sequence
// number. tshark has no field for them without keys; its PDML gives the
// size of the ESP protocol item, which spans the ESP packet (cut at the IP
// payload's end, as gopacket's IP layers cut it).
func compareESPLength(t *testing.T, pcap string) {
	t.Helper()
	compare(t, tsharktest.Case{
		Type:    "IPSecESP",
		Filter:  ipsecESPCase.Filter,
		Columns: []string{"LenEncrypted"},
		PacketRows: func(p tsharktest.Packet) [][]string {
			var rows [][]string
			for _, n := range p.All("esp") {
				if n.Proto {
					rows = append(rows, []string{strconv.Itoa(n.Size - 8)})
				}
			}
			return rows
		},
	}, pcap)
}

func FuzzIPSecESP(f *testing.F) { fuzzLayer(f, layers.LayerTypeIPSecESP, espSamples()...) }

// espPacket is an ESP header with n bytes after it.
func espPacket(spi, seq uint32, n int) []byte {
	b := slices.Concat(be32(spi), be32(seq))
	for i := range n {
		b = append(b, byte(i))
	}
	return b
}

// espSamples have what the public capture lacks: SPI and sequence number
// above 2^31 (negative in the int32 record fields), an empty ESP payload
// and a long one.
func espSamples() [][]byte {
	return [][]byte{
		espPacket(0xffffffff, 0xfffffff0, 40),
		espPacket(256, 0x80000001, 0),
		espPacket(0x01020304, 7, 1000),
	}
}

// TestIPSecESPAgainstTsharkSynthetic puts espSamples directly in IPv6 (the
// first) and IPv4 (without AH).
func TestIPSecESPAgainstTsharkSynthetic(t *testing.T) {
	t.Parallel()
	s := espSamples()
	pcap := writePcap(t, layers.LinkTypeEthernet, overIPv6(t, layers.IPProtocolESP, s[0]),
		overIPv4(t, layers.IPProtocolESP, s[1]), overIPv4(t, layers.IPProtocolESP, s[2]))
	compare(t, ipsecESPCase, pcap)
	compareESPLength(t, pcap)
}
