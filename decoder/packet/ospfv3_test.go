package packet_test

import (
	"net"
	"slices"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// ospfv3Prefix is an OSPFv3 address prefix: length, options, a 16-bit
// field (metric or reserved), then the prefix in whole 32-bit words.
func ospfv3Prefix(length, options byte, metric uint16, prefix string) []byte {
	ip := net.ParseIP(prefix).To16()
	return slices.Concat([]byte{length, options}, be16(metric), ip[:(int(length)+31)/32*4])
}

// ospfv3Samples are OSPFv3 packets of every type, the Link State Update
// holding every LSA type RFC 5340 A.4 defines: router (one with the U
// bit), network, inter-area-prefix, inter-area-router, AS-external (with
// and without forwarding address, route tag and referenced LSA), NSSA,
// link and intra-area-prefix LSAs, prefixes of 0 to 128 bits, and an LSA
// of a type the decoder does not read (grace LSA, header only).
func ospfv3Samples() [][]byte {
	r1, r2 := ip4(1, 1, 1, 1), ip4(2, 2, 2, 2)
	opts := []byte{0x00, 0x01, 0x13} // R, E, V6, AF
	router := lsaV3(1, 0x2001, 0, r1, 0x80000001, slices.Concat([]byte{0x01}, opts,
		[]byte{1, 0}, be16(10), be32(5), be32(6), be32(r2),
		[]byte{2, 0}, be16(1), be32(7), be32(8), be32(r2)))
	routerU := lsaV3(2, 0xa001, 1, r2, 0x80000002, slices.Concat([]byte{0x02}, opts, []byte{4, 0}, be16(65535), be32(9), be32(10), be32(r1)))
	network := lsaV3(3, 0x2002, 5, r1, 0x80000003, slices.Concat([]byte{0}, opts, be32(r1), be32(r2)))
	interPrefix := lsaV3(4, 0x2003, 1, r1, 0x80000004, slices.Concat([]byte{0, 0, 0, 0x64}, ospfv3Prefix(64, 0, 0, "2001:db8:1::")))
	interRouter := lsaV3(5, 0x2004, 2, r1, 0x80000005, slices.Concat([]byte{0}, opts, []byte{0, 0, 0, 20}, be32(r2)))
	external := lsaV3(6, 0x4005, 3, r1, 0x80000006, slices.Concat([]byte{0x07, 0, 0, 5}, ospfv3Prefix(48, 0x08, 0x2001, "2001:db8:2::")[:2],
		be16(0x2001), ospfv3Prefix(48, 0, 0, "2001:db8:2::")[4:], net.ParseIP("2001:db8::99").To16(), be32(0xcafe), be32(77)))
	external2 := lsaV3(7, 0x4005, 4, r1, 0x80000007, slices.Concat([]byte{0x00, 0xff, 0xff, 0xff}, []byte{0, 0}, be16(0)))
	nssa := lsaV3(8, 0x2007, 5, r1, 0x80000008, slices.Concat([]byte{0x02, 0, 0, 7}, []byte{128, 0}, be16(0),
		ospfv3Prefix(128, 0, 0, "2001:db8:3::1")[4:], net.ParseIP("2001:db8::98").To16()))
	link := lsaV3(9, 0x0008, 5, r1, 0x80000009, slices.Concat([]byte{1}, opts, net.ParseIP("fe80::1").To16(), be32(3),
		ospfv3Prefix(64, 0x02, 0, "2001:db8:4::"), ospfv3Prefix(70, 0, 0, "2001:db8:5:0:fc00::"), ospfv3Prefix(0, 0, 0, "::")))
	intraPrefix := lsaV3(10, 0x2009, 0, r1, 0x8000000a, slices.Concat(be16(2), be16(0x2001), be32(0), be32(r1),
		ospfv3Prefix(64, 0, 10, "2001:db8:6::"), ospfv3Prefix(128, 0x02, 0, "2001:db8:6::1")))
	grace := lsaV3(11, 0x000b, 5, r1, 0x8000000b, slices.Concat(be16(1), be16(4), be32(120)))
	lsas := [][]byte{router, routerU, network, interPrefix, interRouter, external, external2, nssa, link, intraPrefix, grace}
	return [][]byte{
		ospfv3Packet(1, r1, 0, 0, 0, slices.Concat(be32(5), []byte{1}, opts, be16(10), be16(40), be32(r1), be32(0), be32(r2))),
		ospfv3Packet(1, r2, ip4(0, 0, 0, 7), 3, 0x55, slices.Concat(be32(0xfffffffe), []byte{0}, opts, be16(65535), be16(65535), be32(0), be32(r2))),
		ospfv3Packet(2, r1, 0, 0, 0, slices.Concat([]byte{0}, opts, be16(1500), []byte{0, 0x07}, be32(0x1000), lsaHeaders(lsas...))),
		ospfv3Packet(3, r2, 0, 0, 0, slices.Concat(be16(0), be16(0x2001), be32(0), be32(r1), be16(0), be16(0x0008), be32(5), be32(r1))),
		ospfv3Packet(4, r1, 0, 0, 0, slices.Concat(be32(uint32(len(lsas))), slices.Concat(lsas...))),
		ospfv3Packet(5, r2, 0, 0, 0, lsaHeaders(router, link, grace)),
	}
}

// ospfv3Frame puts an OSPFv3 packet in IPv6 to AllSPFRouters.
func ospfv3Frame(tb testing.TB, pkt []byte) []byte {
	return ipv6To(tb, layers.IPProtocol(89), "fe80::1", "ff02::5", pkt)
}

// TestOSPFv3SynthAgainstTshark compares ospfv3Samples: the public captures
// have no OSPFv3.
func TestOSPFv3SynthAgainstTshark(t *testing.T) {
	t.Parallel()
	var frames [][]byte
	for _, p := range ospfv3Samples() {
		frames = append(frames, ospfv3Frame(t, p))
	}
	compare(t, ospfCase(3), writePcap(t, layers.LinkTypeEthernet, frames...))
}

// TestOSPFBehindPPPAgainstTshark compares OSPFv2 and OSPFv3 on a PPP
// link, which the parser decodes with gopacket.NewPacket.
func TestOSPFBehindPPPAgainstTshark(t *testing.T) {
	t.Parallel()
	var frames [][]byte
	for _, p := range ospfv2Samples()[:3] {
		ip := serializeFrame(t, ipv4Layer(layers.IPProtocol(89), "10.0.0.1", "224.0.0.5"), gopacket.Payload(p))
		frames = append(frames, slices.Concat([]byte{0xff, 0x03, 0x00, 0x21}, ip))
	}
	for _, p := range ospfv3Samples()[3:] {
		ip := serializeFrame(t, ipv6Layer(layers.IPProtocol(89), "fe80::1", "ff02::5"), gopacket.Payload(p))
		frames = append(frames, slices.Concat([]byte{0xff, 0x03, 0x00, 0x57}, ip))
	}
	pcap := writePcap(t, layers.LinkTypePPP, frames...)
	compare(t, ospfCase(2), pcap)
	compare(t, ospfCase(3), pcap)
}

func FuzzOSPFv3(f *testing.F) { fuzzLayer(f, layers.LayerTypeOSPF, ospfv3Samples()...) }
