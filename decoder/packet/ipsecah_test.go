package packet_test

import (
	"slices"
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
)

// ipsecAHCase compares the Authentication Header. SPI and Seq are int32 in
// Netcap's schema, so values above 2^31 are negative there; tshark's
// reserved field is bytes (hex), the record's a number.
var ipsecAHCase = tsharktest.Case{
	Type:   "IPSecAH",
	Filter: "ah",
	Fields: []tsharktest.Field{
		{Ours: "Reserved", Tshark: "ah.reserved", Conv: hexBytesNumber},
		{Ours: "SPI", Tshark: "ah.spi", Conv: wrapInt32},
		{Ours: "Seq", Tshark: "ah.sequence", Conv: wrapInt32},
		{Ours: "AuthenticationData", Tshark: "ah.icv"},
		{Ours: "SrcIP", Tshark: "ip.src,ipv6.src"},
		{Ours: "DstIP", Tshark: "ip.dst,ipv6.dst"},
	},
}

// The only public capture with AH: AH in IPv4, then ESP, both directions.
func TestIPSecAHAgainstTsharkPublic(t *testing.T) {
	t.Parallel()
	compare(t, ipsecAHCase, testutil.Shared(t, "public/arkime/ah-esp.pcap"))
}

func FuzzIPSecAH(f *testing.F) { fuzzLayer(f, layers.LayerTypeIPSecAH, ahSamples(f)...) }

// ahHeader is an Authentication Header with next header nh and an ICV of
// icvLen bytes, then payload.
func ahHeader(nh layers.IPProtocol, reserved uint16, spi, seq uint32, icvLen int, payload []byte) []byte {
	b := slices.Concat([]byte{byte(nh), byte((12+icvLen)/4 - 2)}, be16(reserved), be32(spi), be32(seq))
	for i := range icvLen {
		b = append(b, byte(0xa0+i))
	}
	return append(b, payload...)
}

// ahSamples have what the public capture lacks: a 16-byte ICV, a non-zero
// reserved field, SPI and sequence number at and above 2^31 (negative in
// the int32 record fields), AH before UDP (over IPv6 in the synthetic
// capture) and before ESP.
func ahSamples(tb testing.TB) [][]byte {
	udp6 := innerIPv6(tb)[40:]
	esp := []byte{0, 0, 1, 0, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8}
	return [][]byte{
		ahHeader(layers.IPProtocolUDP, 0x1234, 0xfffffffe, 0x80000000, 16, udp6),
		ahHeader(layers.IPProtocolESP, 0, 0x7fffffff, 0xffffffff, 12, esp),
	}
}

// TestIPSecAHAgainstTsharkSynthetic puts ahSamples over IPv6 and IPv4.
func TestIPSecAHAgainstTsharkSynthetic(t *testing.T) {
	t.Parallel()
	s := ahSamples(t)
	pcap := writePcap(t, layers.LinkTypeEthernet, overIPv6(t, layers.IPProtocolAH, s[0]), overIPv4(t, layers.IPProtocolAH, s[1]))
	compare(t, ipsecAHCase, pcap)
	compare(t, udpCase, pcap) // the UDP after AH
}
